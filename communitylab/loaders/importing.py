"""Import an export into a Parquet store: ``communitylab import SOURCE STORE``.

The export is loaded by its connector (validated, with its load report), and its events are
appended to the store (:func:`~communitylab.loaders.store.write_store`: hive partitions by month,
integer keys kept across appends). Events already in the store (the same ``event_id``) are not
written twice, so importing the next month's export over an overlapping one is safe. The platform's
hosts are kept beside the data (``_hosts.json``), so :func:`~communitylab.loaders.store.open_store`
knows them without being told, and so is the export's format and host rule (``_source.json``): a
store of a mailing list is compared with mailing lists among the peer communities.

Examples
--------
>>> import tempfile, pathlib
>>> from communitylab.simulate import example_export
>>> store = pathlib.Path(tempfile.mkdtemp()) / "store"
>>> first = import_source(example_export(), store)
>>> again = import_source(example_export(), store)
>>> first.written > 0, again.written, again.already_in_store == first.written
(True, 0, True)
"""

from __future__ import annotations

import json
import os
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

from communitylab.engine import naive_utc
from communitylab.errors import ParameterError
from communitylab.loaders.formats import load_source, sniff_format
from communitylab.loaders.store import (
    HOSTS_FILE,
    KEY_FILES,
    SOURCE_FILE,
    stored_source,
    write_keyed_events,
    write_store,
)
from communitylab.schema import EVENT_COLUMNS, DataValidationError, LoadReport

__all__ = ["ImportResult", "import_source", "PART_MB", "STREAMED"]

#: The formats imported a part at a time (line-oriented dumps whose parts each parse alone)
STREAMED = ("reddit",)
#: The size of each part, in MB of decompressed lines
PART_MB = 32.0

@dataclass
class ImportResult:
    """What an import did: events written, events skipped as already in the store, the hosts kept,
    and the connector's load report."""

    store: Path
    written: int
    already_in_store: int
    hosts: frozenset[str]
    report: LoadReport

    def __str__(self) -> str:
        return (f"{self.written:,} events written to {self.store}, {self.already_in_store:,} already in it; "
                f"{len(self.hosts):,} hosts kept; load report: {self.report.rows_read:,} read, "
                f"{self.report.rows_loaded:,} loaded, {self.report.excluded:,} excluded")


def _data_files(store: Path) -> str | None:
    """The store's data files (key dictionaries aside) as a DuckDB list literal; None when there are none."""
    files = [p for p in store.rglob("*.parquet") if "_keys" not in p.parts] if store.exists() else []
    return "[" + ", ".join(f"'{_quoted(f)}'" for f in files) + "]" if files else None


def _in_store(store: Path, ids: pd.Series, columns: str = "event_id") -> pd.DataFrame:
    """The rows of ``store`` whose event id is one of ``ids`` (``columns`` of them), read by DuckDB
    from the store's files: memory follows ``ids``, not the store."""
    listing = _data_files(store)
    wanted = pa.table({"id": pa.array(pd.unique(ids.dropna().astype(str)), pa.string())})
    if listing is None or not wanted.num_rows:
        return pd.DataFrame({c.strip(): pd.Series(dtype=object) for c in columns.split(",")})
    import duckdb

    with duckdb.connect() as con:
        con.register("wanted", wanted)
        return con.sql(f"SELECT {columns} FROM read_parquet({listing}, union_by_name = true, hive_partitioning = false) "
                       "WHERE event_id IN (SELECT id FROM wanted)").df()


def _write_json(path: Path, value: Any) -> None:
    """``value`` as JSON at ``path``, replaced at once (never half written)."""
    part = path.with_name(f".{path.name}.{os.getpid()}.part")
    part.write_text(json.dumps(value))
    os.replace(part, path)


