"""What every platform connector shares: reading an export (a folder or a zip), JSON entries
with errors that name the file and the entry, the mapped events, and their threads.

A connector reads its platform's export into a :class:`RawExport` (raw events in the contract's
columns, a members table, the hosts its rule found, and a load report of every record it excluded
or repaired) and hands it to :func:`to_community`, which validates it against the contract.
"""

from __future__ import annotations

import io
import json
import os
import re
import zipfile
import zlib
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from communitylab.community import Community, HostRule
from communitylab.engine import Engine
from communitylab.loaders._io import bounded, decompressing, with_progress
from communitylab.schema import DataValidationError, LoadReport

__all__ = ["ExportFiles", "EventBuilder", "RawExport", "assign_threads", "read_json", "to_community"]

EVENT_FIELDS = ("event_id", "member_id", "kind", "created_at", "thread_id", "parent_id", "to_member_id", "channel", "text")


def is_documentation(name: str) -> bool:
    """Files beside an export that are not part of it: hidden files, READMEs, licences, web pages."""
    base = name.split("/")[-1].lower()
    return (base.startswith((".", "readme", "license", "licence", "copying", "notes", "index."))
            or base.endswith((".md", ".rst", ".html", ".htm", ".pdf")))


class ExportFiles:
    """The files of an export, whether it is a folder, a zip archive, or one file.

    Entry names are POSIX paths relative to the export's root (``general/2024-05-01.json``).
    A zip whose entries all sit under one top folder (``export/users.json``) is read from that
    folder, as people often zip the folder rather than its contents.
    """

    def __init__(self, path: str | os.PathLike):
        self.path = Path(path)
        if not self.path.exists():
            raise FileNotFoundError(f"no such file or folder: {self.path}")
        self._zip: zipfile.ZipFile | None = None
        self._prefix = ""
        if self.path.is_dir():
            self._names = sorted(
                p.relative_to(self.path).as_posix() for p in self.path.rglob("*") if p.is_file()
            )
        elif zipfile.is_zipfile(self.path):
            try:
                self._zip = zipfile.ZipFile(self.path)
                names = [n for n in self._zip.namelist() if not n.endswith("/") and not n.startswith("__MACOSX/")]
            except (zipfile.BadZipFile, OSError) as exc:
                raise DataValidationError(str(self.path), "(zip archive)", [], f"a readable zip archive ({exc})", 0) from exc
            tops = {n.split("/", 1)[0] for n in names}
            if len(tops) == 1 and all("/" in n for n in names):
                self._prefix = next(iter(tops)) + "/"
            self._names = sorted(n[len(self._prefix):] for n in names)
        else:
            self._names = [self.path.name]

    @property
    def is_zip(self) -> bool:
        return self._zip is not None

    def names(self) -> list[str]:
        """Every file entry, sorted."""
        return list(self._names)

    def data_names(self) -> list[str]:
        """Every entry except the documentation beside the data (:func:`is_documentation`)."""
        return [n for n in self._names if not is_documentation(n)]

    def has(self, name: str) -> bool:
        return name in self._names

    def json_names(self, expected: str) -> list[str]:
        """Every ``.json`` entry (API responses saved as pages), sorted.

        Raises
        ------
        DataValidationError
            There is none; ``expected`` says what the export should hold.
        """
        names = [n for n in self._names if n.lower().endswith(".json")]
        if not names:
            raise DataValidationError(str(self.path), "(file)", [], expected, 0)
        return names

    def label(self, name: str) -> str:
        """How messages name an entry: ``export.zip!general/2024-05-01.json`` or a path."""
        if self._zip is not None:
            return f"{self.path}!{self._prefix}{name}"
        if self.path.is_dir():
            return str(self.path / name)
        return str(self.path)

    def open(self, name: str) -> io.BufferedIOBase:
        """Binary stream of one entry (``.gz`` and ``.zst`` entries are decompressed on the fly).

        Decompression is bounded (:func:`communitylab.loaders._io.expansion_limit`); an encrypted
        entry or one compressed by a method Python cannot read is refused by name.
        """
        label = self.label(name)
        if self._zip is not None:
            info = self._zip.getinfo(self._prefix + name)
            if info.flag_bits & 0x1:
                raise DataValidationError(label, "(zip entry)", [], "an unencrypted zip entry (this one needs a password)", 0)
            try:
                raw = self._zip.open(info)
            except (NotImplementedError, RuntimeError, zipfile.BadZipFile, OSError) as exc:
                raise DataValidationError(label, "(zip entry)", [], f"a zip entry stored or deflated ({type(exc).__name__}: {exc})", 0) from exc
            size = info.compress_size
            if info.compress_type != zipfile.ZIP_STORED:
                raw = bounded(raw, size, label)
        else:
            local = self.path / name if self.path.is_dir() else self.path
            size = local.stat().st_size
            raw = with_progress(open(local, "rb"), size, label)
        return decompressing(raw, name, size, label)  # type: ignore[return-value]

    def read_bytes(self, name: str) -> bytes:
        with self.open(name) as fh:
            try:
                return fh.read()
            except (OSError, EOFError, zipfile.BadZipFile, zlib.error) as exc:  # bad gzip, truncated member
                raise DataValidationError(self.label(name), "(file)", [], f"a readable file ({exc})", 0) from exc


