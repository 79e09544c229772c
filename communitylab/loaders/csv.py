"""Generic tabular exports (CSV, Parquet, JSON Lines) mapped onto the event-log contract."""

from __future__ import annotations

import csv
import os
import zlib
from collections.abc import Mapping
from pathlib import Path

import pandas as pd

from communitylab.community import Community, HostRule
from communitylab.engine import Engine
from communitylab.errors import CommunityLabError, ParameterError
from communitylab.loaders._io import open_binary, open_text, reading
from communitylab.loaders.registry import Format, Sniff, register
from communitylab.schema import DataValidationError, LoadReport

__all__ = ["read_table", "load_events"]

_KIND_MAP_DEFAULT: dict[str, str] = {}
#: The longest CSV field read (characters); a field past it is refused with its line.
MAX_FIELD = 64 << 20


def read_table(path: str | os.PathLike, format: str | None = None, *, line_numbers: bool = False) -> pd.DataFrame:
    """Read a CSV (``.csv``, ``.csv.gz``), Parquet (``.parquet``) or JSON Lines (``.jsonl``) file.

    All columns are read as strings (CSV/JSONL) so that ids keep their leading zeros; the
    validator parses timestamps and flags. With ``line_numbers``, a ``_line`` column gives each
    record's line in the file (CSV: the line its record starts on, header = line 1), so that
    messages name what an editor or spreadsheet shows.

    Raises
    ------
    DataValidationError
        The file cannot be read as that format (e.g. a ``.gz`` that is not gzip, broken quoting).
    """
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f"no such file: {path}")
    suffixes = [s.lower() for s in path.suffixes if s.lower() != ".gz"]
    fmt = format or (suffixes[-1].lstrip(".") if suffixes else "csv")
    if fmt not in ("csv", "parquet", "jsonl", "ndjson", "json"):
        raise ParameterError(f"{path}: unknown format {fmt!r}; use csv, parquet or jsonl")
    try:
        if fmt == "csv":
            with open_binary(path) as fh:
                df = pd.read_csv(fh, dtype=str, keep_default_na=False, na_values=[""], encoding="utf-8-sig")
        elif fmt == "parquet":
            df = pd.read_parquet(path)
        else:
            with open_binary(path) as fh:
                df = pd.read_json(fh, lines=True, dtype=False, encoding="utf-8")
        if line_numbers and fmt != "parquet":
            df["_line"] = _record_lines(path, fmt, len(df))
    except pd.errors.EmptyDataError as exc:
        raise DataValidationError(str(path), "(file)", [], f"a {fmt} file with a header row and events; the file is empty", 0) from exc
    except (ValueError, pd.errors.ParserError, OSError, EOFError, UnicodeDecodeError, zlib.error, csv.Error, RecursionError) as exc:
        if isinstance(exc, CommunityLabError):
            raise
        raise DataValidationError(str(path), _where(exc), [], f"a readable {fmt} file ({_reason(exc)})", 0) from exc
    return df


def _where(exc: BaseException) -> str:
    """``line N`` when the reader's message names one (pandas: "Expected 3 fields in line 5, saw 4")."""
    import re

    m = re.search(r"\bline (\d+)", str(exc))
    return f"line {m.group(1)}" if m else "(file)"


def _reason(exc: BaseException) -> str:
    """The reader's message in one line; its type's name when it says nothing useful."""
    text = " ".join(str(exc).split())
    if isinstance(exc, RecursionError):
        return "nested deeper than the JSON reader allows (about 1,000 levels)"
    if len(text.strip("()[]{}.,;: ")) < 3:
        return f"{type(exc).__name__}: the reader gave no reason"
    return f"{type(exc).__name__}: {text}"


def _record_lines(path: Path, fmt: str, n: int) -> list[int]:
    """The line each record starts on (quoted line breaks and blank lines accounted for)."""
    starts: list[int] = []
    csv.field_size_limit(MAX_FIELD)
    with reading(path), open_text(path) as fh:
        if fmt == "csv":
            reader = csv.reader(fh)
            next(reader, None)
            end = 1
            for rec in reader:
                if rec:
                    starts.append(end + 1)
                end = reader.line_num
        else:
            starts = [i for i, line in enumerate(fh, start=1) if line.strip()]
    return starts if len(starts) == n else list(range(2 if fmt == "csv" else 1, n + (2 if fmt == "csv" else 1)))


def load_events(
    path: str | os.PathLike,
    columns: Mapping[str, str] | None = None,
    *,
    kinds: Mapping[str, str] | None = None,
    members: str | os.PathLike | pd.DataFrame | None = None,
    member_columns: Mapping[str, str] | None = None,
    hosts: HostRule = None,
    name: str | None = None,
    format: str | None = None,
    engine: Engine | None = None,
    now: pd.Timestamp | None = None,
) -> Community:
    """Load an events export, renaming its columns to the contract's.

    Parameters
    ----------
    path : path
        CSV, Parquet or JSON Lines file.
    columns : mapping, optional
        ``{contract column: source column}``, e.g. ``{"member_id": "author", "created_at": "ts"}``.
        Columns already named as in the contract need no entry.
    kinds : mapping, optional
        Source values to event kinds, e.g. ``{"comment": "reply", "like": "reaction"}``.
    members : path or DataFrame, optional
        Members table (same formats), mapped with ``member_columns``.
    hosts : ids or predicate, optional
        See :func:`communitylab.community.resolve_hosts`.

    Raises
    ------
    DataValidationError
        A mapped column is absent from the file, or the contract's rules fail
        (see :func:`communitylab.schema.validate_events`).
    """
    path = Path(path)
    raw = read_table(path, format, line_numbers=True)
    events = _rename(raw, columns or {}, str(path))
    if kinds:
        events["kind"] = events["kind"].map(lambda k: kinds.get(k, k))
    for optional in ("thread_id", "parent_id"):
        if optional not in events.columns:
            events[optional] = pd.NA
    members_df = None
    if members is not None:
        members_raw = members if isinstance(members, pd.DataFrame) else read_table(members)
        members_df = _rename(members_raw, member_columns or {}, str(members) if not isinstance(members, pd.DataFrame) else "members")
    report = LoadReport(source=str(path), rows_read=len(events))
    return Community.from_frames(
        events, members_df, hosts=hosts, name=name or path.name.split(".")[0], source=str(path),
        engine=engine, now=now, report=report,
    )


def _rename(frame: pd.DataFrame, mapping: Mapping[str, str], source: str) -> pd.DataFrame:
    absent = [src for src in mapping.values() if src not in frame.columns]
    if absent:
        found = [c for c in frame.columns if c != "_line"]
        raise DataValidationError(source, "(columns)", [], f"the mapped column(s) {absent} in the file; found {found}", 0)
    return frame.rename(columns={src: dst for dst, src in mapping.items()})


def _is_parquet(f: Sniff) -> bool:
    return f.suffix(".parquet")


def _is_csv(f: Sniff) -> bool:
    """Any other CSV: a generic table (asked after every platform's CSV test)."""
    return f.suffix(".csv")


def _is_contract_lines(f: Sniff) -> bool:
    """JSON Lines whose records are already events (``event_id``, ``kind``)."""
    return isinstance(f.first_record, dict) and {"event_id", "kind"} <= set(f.first_record)


register(
    Format("events", "Any CSV / Parquet / JSON Lines table, mapped with columns={contract column: your column}",
              "one row → one event (kind values mapped with kinds={...})", "given ids, or the members table's is_host", load_events, order=130),
    entry=[(45, _is_parquet), (80, _is_csv), (95, _is_contract_lines)],
)