def import_source(source: str | os.PathLike, store: str | os.PathLike, *, part_mb: float = PART_MB, **options: Any) -> ImportResult:
    """Load ``source`` (any export :func:`~communitylab.loaders.load_source` reads; ``options`` as
    it takes them: ``format``, ``hosts``, ``columns``, ``kinds``, ``start``, ``end``) and append its
    events to the Parquet store ``store`` (created when it does not exist).

    A Reddit JSON Lines dump (plain, ``.gz`` or ``.zst``) is imported a part of about ``part_mb``
    of lines at a time, so that a dump larger than memory goes into the store in bounded memory
    (see :func:`_import_in_parts`); every other export is loaded whole, then written."""
    store = Path(store)
    fmt = options.get("format") or sniff_format(source)
    if fmt in STREAMED and Path(source).is_file() and not any(options.get(k) for k in ("start", "end", "columns", "kinds")):
        written, skipped, hosts, host_rule, report = _import_in_parts(Path(source), store, part_mb=part_mb,
                                                                       hosts=options.get("hosts"), now=options.get("now"))
    else:
        community = load_source(source, **options)
        frame = community.frame if community.frame is not None else community.to_pandas()
        written, skipped = _append(frame, store)
        hosts, host_rule, report, fmt = community.hosts, community.host_rule, community.report, community.format
    hosts_path = store / HOSTS_FILE
    kept = set(json.loads(hosts_path.read_text())) if hosts_path.exists() else set()
    kept |= set(map(str, hosts))
    store.mkdir(parents=True, exist_ok=True)
    _write_json(hosts_path, sorted(kept))
    origin = stored_source(store) or {"formats": [], "host_rules": []}
    for key, value in (("formats", fmt), ("host_rules", host_rule)):
        if value and value not in origin.setdefault(key, []):
            origin[key].append(value)
    _write_json(store / SOURCE_FILE, origin)
    return ImportResult(store, written, skipped, frozenset(kept), report)


def _append(frame: pd.DataFrame, store: Path) -> tuple[int, int]:
    """Write the events of ``frame`` that are not in ``store`` yet; (written, already there)."""
    frame = frame[[c for c in frame.columns if c in EVENT_COLUMNS]]
    known = pd.Index(_in_store(store, frame["event_id"])["event_id"].astype(str).to_numpy(object)).unique()
    fresh = pd.Series(known.get_indexer(frame["event_id"].astype(str).to_numpy(object)) < 0, index=frame.index)
    if fresh.any():
        write_store(frame.loc[fresh].reset_index(drop=True), store)
    return int(fresh.sum()), int((~fresh).sum())