def read_json(files: ExportFiles, name: str, expected: str) -> Any:
    """Parse one JSON entry; a truncated or invalid file raises an error naming it and the spot."""
    data = files.read_bytes(name)
    try:
        text = data.decode("utf-8-sig")
        _refuse_lone_surrogates(text, files.label(name), expected)
        return json.loads(text)
    except RecursionError as exc:
        raise DataValidationError(files.label(name), "(file)", [], f"{expected}; this JSON is nested deeper than its reader allows "
                                  "(about 1,000 levels)", 0) from exc
    except UnicodeDecodeError as exc:
        raise DataValidationError(files.label(name), "(file)", [], f"{expected} in UTF-8 ({exc.reason} at byte {exc.start})", 0) from exc
    except json.JSONDecodeError as exc:
        raise DataValidationError(
            files.label(name), f"line {exc.lineno}, column {exc.colno}", [], f"{expected}; the JSON is invalid or truncated ({exc.msg})", 0
        ) from exc
    except DataValidationError:
        raise
    except ValueError as exc:  # a number of more than 4,300 digits, which Python refuses to convert
        raise DataValidationError(files.label(name), "(file)", [], f"{expected}; the JSON holds a value its reader refuses ({exc})", 0) from exc


#: A ``\\uD800``-``\\uDFFF`` escape that is not half of a pair: no Unicode text can hold it (pandas' strings refuse it).
_LONE_SURROGATE = re.compile(r"\\u[dD][89abAB][0-9a-fA-F]{2}(?!\\u[dD][c-fC-F][0-9a-fA-F]{2})"
                             r"|(?<!\\u[dD][89abAB][0-9a-fA-F]{2})\\u[dD][c-fC-F][0-9a-fA-F]{2}")


def _refuse_lone_surrogates(text: str, label: str, expected: str) -> None:
    """Refuse JSON that escapes half a surrogate pair, naming its line and column."""
    if "\\u" not in text:
        return
    m = _LONE_SURROGATE.search(text)
    if m:
        line = text.count("\n", 0, m.start()) + 1
        col = m.start() - (text.rfind("\n", 0, m.start()) + 1) + 1
        raise DataValidationError(label, f"line {line}, column {col}", [],
                                  f"{expected} in valid Unicode (the escape {m.group(0)} is half of a surrogate pair)", 0)


def iter_json_lines(files: ExportFiles, name: str) -> Iterator[tuple[int, Any]]:
    """``(line number, parsed record or None)`` for each non-blank line of a JSON Lines entry.

    A line that is not valid JSON yields ``None`` so the caller can count it as damaged.
    """
    with files.open(name) as raw:
        text = io.TextIOWrapper(raw, encoding="utf-8", errors="replace")
        try:
            for lineno, line in enumerate(text, start=1):
                if not line.strip():
                    continue
                try:
                    record = None if "\\u" in line and _LONE_SURROGATE.search(line) else json.loads(line)
                except (ValueError, RecursionError):  # damaged, a 4,300-digit number, or nested past the reader's depth
                    record = None
                yield lineno, record
        except (OSError, EOFError) as exc:
            raise DataValidationError(files.label(name), "(file)", [], f"a readable file ({exc})", 0) from exc


@dataclass
class EventBuilder:
    """Collects mapped events column by column (cheap for millions of records)."""

    include_text: bool = False
    cols: dict[str, list[Any]] = field(default_factory=lambda: {c: [] for c in EVENT_FIELDS})

    def add(
        self,
        event_id: str,
        member_id: str | None,
        kind: str,
        created_at: Any,
        *,
        thread_id: str | None = None,
        parent_id: str | None = None,
        to_member_id: str | None = None,
        channel: str | None = None,
        text: str | None = None,
    ) -> None:
        c = self.cols
        c["event_id"].append(event_id)
        c["member_id"].append(member_id)
        c["kind"].append(kind)
        c["created_at"].append(created_at)
        c["thread_id"].append(thread_id)
        c["parent_id"].append(parent_id)
        c["to_member_id"].append(to_member_id)
        c["channel"].append(channel)
        c["text"].append(text if self.include_text else None)

    def __len__(self) -> int:
        return len(self.cols["event_id"])

    def truncate(self, n: int) -> None:
        """Drop every event added after the first ``n`` (undo a record that turned out damaged)."""
        for values in self.cols.values():
            del values[n:]

    def frame(self) -> pd.DataFrame:
        df = pd.DataFrame(self.cols)
        for col in ("event_id", "member_id", "kind", "thread_id", "parent_id", "to_member_id", "channel", "text"):
            df[col] = df[col].astype("string")
        if not self.include_text:
            df = df.drop(columns="text")
        return df


