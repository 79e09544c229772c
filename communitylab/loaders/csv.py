"""Generic tabular exports (CSV, Parquet, JSON Lines) mapped onto the event-log contract."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

import pandas as pd

from communitylab.community import Community, HostRule
from communitylab.engine import Engine
from communitylab.schema import DataValidationError, LoadReport

__all__ = ["read_table", "load_events"]

_KIND_MAP_DEFAULT: dict[str, str] = {}


def read_table(path: str | os.PathLike, format: str | None = None) -> pd.DataFrame:
    """Read a CSV (``.csv``, ``.csv.gz``), Parquet (``.parquet``) or JSON Lines (``.jsonl``) file.

    All columns are read as strings (CSV/JSONL) so that ids keep their leading zeros; the
    validator parses timestamps and flags.
    """
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f"no such file: {path}")
    suffixes = [s.lower() for s in path.suffixes if s.lower() != ".gz"]
    fmt = format or (suffixes[-1].lstrip(".") if suffixes else "csv")
    try:
        if fmt == "csv":
            return pd.read_csv(path, dtype=str, keep_default_na=False, na_values=[""])
        if fmt == "parquet":
            return pd.read_parquet(path)
        if fmt in ("jsonl", "ndjson", "json"):
            return pd.read_json(path, lines=True, dtype=False)
    except (ValueError, pd.errors.ParserError) as exc:
        raise DataValidationError(str(path), "(file)", [], f"a readable {fmt} file ({exc})", 0) from exc
    raise ValueError(f"{path}: unknown format {fmt!r}; use csv, parquet or jsonl")


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
    raw = read_table(path, format)
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
        raise DataValidationError(source, ", ".join(absent), [], f"columns present in the file (it has {list(frame.columns)})", 0)
    return frame.rename(columns={src: dst for dst, src in mapping.items()})