def _import_in_parts(path: Path, store: Path, *, part_mb: float, hosts: Any = None, now: Any = None):
    """A JSON Lines dump imported a part at a time (about ``part_mb`` of decompressed lines each).

    Each part is read by the connector and validated with the whole-log rules, its replies' parents
    from earlier parts (already in the store) given to it as context: their author, time and
    thread, so that addressees, threads and the rule on replies earlier than their parents come out
    as for the whole file at once. The load report adds up the parts' counts, line numbers counted
    in the whole file; stray events are judged once, over every part. A reply whose parent comes
    *later* in the file than the end of its part keeps its parent as outside the data (counted; a
    Pushshift dump is written in time order, so its parents come first). An id given again in a
    later part is a repeated id, as in the whole file; an id the store held before is skipped."""
    from communitylab.loaders._io import open_binary, reading, strip_compression
    from communitylab.loaders.reddit import read_reddit
    from communitylab.schema import STRAY_RULE, report_stray_events, validate_events

    report = LoadReport(source=str(path))
    written = skipped = offset = 0
    found_hosts: set[str] = set()
    host_rule = ""
    times: list[np.ndarray] = []
    given = None if hosts is None else ([hosts] if isinstance(hosts, str) else [str(h) for h in hosts])
    with tempfile.TemporaryDirectory(prefix="communitylab-import-") as tmp, reading(path), open_binary(path) as src, \
            _Seen(store, Path(tmp) / "seen.duckdb") as seen:
        plain = Path(tmp) / strip_compression(path.name)
        for lines in _parts(src, int(part_mb * 2**20), plain):
            try:
                raw = read_reddit(plain)
                _shift_lines(raw.report, plain.name, path.name, offset)
                context = seen.parents_of(raw.events)
                frame, part = validate_events(pd.concat([context, raw.events], ignore_index=True), str(path), now=now,
                                              report=raw.report)
            except DataValidationError as exc:  # named by the user's file and the part's lines, not the temporary file
                raise DataValidationError(f"{path} (lines {offset + 1:,} to {offset + lines:,})", exc.column, exc.rows,
                                          exc.expected, exc.n_bad, ids=exc.ids) from exc
            offset += lines
            in_context = pd.Index(context["event_id"].to_numpy(object)).get_indexer(frame["event_id"].to_numpy(object)) >= 0
            frame = frame.loc[~in_context].copy()
            frame["to_member_id"] = frame["to_member_id"].mask(frame["to_member_id"] == _UNKNOWN_AUTHOR)
            fresh, repeated = seen.fresh(frame)
            # an id of an earlier part of this file is a repeated id, as in the whole file (the store's own are skipped)
            part.add(_REPEATED, int(repeated.sum()), "excluded", "event_id", frame.loc[repeated, "event_id"].head().tolist())
            frame, fresh = frame.loc[~repeated], fresh[~repeated]
            part.issues = [i for i in part.issues if not i["rule"].startswith(STRAY_RULE)]
            part.notes = [n for n in part.notes if not n.startswith("active period:")]
            part.rows_loaded = len(frame)
            _add_up(report, part)
            active = frame.loc[frame["kind"].isin(["post", "reply", "reaction"]), "created_at"]
            times.append(active.dt.tz_convert("UTC").dt.tz_localize(None).to_numpy("datetime64[us]"))  # 8 bytes each, not a Timestamp
            if fresh.any():
                new = naive_utc(frame.loc[fresh, [c for c in frame.columns if c in EVENT_COLUMNS]].reset_index(drop=True))
                write_keyed_events(seen.with_keys(new, store), store)
                seen.add(frame.loc[fresh])
            written, skipped = written + int(fresh.sum()), skipped + int((~fresh).sum())
            found_hosts |= set(raw.hosts)
            host_rule = raw.host_rule
    activity = pd.Series(np.concatenate(times) if times else np.array([], dtype="datetime64[us]"))
    report_stray_events(pd.to_datetime(activity, utc=True), report)
    report.notes.append(f"imported in parts of {part_mb:g} MB ({len(times)} part(s)), parents in earlier parts read back from the store")
    if given is not None:
        report.notes.append(f"hosts given by the user ({len(given)}) replace the platform's rule")
        return written, skipped, frozenset(given), "given by the user", report
    return written, skipped, frozenset(found_hosts), host_rule, report


def _parts(src, size: int, target: Path):
    """Write whole lines of ``src`` to ``target`` a part of about ``size`` bytes at a time (a part
    ends with the line that reaches the size); yield each part's number of lines once it is
    written. Blocks of 8 MB are read: memory stays small whatever the part size."""
    rest, written, lines = b"", 0, 0
    out = open(target, "wb")  # noqa: SIM115 - closed and reopened at each part
    try:
        while True:
            block = src.read(8 << 20)
            data = rest + block
            end = data.rfind(b"\n") + 1 if block else len(data)  # at the end, an unterminated last line too
            rest, pos = data[end:], 0
            while pos < end:
                cut = data.find(b"\n", pos + max(size - written, 1) - 1, end) + 1 or end
                piece = data[pos:cut]
                out.write(piece)
                written += len(piece)
                lines += piece.count(b"\n") + (not block and cut == end and not piece.endswith(b"\n"))
                pos = cut
                if written >= size:
                    out.close()
                    yield lines
                    out = open(target, "wb")  # noqa: SIM115
                    written = lines = 0
            if not block:
                break
        if written:
            out.close()
            yield lines
    finally:
        out.close()


_UNKNOWN_AUTHOR = "\x00unknown author"
#: The load-report rule of an event id given twice (the contract's own, :func:`~communitylab.schema.validate_events`)
_REPEATED = "repeated event_id (first kept)"


def _quoted(path: Path) -> str:
    """A path inside a single-quoted SQL string."""
    return str(path).replace("'", "''")