@dataclass
class RawExport:
    """A platform export mapped to the contract, before validation.

    Attributes
    ----------
    events : DataFrame
        Contract columns; ``created_at`` already timezone-aware UTC.
    members : DataFrame or None
        ``member_id`` and what the export says of members (``display_name`` is personal data).
    hosts : frozenset of str
        Host member ids found by the platform's host rule (or given).
    host_rule : str
        The rule in words, for the load report and ``communitylab inspect``.
    report : LoadReport
    """

    events: pd.DataFrame
    members: pd.DataFrame | None
    hosts: frozenset[str]
    host_rule: str
    report: LoadReport
    format: str = ""


SHAPE_ERRORS = (TypeError, AttributeError, KeyError, ValueError, IndexError, OverflowError)
DAMAGED = "damaged record (a field missing or of the wrong type)"


def safe_record(b: EventBuilder, excluded: dict[str, list[Any]], where: str, fn: Callable[[], Any]) -> None:
    """Map one record; a record whose fields are missing or of the wrong type is counted as
    damaged and skipped (with anything it had added), and the rest of the export still loads."""
    n = len(b)
    try:
        fn()
    except DataValidationError:
        raise
    except SHAPE_ERRORS:
        b.truncate(n)
        excluded[DAMAGED].append(where)


@contextmanager
def document_shape(label: str, expected: str) -> Iterator[None]:
    """A document whose overall shape is wrong (a list where an object belongs, ...) is refused by name."""
    try:
        yield
    except DataValidationError:
        raise
    except SHAPE_ERRORS as exc:
        raise DataValidationError(label, "(file)", [], f"{expected} ({type(exc).__name__}: {exc})", 0) from exc


def count_excluded(report: LoadReport, counts: Mapping[str, list[Any]], column: str = "") -> None:
    """Add one ``excluded`` rule per reason, with the first record references."""
    for reason, where in sorted(counts.items()):
        report.add(reason, len(where), "excluded", column, where)


def finish(
    builder: EventBuilder | pd.DataFrame,
    members: pd.DataFrame | None,
    hosts: Iterable[str],
    host_rule: str,
    report: LoadReport,
    fmt: str,
) -> RawExport:
    """Close a connector's read: ``rows_read`` = events mapped + records excluded. ``builder``: the
    events collected one by one, or already built column by column (a frame of the same columns)."""
    events = builder.frame() if isinstance(builder, EventBuilder) else builder
    if members is not None and len(members):
        members = members.astype({"member_id": "string"})
        dup = members["member_id"].duplicated(keep="first") | members["member_id"].isna()
        report.add("member listed twice or without an id (first kept)", int(dup.sum()), "repaired", "member_id",
                   members.loc[dup, "member_id"].head().tolist())
        members = members.loc[~dup].reset_index(drop=True)
    elif members is not None:
        members = None
    report.rows_read = len(events) + report.excluded
    report.notes.append(f"host rule: {host_rule}")
    return RawExport(events, members, frozenset(str(h) for h in hosts), host_rule, report, fmt)


def assign_threads(events: pd.DataFrame) -> None:
    """Fill ``thread_id`` where missing with the root of the event's parent chain.

    The root is the first event of the chain that has no parent in the data: a post, or the
    outside parent itself when the chain leaves the export (so replies to one missing root still
    share a thread). A cycle stops at the event where it closes.
    """
    parent = dict(zip(events["event_id"], events["parent_id"]))
    given = dict(zip(events["event_id"], events["thread_id"]))
    roots: dict[str, str] = {}

    def root(eid: str) -> str:
        path: list[str] = []
        seen: set[str] = set()
        cur = eid
        while True:
            if cur in roots:
                top = roots[cur]
                break
            g = given.get(cur)
            if g is not None and not pd.isna(g):
                top = g
                break
            p = parent.get(cur)
            if cur not in parent or p is None or pd.isna(p) or cur in seen:
                top = cur
                break
            seen.add(cur)
            path.append(cur)
            cur = p
        for node in path:
            roots[node] = top
        return top

    missing = events["thread_id"].isna() & events["kind"].isin(["post", "reply", "reaction"])
    if missing.any():
        events.loc[missing, "thread_id"] = [root(e) for e in events.loc[missing, "event_id"]]


