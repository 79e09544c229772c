"""The event-log contract: canonical columns, validation rules and the load report.

Every loader turns its source into two pandas tables with the columns below and passes them
through :func:`validate_events` (and :func:`validate_members`). Fatal problems raise a
:class:`DataValidationError` naming the source, the column, the first offending rows and what was
expected. Recoverable problems are repaired by a *stated rule* and counted in a
:class:`LoadReport`; nothing is dropped silently.

Events
------
==============  ==========================================================================
column          meaning
==============  ==========================================================================
event_id        unique id of the event (string)
member_id       author (string); may be missing for deleted or anonymous accounts
kind            one of ``post`` (starts a thread), ``reply``, ``reaction``, ``join``, ``leave``
created_at      timezone-aware UTC timestamp
thread_id       thread the event belongs to; a post is its own thread
parent_id       the event replied or reacted to; empty for posts, joins and leaves
to_member_id    (optional) the member replied to when the parent *event* is unknown, e.g. in
                message edge lists (``src dst time``); filled from the parent when it is known
channel         (optional) where it happened (forum, linkedin, twitter, ...)
text            (optional) the message text; personal data, never shown in shared reports
==============  ==========================================================================

Members (optional)
------------------
``member_id`` (unique), ``joined_at``, ``left_at``, ``is_host`` (bool: brand, company or staff
accounts), optional ``segment``, ``acquisition_channel``, ``acquisition_cost``, ``display_name``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from communitylab.errors import CommunityLabError

__all__ = [
    "EVENT_COLUMNS",
    "EVENT_KINDS",
    "MEMBER_COLUMNS",
    "DataValidationError",
    "LoadReport",
    "validate_events",
    "validate_members",
]

EVENT_KINDS: tuple[str, ...] = ("post", "reply", "reaction", "join", "leave")
REQUIRED_EVENT_COLUMNS: tuple[str, ...] = (
    "event_id",
    "member_id",
    "kind",
    "created_at",
    "thread_id",
    "parent_id",
)
OPTIONAL_EVENT_COLUMNS: tuple[str, ...] = ("to_member_id", "channel", "text")
EVENT_COLUMNS: tuple[str, ...] = REQUIRED_EVENT_COLUMNS + OPTIONAL_EVENT_COLUMNS
MEMBER_COLUMNS: tuple[str, ...] = (
    "member_id",
    "joined_at",
    "left_at",
    "is_host",
    "segment",
    "acquisition_channel",
    "acquisition_cost",
    "display_name",
)
#: How many offending rows a load report names for each rule
SHOW_ROWS = 5


class DataValidationError(CommunityLabError, ValueError):
    """Input that breaks the event-log contract and cannot be repaired by a stated rule.

    Attributes
    ----------
    source, column : str
        Where the problem is.
    rows : list
        The first offending row numbers (0-based positions in the source table, or line numbers
        when the loader knows them).
    expected : str
        What the contract expects.
    """

    def __init__(
        self,
        source: str,
        column: str,
        rows: Sequence[Any],
        expected: str,
        n_bad: int,
        *,
        ids: Sequence[Any] = (),
        unit: str = "rows",
    ):
        self.source, self.column, self.rows, self.expected, self.n_bad = (
            source,
            column,
            list(rows),
            expected,
            n_bad,
        )
        self.ids = [str(i) for i in ids]
        shown = ", ".join(str(r) for r in self.rows[:SHOW_ROWS])
        more = f" and {n_bad - SHOW_ROWS} more" if n_bad > SHOW_ROWS else ""
        named = f"; event_id {', '.join(self.ids[:SHOW_ROWS])}" if self.ids else ""
        if n_bad == 0 and not self.rows:  # a problem of the file, an entry or a column, not of rows
            where = column if column.startswith(("(", "line ", "entry ")) else f"'{column}'"
            super().__init__(f"{source}: {where}: expected {expected}")
        else:
            super().__init__(
                f"{source}: column '{column}': {n_bad} row(s) invalid ({unit} {shown}{more}{named}); "
                f"expected {expected}"
            )


@dataclass
class LoadReport:
    """What a load read, what it kept, and every rule it applied.

    Each entry of :attr:`issues` records one rule: how many rows it touched, the first few rows,
    and what was done (``kept``, ``excluded``, ``repaired``). Studies print it so a reader can see
    what was excluded and why.
    """

    source: str
    rows_read: int = 0
    rows_loaded: int = 0
    issues: list[dict[str, Any]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def add(
        self,
        rule: str,
        count: int,
        action: str,
        column: str = "",
        rows: Iterable[Any] = (),
    ) -> None:
        """Record that ``rule`` touched ``count`` rows and what was done about it."""
        if count:
            self.issues.append(
                {
                    "rule": rule,
                    "column": column,
                    "count": int(count),
                    "action": action,
                    "first_rows": [_plain(r) for r in list(rows)[:SHOW_ROWS]],
                }
            )

    def count(self, rule: str) -> int:
        """Rows counted under ``rule`` (0 when the rule never fired)."""
        return sum(i["count"] for i in self.issues if i["rule"] == rule)

    @property
    def excluded(self) -> int:
        """Rows excluded by any rule."""
        return sum(i["count"] for i in self.issues if i["action"] == "excluded")

    def merge(self, other: LoadReport) -> LoadReport:
        """Combine two reports (e.g. the tables of one dump) into a new one."""
        merged = LoadReport(
            source=f"{self.source}; {other.source}",
            rows_read=self.rows_read + other.rows_read,
            rows_loaded=self.rows_loaded + other.rows_loaded,
        )
        merged.issues = [*self.issues, *other.issues]
        merged.notes = [*self.notes, *other.notes]
        return merged

    def to_frame(self) -> pd.DataFrame:
        """One row per rule: ``rule, column, count, action, first_rows``."""
        cols = ["rule", "column", "count", "action", "first_rows"]
        return pd.DataFrame(self.issues, columns=cols)

    @property
    def summary(self) -> pd.DataFrame:
        """One row per rule (as :meth:`to_frame`), with ``rows_read``, ``rows_loaded``,
        ``excluded`` and ``notes`` in ``attrs``. In words: ``str(report)``."""
        out = self.to_frame()
        out.attrs.update(source=self.source, rows_read=self.rows_read, rows_loaded=self.rows_loaded, excluded=self.excluded,
                         notes=list(self.notes))
        return out

    def __str__(self) -> str:
        """Plain-text account for people."""
        lines = [
            f"Load report for {self.source}",
            f"  rows read: {self.rows_read:,}; rows loaded: {self.rows_loaded:,}; "
            f"excluded: {self.excluded:,}",
        ]
        for i in self.issues:
            col = f" [{i['column']}]" if i["column"] else ""
            lines.append(f"  - {i['rule']}{col}: {i['count']:,} row(s), {i['action']}")
        lines += [f"  note: {n}" for n in self.notes]
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        head = (
            f"<p><b>Load report</b> — {self.rows_read:,} rows read, {self.rows_loaded:,} loaded, "
            f"{self.excluded:,} excluded.</p>"
        )
        from communitylab.tables import table

        body = table(self.to_frame().drop(columns="first_rows")).as_raw_html() if self.issues else ""
        import html

        notes = "".join(f"<p><i>{html.escape(str(n))}</i></p>" for n in self.notes)
        return head + body + notes


def _plain(x: Any) -> Any:
    return x.item() if isinstance(x, np.generic) else x


def _fail(source: str, column: str, mask: pd.Series | np.ndarray, expected: str, frame: pd.DataFrame | None = None):
    """Raise for the rows in ``mask``, named by file line (when the loader gave ``_line``) or by
    position, with their event ids."""
    mask = np.asarray(mask, dtype=bool)
    if not mask.any():
        return
    pos = np.flatnonzero(mask)[:SHOW_ROWS]
    unit, rows, ids = "rows", pos.tolist(), []
    if frame is not None:
        if "_line" in frame.columns:
            unit, rows = "lines", [int(v) for v in frame["_line"].iloc[pos]]
        else:
            rows = [_plain(v) for v in frame.index[pos]]
        if column != "event_id" and "event_id" in frame.columns:
            ids = [str(v) for v in frame["event_id"].iloc[pos] if not pd.isna(v)]
    raise DataValidationError(source, column, rows, expected, int(mask.sum()), ids=ids, unit=unit)


def _where(frame: pd.DataFrame, mask: pd.Series | np.ndarray) -> list[Any]:
    """The first rows under ``mask`` as a report names them: ``line 12`` when known, else the position."""
    mask = np.asarray(mask, dtype=bool)
    pos = np.flatnonzero(mask)[:SHOW_ROWS]
    if "_line" in frame.columns:
        return [f"line {int(v)}" for v in frame["_line"].iloc[pos]]
    return [_plain(v) for v in frame.index[pos]]


def _to_utc(
    values: pd.Series, source: str, column: str, report: LoadReport | None, frame: pd.DataFrame | None = None
) -> pd.Series:
    """Parse to timezone-aware UTC. Naive values are taken as UTC (a stated, counted rule); numbers
    are times since 1970 in the unit their magnitude implies (stated in the report)."""
    s = values
    if not pd.api.types.is_numeric_dtype(s) and not pd.api.types.is_datetime64_any_dtype(s) and len(s):
        text = s.dropna().astype("string").str.strip()
        if len(text) and text.str.fullmatch(r"-?\d{9,}(?:\.\d+)?").all():  # epochs written as text (a CSV); 8 digits are YYYYMMDD
            s = pd.to_numeric(s.astype("string").str.strip(), errors="coerce")
    if pd.api.types.is_numeric_dtype(s) and not pd.api.types.is_bool_dtype(s):
        from communitylab.timestamps import epoch_rule, epoch_unit, from_epoch

        unit = epoch_unit(s)
        parsed = from_epoch(s, unit)
        if report is not None:
            report.add(epoch_rule(unit), int(s.notna().sum()), "repaired", column=column)
        _fail(source, column, parsed.isna() & s.notna(), f"a time since 1970 within the representable years (read as {unit})", frame)
        return parsed
    if not isinstance(s.dtype, pd.DatetimeTZDtype) and not pd.api.types.is_datetime64_any_dtype(s):
        try:
            parsed = pd.to_datetime(s, errors="coerce", utc=False, format="mixed")
        except ValueError:  # some values carry a zone, some do not
            text = s.astype("string")
            naive = text.notna() & ~text.str.strip().str.contains(r"(?:Z|[+-]\d\d:?\d\d)$", regex=True).fillna(False)
            if report is not None:
                report.add("naive timestamp taken as UTC", int(naive.sum()), "repaired", column=column)
            parsed = pd.to_datetime(s, errors="coerce", utc=True, format="mixed")
        bad = parsed.isna() & s.notna()
        _fail(source, column, bad, "a date-time such as 2024-05-01T12:00:00Z", frame)
        s = parsed
    if isinstance(s.dtype, pd.DatetimeTZDtype):
        return s.dt.tz_convert("UTC").astype("datetime64[us, UTC]")
    if report is not None:
        report.add(
            "naive timestamp taken as UTC", int(s.notna().sum()), "repaired", column=column
        )
    return s.dt.tz_localize("UTC").astype("datetime64[us, UTC]")


def _as_id(s: pd.Series) -> pd.Series:
    """Ids are strings; integral floats (1.0 from a CSV with gaps) become '1'."""
    if pd.api.types.is_float_dtype(s):
        out = s.map(lambda v: None if pd.isna(v) else (str(int(v)) if float(v).is_integer() else str(v)))
        return out.astype("string")
    return s.astype("string").str.strip().replace("", pd.NA)


def validate_events(
    events: pd.DataFrame,
    source: str = "events",
    *,
    now: pd.Timestamp | None = None,
    report: LoadReport | None = None,
    earliest: str | pd.Timestamp | None = None,
) -> tuple[pd.DataFrame, LoadReport]:
    """Check an events table against the contract and apply the repair rules.

    Parameters
    ----------
    events : DataFrame
        Columns as in the module docstring; extra columns are kept.
    source : str
        Name of the file or table, used in messages.
    now : Timestamp, optional
        Events later than this are "in the future". Defaults to the current time.
    report : LoadReport, optional
        Report to add to (a loader passes its own, with rows it already excluded).
    earliest : date, optional
        Events before this are outside the stated range (default 1990-01-01, or
        ``COMMUNITYLAB_EARLIEST``; see :mod:`communitylab.timestamps`).

    Returns
    -------
    events : DataFrame
        Canonical dtypes (string ids, ``datetime64[us, UTC]``), sorted by ``created_at``.
    report : LoadReport

    Messages name rows by the file's line number when the loader passes it in a ``_line``
    column (and by position otherwise), with their ``event_id``.

    Raises
    ------
    DataValidationError
        A required column is missing (the missing and the found columns are listed); ``event_id`` is empty; ``kind`` is not one of
        ``post, reply, reaction, join, leave``; ``created_at`` is missing or not a date-time; a
        reply or reaction names neither a parent event nor a member replied to.

    Notes
    -----
    Repair rules (each counted in the report):

    * naive timestamps are taken as UTC;
    * a repeated ``event_id``: the first occurrence is kept, the repeats are excluded;
    * numeric timestamps: read as time since 1970 in the unit their magnitude implies (s, ms, µs, ns);
    * timestamps before ``earliest`` (1990-01-01) or more than one day later than ``now``:
      excluded, by reason (placeholders such as 1970-01-01 and clock errors would stretch every
      window; no date is ever turned into another);
    * a post with no ``thread_id``: the post starts its own thread (``thread_id = event_id``);
    * a reply or reaction without ``thread_id``: it inherits its parent's thread when the parent
      is in the data;
    * a reply or reaction earlier than its parent: excluded (a reaction less than a day earlier,
      as exports that date reactions by day give, is moved to its parent's time instead);
    * replies whose parents form a cycle: excluded;
    * a reply or reaction whose thread differs from its parent's: given the thread of the root of
      its parent chain;
    * a parent outside the data: the reply is kept and counted ("parent outside the data"); its
      direction is then read from ``to_member_id`` when given, otherwise it is unknown;
    * a missing ``member_id`` (deleted or anonymous account): kept and counted; per-member metrics
      leave such events out.
    """
    report = report if report is not None else LoadReport(source=source)
    if not isinstance(events, pd.DataFrame):
        raise TypeError(f"{source}: expected a pandas DataFrame, got {type(events).__name__}")
    missing = [c for c in REQUIRED_EVENT_COLUMNS if c not in events.columns]
    if missing:
        raise DataValidationError(
            source, "(columns)", [],
            f"the column(s) {missing} of the event-log contract; found {[str(c) for c in events.columns if c != '_line']}. "
            "Map your columns with columns={'member_id': 'author', ...} (or -p columns in a study), "
            "or name the export's format (-p format slack|discord|discourse|mbox|github|reddit|facebook|twitter|twcs)",
            0,
        )
    df = events.reset_index(drop=True).copy()
    if report.rows_read == 0:
        report.rows_read = len(df)
    for col in ("event_id", "member_id", "thread_id", "parent_id") + tuple(
        c for c in ("to_member_id", "channel") if c in df.columns
    ):
        df[col] = _as_id(df[col])
    _fail(source, "event_id", df["event_id"].isna(), "a non-empty event id", df)

    kind = df["kind"].astype("string").str.strip().str.lower()
    _fail(source, "kind", ~kind.isin(EVENT_KINDS).fillna(False), f"one of {list(EVENT_KINDS)}", df)
    df["kind"] = kind
    _fail(source, "created_at", df["created_at"].isna(), "a timestamp (none given)", df)
    df["created_at"] = _to_utc(df["created_at"], source, "created_at", report, df)

    dup = df["event_id"].duplicated(keep="first")
    report.add("repeated event_id (first kept)", int(dup.sum()), "excluded", "event_id", _where(df, dup))
    df = df.loc[~dup]

    from communitylab.timestamps import FUTURE_TOLERANCE
    from communitylab.timestamps import earliest as lower_bound

    now = pd.Timestamp.now(tz="UTC") if now is None else pd.Timestamp(now)
    now = now.tz_localize("UTC") if now.tzinfo is None else now.tz_convert("UTC")
    low = lower_bound(earliest)
    early = df["created_at"] < low
    report.add(f"date before {low:%Y-%m-%d} (outside the stated range; placeholder dates such as 1970-01-01)",
               int(early.sum()), "excluded", "created_at", _where(df, early))
    future = df["created_at"] > now + FUTURE_TOLERANCE
    report.add("timestamp in the future", int(future.sum()), "excluded", "created_at", _where(df, future))
    df = df.loc[~(early | future)]

    if "to_member_id" not in df.columns:
        df["to_member_id"] = pd.Series(pd.NA, index=df.index, dtype="string")
    is_resp = df["kind"].isin(["reply", "reaction"])
    _fail(
        source,
        "parent_id",
        is_resp & df["parent_id"].isna() & df["to_member_id"].isna(),
        "a parent_id (or to_member_id) for every reply and reaction",
        df,
    )
    no_parent_kinds = df["kind"].isin(["post", "join", "leave"]) & df["parent_id"].notna()
    report.add(
        "parent_id on a post/join/leave (ignored)", int(no_parent_kinds.sum()), "repaired", "parent_id",
        _where(df, no_parent_kinds),
    )
    df.loc[no_parent_kinds, "parent_id"] = pd.NA

    post_no_thread = (df["kind"] == "post") & df["thread_id"].isna()
    df.loc[post_no_thread, "thread_id"] = df.loc[post_no_thread, "event_id"]
    report.add("post without thread_id starts its own thread", int(post_no_thread.sum()), "repaired", "thread_id")

    df = _check_parents(df, report)

    has_parent = df["parent_id"].notna()
    known = df["parent_id"].isin(df["event_id"])
    dangling = has_parent & ~known
    report.add(
        "parent outside the data (kept)", int(dangling.sum()), "kept", "parent_id", _where(df, dangling)
    )
    by_id = df.set_index("event_id")
    fill_to = has_parent & known & df["to_member_id"].isna()
    df.loc[fill_to, "to_member_id"] = df.loc[fill_to, "parent_id"].map(by_id["member_id"])

    anon = df["member_id"].isna()
    report.add(
        "author unknown (deleted or anonymous account; kept, left out of per-member metrics)",
        int(anon.sum()), "kept", "member_id", _where(df, anon),
    )
    df = df.sort_values(["created_at", "event_id"], kind="stable").reset_index(drop=True)
    report_stray_events(df.loc[df["kind"].isin(["post", "reply", "reaction"]), "created_at"], report)
    df = df.drop(columns="_line", errors="ignore")
    order = [c for c in EVENT_COLUMNS if c in df.columns] + [c for c in df.columns if c not in EVENT_COLUMNS]
    df = df[order]
    report.rows_loaded = len(df)
    return df, report


#: The start of the load-report rule :func:`report_stray_events` adds
STRAY_RULE = "isolated stray event"


def report_stray_events(activity: pd.Series, report: LoadReport) -> None:
    """Count in ``report`` the isolated stray events among the times of a log's posts, replies
    and reactions (see :mod:`communitylab.window`), with the active period in a note; a whole-log
    rule, applied once to everything loaded."""
    if not len(activity):
        return
    from communitylab.window import active_span

    span = active_span(activity)
    if span.stray:
        report.add(
            f"{STRAY_RULE}, more than 90 days from the rest (kept; left out of rates): "
            f"{span.stray_first_day:%Y-%m-%d} to {span.stray_last_day:%Y-%m-%d}",
            span.stray, "kept", "created_at",
        )
        report.notes.append(
            f"active period: {span.first_day:%Y-%m-%d} to {span.last_day:%Y-%m-%d}; {span.stray:,} stray event(s) outside it "
            "are left out of rates (rule: communitylab.window)"
        )


def _parent_positions(df: pd.DataFrame) -> np.ndarray:
    """Position of each event's parent in ``df`` (-1: no parent, or a parent outside the data)."""
    pos = pd.Series(np.arange(len(df)), index=pd.Index(df["event_id"].to_numpy()))
    return df["parent_id"].map(pos).fillna(-1).to_numpy(dtype=np.int64)


def _check_parents(df: pd.DataFrame, report: LoadReport) -> pd.DataFrame:
    """The contract's rules on reply structure (each counted):

    * a reply or reaction earlier than its parent is excluded: time cannot run backwards, and it
      would give a negative time to reply; except a reaction less than a day before its parent,
      which comes from exports that date reactions by day (Stack Exchange votes): it is moved to
      its parent's time;
    * replies whose parents form a cycle are excluded (none of them can start the thread);
    * a reply or reaction takes the thread of the root of its parent chain (a missing thread is
      filled, a thread that disagrees with its parent's is repaired).
    """
    parent = _parent_positions(df)
    t = df["created_at"].to_numpy()
    has = parent >= 0
    gap = np.zeros(len(df), dtype="timedelta64[us]")
    gap[has] = t[parent[has]] - t[has]
    late = gap > np.timedelta64(0, "us")
    day_dated = late & (df["kind"] == "reaction").to_numpy() & (gap < np.timedelta64(1, "D"))
    if day_dated.any():
        df = df.copy()
        df.loc[df.index[day_dated], "created_at"] = df["created_at"].to_numpy()[parent[day_dated]]
    report.add("reaction dated before its parent on the same day (reactions dated by day; moved to the parent's time)",
               int(day_dated.sum()), "repaired", "created_at", _where(df, day_dated))
    earlier = late & ~day_dated
    report.add("reply or reaction earlier than its parent (excluded)", int(earlier.sum()), "excluded", "created_at",
               _where(df, earlier))
    if earlier.any():
        df = df.loc[~earlier]
        parent = _parent_positions(df)
    # pointer doubling: after ceil(log2 n) + 1 rounds a chain that ends has reached -1
    n = len(df)
    anc = parent.copy()
    for _ in range(int(np.ceil(np.log2(n + 1))) + 1):
        nxt = np.where(anc >= 0, anc[np.maximum(anc, 0)], -1)
        if np.array_equal(nxt, anc):
            break
        anc = nxt
    loose = np.flatnonzero(anc >= 0)
    if loose.size:  # on a cycle, or leading into one: walk only these few
        on_cycle: set[int] = set()
        done: set[int] = set()
        for start in loose:
            path, seen, cur = [], {}, int(start)
            while cur >= 0 and cur not in done and cur not in seen:
                seen[cur] = len(path)
                path.append(cur)
                cur = int(parent[cur])
            if cur in seen:
                on_cycle.update(path[seen[cur]:])
            done.update(path)
        cyc = np.zeros(n, dtype=bool)
        cyc[list(on_cycle)] = True
        report.add("replies whose parents form a cycle (excluded)", int(cyc.sum()), "excluded", "parent_id", _where(df, cyc))
        df = df.loc[~cyc]
        parent = _parent_positions(df)
    # the root of each chain, by pointer doubling on "top"
    top = np.where(parent >= 0, parent, np.arange(len(df)))
    for _ in range(int(np.ceil(np.log2(len(df) + 1))) + 1):
        nxt = top[top]
        if np.array_equal(nxt, top):
            break
        top = nxt
    th = df["thread_id"].astype("string").reset_index(drop=True)
    root_thread = th.iloc[top].reset_index(drop=True) if len(df) else th
    has = parent >= 0
    root_known = root_thread.notna().to_numpy()
    fill = has & th.isna().to_numpy() & root_known
    differs = has & th.notna().to_numpy() & root_known & th.ne(root_thread).fillna(False).to_numpy(dtype=bool)
    report.add("thread_id taken from the parent", int(fill.sum()), "repaired", "thread_id")
    report.add("reply in another thread than its parent (thread repaired to the parent's)", int(differs.sum()), "repaired",
               "thread_id", _where(df, differs))
    if fill.any() or differs.any():
        df = df.copy()
        fix = fill | differs
        df.loc[df.index[fix], "thread_id"] = root_thread[fix].to_numpy()
    return df


def validate_members(
    members: pd.DataFrame, source: str = "members", report: LoadReport | None = None
) -> tuple[pd.DataFrame, LoadReport]:
    """Check a members table; see the module docstring for its columns.

    Raises
    ------
    DataValidationError
        ``member_id`` missing or repeated; ``is_host`` not boolean; ``joined_at`` / ``left_at``
        not date-times; ``left_at`` before ``joined_at``; negative ``acquisition_cost``.
    """
    report = report if report is not None else LoadReport(source=source)
    if "member_id" not in members.columns:
        raise DataValidationError(source, "member_id", [], "a member_id column", 0)
    df = members.reset_index(drop=True).copy()
    df["member_id"] = _as_id(df["member_id"])
    _fail(source, "member_id", df["member_id"].isna(), "a non-empty member id")
    _fail(source, "member_id", df["member_id"].duplicated(keep=False), "each member once")
    for col in ("joined_at", "left_at"):
        if col in df.columns:
            df[col] = _to_utc(df[col], source, col, report)
    if "is_host" not in df.columns:
        df["is_host"] = False
    host = df["is_host"]
    if not pd.api.types.is_bool_dtype(host):
        mapped = host.astype("string").str.strip().str.lower().map(
            {"true": True, "false": False, "1": True, "0": False, "yes": True, "no": False}
        )
        _fail(source, "is_host", mapped.isna() & host.notna(), "true/false")
        host = mapped.fillna(False)
    df["is_host"] = host.astype(bool)
    if {"joined_at", "left_at"} <= set(df.columns):
        _fail(source, "left_at", df["left_at"] < df["joined_at"], "left_at on or after joined_at")
    if "acquisition_cost" in df.columns:
        cost = pd.to_numeric(df["acquisition_cost"], errors="coerce")
        _fail(source, "acquisition_cost", cost.isna() & df["acquisition_cost"].notna(), "a number")
        _fail(source, "acquisition_cost", cost < 0, "a cost of zero or more")
        df["acquisition_cost"] = cost
    report.rows_loaded = len(df)
    return df, report