class _Seen:
    """The events of the store and of this import so far (id, author, time, thread), in a DuckDB
    database on disk of its own: what the parts look their parents and repeated ids up in, with
    DuckDB's memory limited (it spills beyond it), however large the store grows."""

    def __init__(self, store: Path, database: Path) -> None:
        import duckdb

        self.con = duckdb.connect(str(database), config={"memory_limit": "256MB", "threads": 1,
                                                          "preserve_insertion_order": False})
        for kind, (file, _) in KEY_FILES.items():  # the store's key dictionaries, extended here part by part
            if (store / file).exists():
                self.con.execute(f"CREATE TABLE {kind}_keys AS SELECT id, key FROM read_parquet('{_quoted(store / file)}')")
            else:
                self.con.execute(f"CREATE TABLE {kind}_keys (id VARCHAR, key INTEGER)")
        listing = _data_files(store)
        if listing is not None:
            self.con.execute("CREATE TABLE seen AS SELECT event_id, member_id, created_at::TIMESTAMP AS created_at, thread_id, "
                             f"false AS imported FROM read_parquet({listing}, union_by_name = true, hive_partitioning = false)")
        else:
            self.con.execute("CREATE TABLE seen (event_id VARCHAR, member_id VARCHAR, created_at TIMESTAMP, thread_id VARCHAR, "
                             "imported BOOLEAN)")

    def __enter__(self) -> _Seen:
        return self

    def __exit__(self, *exc: object) -> None:
        self.con.close()

    def _lookup(self, ids: np.ndarray, columns: str) -> pd.DataFrame:
        wanted = pa.table({"id": pa.array(pd.unique(ids), pa.string())})
        self.con.register("wanted", wanted)
        try:
            return self.con.sql(f"SELECT {columns} FROM seen WHERE event_id IN (SELECT id FROM wanted)").df()
        finally:
            self.con.unregister("wanted")

    def parents_of(self, events: pd.DataFrame) -> pd.DataFrame:
        """The parents of ``events`` that are not among them but seen before: as posts carrying
        their author, time and thread, for the whole-log rules to read (then left out again). A
        parent by an unknown author stands in under a name no member has (not counted again as
        unknown; its replies' addressee is set back to unknown after the rules ran)."""
        outside = events["parent_id"].dropna().to_numpy(object)
        outside = outside[pd.Index(events["event_id"].to_numpy(object)).unique().get_indexer(outside) < 0]
        found = self._lookup(outside, "event_id, member_id, created_at, thread_id")
        context = pd.DataFrame({"event_id": found["event_id"], "member_id": found["member_id"].fillna(_UNKNOWN_AUTHOR),
                                "kind": "post", "created_at": pd.to_datetime(found["created_at"]).dt.tz_localize("UTC"),
                                "thread_id": found["thread_id"], "parent_id": None})
        return context.astype({c: "string" for c in ("event_id", "member_id", "kind", "thread_id", "parent_id")})

    def fresh(self, frame: pd.DataFrame) -> tuple[pd.Series, pd.Series]:
        """Which events of ``frame`` were not seen before, and which were seen earlier in this import."""
        ids = frame["event_id"].astype(str).to_numpy(object)
        found = self._lookup(ids, "event_id, imported")
        known = pd.Index(found["event_id"].to_numpy(object))
        here = pd.Index(found.loc[found["imported"].astype(bool), "event_id"].to_numpy(object))
        return (pd.Series(known.get_indexer(ids) < 0, index=frame.index),
                pd.Series(here.get_indexer(ids) >= 0, index=frame.index))

    def with_keys(self, frame: pd.DataFrame, store: Path) -> pd.DataFrame:
        """``frame`` with the integer keys of its member and thread ids, as write_store gives them:
        new ids get the next keys, and the store's dictionary is rewritten (by DuckDB, before the
        data files, so that every key in a file is known) whenever it grew."""
        out = frame.copy()
        for kind, (file, columns) in KEY_FILES.items():
            present = [c for c in columns if c in out.columns]
            values = pd.concat([out[c] for c in present], ignore_index=True).dropna().astype(str).to_numpy(object)
            ids = pa.table({"id": pa.array(pd.unique(values), pa.string())})
            ids = ids.append_column("ord", pa.array(np.arange(ids.num_rows, dtype=np.int64)))
            self.con.register("ids", ids)
            try:
                added = self.con.execute(
                    f"INSERT INTO {kind}_keys SELECT id, (SELECT coalesce(max(key), -1) FROM {kind}_keys) + row_number() OVER (ORDER BY ord) "
                    f"FROM ids WHERE id NOT IN (SELECT id FROM {kind}_keys)").fetchall()[0][0]
            finally:
                self.con.unregister("ids")
            size = self.con.execute(f"SELECT count(*) FROM {kind}_keys").fetchall()[0][0]
            if size >= 2**31:
                raise ParameterError(f"{store}: more than 2**31 distinct {kind} ids; the store's keys are 32-bit")
            if added:
                target = store / file
                target.parent.mkdir(parents=True, exist_ok=True)
                tmp = target.with_suffix(".tmp")
                self.con.execute(f"COPY (SELECT id, key::INTEGER AS key FROM {kind}_keys ORDER BY key) TO '{_quoted(tmp)}' (FORMAT parquet)")
                tmp.replace(target)
            for c in columns:  # member_id -> member_key, ... (no id: no key)
                rows = pa.table({"pos": pa.array(np.arange(len(out), dtype=np.int64)),
                                 "id": pa.array(out[c].astype(object).where(out[c].notna(), None) if c in out.columns
                                                else [None] * len(out), pa.string())})
                self.con.register("rows", rows)
                try:
                    keys = self.con.sql(f"SELECT k.key FROM rows LEFT JOIN {kind}_keys k ON rows.id = k.id ORDER BY rows.pos").df()["key"]
                finally:
                    self.con.unregister("rows")
                out[c.replace("_id", "_key")] = pd.array(keys.to_numpy(), dtype="Int32")
        return out

    def add(self, frame: pd.DataFrame) -> None:
        rows = pa.table({"event_id": pa.array(frame["event_id"].astype(str).to_numpy(object), pa.string()),
                         "member_id": pa.array(frame["member_id"].astype(object).where(frame["member_id"].notna(), None), pa.string()),
                         "created_at": pa.array(frame["created_at"].dt.tz_convert("UTC").dt.tz_localize(None).astype("datetime64[us]")),
                         "thread_id": pa.array(frame["thread_id"].astype(object).where(frame["thread_id"].notna(), None), pa.string())})
        self.con.register("rows", rows)
        try:
            self.con.execute("INSERT INTO seen SELECT *, true FROM rows")
        finally:
            self.con.unregister("rows")


def _shift_lines(report: LoadReport, part_name: str, name: str, offset: int) -> None:
    """Rows named ``<part> line N`` in a part's report, renamed ``<name> line N + offset``."""
    pattern = re.compile(rf"^{re.escape(part_name)} line (\d+)$")
    for issue in report.issues:
        issue["first_rows"] = [pattern.sub(lambda m: f"{name} line {int(m.group(1)) + offset}", r) if isinstance(r, str) else r
                               for r in issue["first_rows"]]


def _add_up(total: LoadReport, part: LoadReport) -> None:
    """Add a part's counts to the import's report (the first rows of each rule kept, up to the
    report's limit)."""
    from communitylab.schema import SHOW_ROWS

    total.rows_read += part.rows_read
    total.rows_loaded += part.rows_loaded
    for issue in part.issues:
        same = next((i for i in total.issues if (i["rule"], i["column"], i["action"]) == (issue["rule"], issue["column"], issue["action"])), None)
        if same is None:
            total.issues.append({**issue, "first_rows": list(issue["first_rows"])})
        else:
            same["count"] += issue["count"]
            same["first_rows"] = (same["first_rows"] + issue["first_rows"])[:SHOW_ROWS]
    total.notes.extend(n for n in part.notes if n not in total.notes)