def to_community(
    raw: RawExport,
    *,
    hosts: HostRule = None,
    name: str,
    source: str,
    engine: Engine | None = None,
    now: pd.Timestamp | None = None,
) -> Community:
    """Validate a connector's output; ``hosts`` given by the user replaces the platform's rule."""
    if hosts is not None and not callable(hosts):
        hosts = [hosts] if isinstance(hosts, str) else list(hosts)
        raw.report.notes.append(f"hosts given by the user ({len(hosts)}) replace the platform's rule")
    community = Community.from_frames(
        raw.events, raw.members, hosts=raw.hosts if hosts is None else hosts, name=name, source=source,
        engine=engine, now=now, report=raw.report,
    )
    community.format = raw.format
    community.host_rule = raw.host_rule if hosts is None else "given by the user"
    return community


def make_loader(read: Callable[..., RawExport], what: str, *, hosts_in_read: bool = False,
                name_of: Callable[[Path], str] | None = None) -> Callable[..., Community]:
    """The ``load_<format>`` of a connector: ``read`` the export, then validate it as a Community.

    ``hosts_in_read``: the reader resolves ``hosts`` itself (role names, mail domains, @usernames);
    otherwise ``hosts`` given by the user replaces the platform's rule after reading. Options the
    reader takes beyond ``include_text`` (``weights``, ``include_votes``) pass through as
    keywords. ``name_of``: the community's default name from its path (default: the file name up
    to its first dot).
    """
    def load(
        path: str | os.PathLike,
        *,
        hosts: HostRule = None,
        name: str | None = None,
        include_text: bool = False,
        engine: Engine | None = None,
        now: pd.Timestamp | None = None,
        **options: Any,
    ) -> Community:
        if hosts_in_read:
            options["hosts"] = hosts
        raw = read(path, include_text=include_text, **options)
        default = name_of(Path(path)) if name_of else Path(path).name.split(".")[0]
        return to_community(raw, hosts=None if hosts_in_read else hosts, name=name or default,
                            source=str(path), engine=engine, now=now)

    fmt = read.__name__.removeprefix("read_")
    load.__name__ = load.__qualname__ = f"load_{fmt}"
    load.__module__ = read.__module__
    load.__doc__ = (f"Load {what} as a validated :class:`~communitylab.Community`.\n\n"
                    f"The mapping, the host rule and every counted exclusion are those of :func:`{read.__name__}` "
                    "(see the module docstring); ``hosts`` " + ("is resolved by the reader." if hosts_in_read
                                                                 else "given replaces the platform's rule."))
    return load


def _representable(ts: pd.Timestamp | None) -> pd.Timestamp | None:
    """``ts`` when its UTC year is 1 to 9999; None otherwise (pandas would wrap it when building a column)."""
    if ts is None or ts is pd.NaT or not 1 <= ts.year <= 9999:
        return None
    return ts


def utc_epoch(value: Any) -> pd.Timestamp | None:
    """Seconds since 1970 (number or numeric string, e.g. Slack's ``"1714557600.000200"``) as UTC.

    None when unreadable or beyond the representable years (never a wrapped date); dates outside
    the kit's stated range are excluded later, by :func:`communitylab.schema.validate_events`.
    """
    try:
        if isinstance(value, str) and "." in value.strip():  # exact: "1714557600.000200" as two integers
            sec, frac = value.strip().split(".", 1)
            return _representable(pd.Timestamp(int(sec), unit="s", tz="UTC") + pd.Timedelta(microseconds=int((frac + "000000")[:6])))
        return _representable(pd.Timestamp(float(value), unit="s", tz="UTC"))
    except (TypeError, ValueError, OverflowError, pd.errors.OutOfBoundsDatetime):
        return None


def utc_iso(value: Any) -> pd.Timestamp | None:
    """An ISO 8601 date-time with its offset (``2024-05-01T10:00:00+02:00``, ``…Z``, ``…+0000``) as UTC.

    A value without an offset is taken as UTC (the caller counts it). None when unreadable or
    when its UTC time leaves the representable years (``9999-12-31T23:59:59-23:59``).
    """
    if not isinstance(value, str) or not value.strip():
        return None
    try:
        ts = pd.Timestamp(value.strip())
        if ts is pd.NaT:
            return None
        return _representable(ts.tz_localize("UTC") if ts.tzinfo is None else ts.tz_convert("UTC"))
    except (ValueError, TypeError, OverflowError, pd.errors.OutOfBoundsDatetime):
        return None


def as_id(value: Any) -> str | None:
    """An id from a JSON value: text or a whole number; None when absent. Anything else is damage."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise TypeError(f"an id must be text or a whole number, not {type(value).__name__}")
    text = str(value).strip()
    return text or None


def split_hosts(hosts: HostRule) -> list[str] | None:
    """A user's host list as strings (a bare string is a one-element list); None when not given."""
    if hosts is None or callable(hosts):
        return None
    return [hosts] if isinstance(hosts, str) else [str(h) for h in hosts]
