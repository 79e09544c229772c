"""A partitioned Parquet store of events: write once, then query without loading into memory."""

from __future__ import annotations

import json
import os
from pathlib import Path

import ibis
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.fs as pafs
import pyarrow.parquet as pq

from communitylab import locations
from communitylab.community import Community, HostRule
from communitylab.engine import Engine, default_engine, naive_utc
from communitylab.errors import ParameterError
from communitylab.loaders._export import ExportFiles
from communitylab.loaders.registry import Format, register
from communitylab.result_cache import ResultCache
from communitylab.schema import EVENT_COLUMNS, EVENT_KINDS, DataValidationError, LoadReport

__all__ = ["write_store", "open_store", "write_keyed_events", "KEY_FILES"]


_KEYS = "_keys"  # a leading underscore: Spark and pyarrow datasets skip it; ".pq" is outside DuckDB's "**/*.parquet"
_KEY_SETS = {"member": ("members.pq", ("member_id", "to_member_id")), "thread": ("threads.pq", ("thread_id",))}
KEY_COLUMNS = ("member_key", "to_member_key", "thread_key")
#: Each key dictionary's file inside a store and the id columns it keys
KEY_FILES = {kind: (f"{_KEYS}/{file}", columns) for kind, (file, columns) in _KEY_SETS.items()}


#: The store's host ids, kept by :func:`~communitylab.loaders.importing.import_source`; ``open_store``
#: takes them when no ``hosts`` are given
HOSTS_FILE = "_hosts.json"


#: The export formats a store's events were imported from and their host rules, kept by the import
SOURCE_FILE = "_source.json"


def stored_source(path: str | os.PathLike) -> dict | None:
    """What an import recorded of a store's origin (``formats``, ``host_rules``), or None."""
    text = _read_text(locations.join(path, SOURCE_FILE))
    try:
        record = json.loads(text) if text is not None else None
    except ValueError:
        return None
    return record if isinstance(record, dict) and isinstance(record.get("formats"), list) else None


def stored_hosts(path: str | os.PathLike) -> frozenset[str] | None:
    """The hosts an import kept beside a store (a path or URI), or None when there are none."""
    text = _read_text(locations.join(path, HOSTS_FILE))
    return frozenset(json.loads(text)) if text is not None else None


def _read_text(location: str) -> str | None:
    """A small file's text (a path or URI), or None when there is no such file."""
    fs, inside = locations.filesystem(location)
    if fs.get_file_info(inside).type != pafs.FileType.File:
        return None
    with fs.open_input_stream(inside) as f:
        return f.read().decode("utf-8")


def write_store(events: pd.DataFrame, path: str | os.PathLike, *, partition: str = "month") -> Path:
    """Write validated events to ``path/month=YYYY-MM/*.parquet`` (hive partitioning).

    Appending is safe: each call writes new files (one writer at a time). Timestamps are stored as
    naive UTC, and every id and text column of the contract as a string column even when a chunk
    holds no value in it (so that files written by different calls share one schema).

    Each member and thread id is also given an integer key, once, in the store's dictionaries
    (``path/_keys/members.pq`` and ``threads.pq``, columns ``id, key``; an id keeps its key across
    appends), written beside the ids as ``member_key, to_member_key, thread_key``: metrics then
    join and group integers instead of strings. Copy a store whole, dictionaries included.
    """
    path = Path(path)
    frame = _with_keys(naive_utc(events), path)
    return write_keyed_events(frame, path, partition=partition)


def write_keyed_events(frame: pd.DataFrame, path: str | os.PathLike, *, partition: str = "month") -> Path:
    """Write events that already carry their integer keys (``member_key, to_member_key,
    thread_key``, from the store's dictionaries) as :func:`write_store` writes them: for a
    writer that keeps the dictionaries itself (the import of a dump in parts). Timestamps must be
    naive UTC (:func:`~communitylab.engine.naive_utc`)."""
    path = Path(path)
    frame = frame.copy()
    if partition == "month":
        frame["month"] = frame["created_at"].dt.strftime("%Y-%m")
    table = pa.Table.from_pandas(frame, preserve_index=False)
    strings = [c for c in EVENT_COLUMNS if c != "created_at"]
    schema = pa.schema([pa.field(f.name, pa.string()) if f.name in strings and f.type == pa.null() else f for f in table.schema])
    table = table.cast(schema)
    pq.write_to_dataset(table, root_path=str(path), partition_cols=["month"] if partition == "month" else None)
    return path


def open_store(
    path: str | os.PathLike,
    *,
    hosts: HostRule = None,
    members: pd.DataFrame | None = None,
    name: str | None = None,
    engine: Engine | None = None,
    materialize: bool | str = "auto",
    cache: bool = True,
) -> Community:
    """Register a Parquet store (never through pandas) and check its schema.

    ``path`` is a local folder (or one Parquet file) or a URI the engine reads where it is:
    ``file:///shared/store``, ``hdfs://namenode/stores/forum``, ``s3a://bucket/forum`` (for a
    Spark cluster, name it so that every executor can read it).

    ``materialize=True``: DuckDB reads the store once into an engine table, so that each metric
    scans memory instead of files (beyond the engine's memory limit DuckDB spills to disk).
    ``False``: the store stays a lazy Parquet scan (memory stays small at any size). ``"auto"``
    (default): materialize when the core table (see :attr:`Community.core`) fits in DuckDB's memory
    limit, scan otherwise; it is estimated from the row count in the files' footers at 24 bytes a
    row with integer keys (three keys, an ENUM kind, a timestamp, two flags) and 64 without. (On
    the 100M-event benchmark store, 2.4 GB of core table, a 3 GB limit: the health panel took 93 s
    read in and 129 s scanned, the process peaking at 4.2 and 3.9 GB.) Spark always scans.

    Row-level checks run as aggregate queries on the engine: kinds outside the contract and
    repeated event ids raise :class:`~communitylab.schema.DataValidationError` (first ids named).
    They run once per version of the store: when they pass, the store's files (names, sizes,
    modification times), its number of events and the time of its last event are recorded in
    ``_communitylab_checked.json`` inside the store, and a later open whose files match the record
    exactly reads nothing more (a store whose directory cannot be written is simply checked every
    time). Any file added, removed or rewritten, by :func:`write_store` or by hand, makes them
    run again. The core table is read into the engine at its first use (the checks are one).

    ``cache`` (DuckDB, stores of a million events or more): keep the metrics' results on disk,
    so that a later session over the same, unchanged store (same files, hosts, members and code)
    reads them back instead of recomputing them; see :mod:`communitylab.result_cache` (where, how
    it is keyed, how to turn it off for every run with ``COMMUNITYLAB_CACHE=off``).
    """
    try:
        kept = stored_hosts(path) if hosts is None else None
        community = _open_store(path, hosts=kept if kept is not None else hosts, members=members, name=name, engine=engine,
                                materialize=materialize, cache=cache)
        if kept is not None:
            community.report.notes.append(f"hosts: the {len(kept):,} kept by the import ({HOSTS_FILE})")
        origin = stored_source(path)
        if origin is not None:
            formats = [str(f) for f in origin["formats"]]
            community.origin_format = formats[0] if len(formats) == 1 else ""
            community.report.notes.append(f"imported from {', '.join(formats)} ({SOURCE_FILE})")
            if kept is not None and origin.get("host_rules"):
                community.host_rule = "kept by the import: " + "; ".join(map(str, origin["host_rules"]))
        return community
    except (DataValidationError, FileNotFoundError):
        raise
    except Exception as exc:  # Arrow's, DuckDB's and Ibis' errors on files that are not a readable store
        import duckdb
        import pyarrow as pa

        if not isinstance(exc, pa.ArrowException | duckdb.Error | OSError | ValueError | KeyError | TypeError):
            raise
        reason = " ".join(str(exc).split())[:300] or type(exc).__name__
        raise DataValidationError(str(path), "(store)", [], f"a Parquet store of the event-log contract, as write_store writes "
                                  f"({type(exc).__name__}: {reason})", 0) from exc


def _open_store(path, *, hosts, members, name, engine, materialize, cache) -> Community:
    """:func:`open_store` itself (its errors on damaged files are turned into typed ones by the caller)."""
    engine = engine or default_engine()
    files = _store_files(path)
    footers = _footers(path, files)
    keys = _key_dictionaries(path, footers, engine)
    # without keys in every file the store may mix files written before and after keys existed
    table = engine.read_parquet(path, union_by_name=keys is None and files is not None)
    missing = [c for c in EVENT_COLUMNS[:6] if c not in table.columns]
    if missing:
        raise DataValidationError(str(path), ", ".join(missing), [], "the event-log contract's columns", 0)
    for optional in ("to_member_id", "channel"):
        if optional not in table.columns:
            table = table.mutate(**{optional: ibis.null("string")})
    table = table.select([c for c in table.columns if c != "month"])
    if keys is None:
        table = table.select([c for c in table.columns if c not in KEY_COLUMNS])
    if materialize == "auto":
        rows = sum(n for _, n in footers) if footers is not None else _read_metadata(path).num_rows
        materialize = engine.materializes_in_memory and rows * (24 if keys is not None else 64) <= engine.memory_limit_bytes()
    # materialized: the Parquet is read once into the engine with its host flags (beyond the memory
    # limit DuckDB spills to disk), and every metric then scans memory, not files
    community = Community.from_table(table, engine, hosts=hosts, members=members, name=name or locations.basename(path),
                                     materialize=bool(materialize) and engine.materializes_in_memory, keys=keys,
                                     # write_store's files each hold one month, read in the order of their names
                                     time_ordered=bool(files) and all(str(f[0]).startswith("month=") for f in files))
    record = _read_marker(path) if files is not None else None
    if record is not None and record["files"] == files:  # checked before, unchanged since: nothing is read
        n_rows = int(record["rows"])
        community.set_last_event_at(pd.Timestamp(record["last_event_at"], tz="UTC").as_unit("us") if record["last_event_at"] else pd.NaT)
    else:
        n_rows = _check(community, path)
        if files is not None:
            _write_marker(path, files, n_rows, community.last_event_at())
    community.report = LoadReport(source=str(path), rows_read=n_rows, rows_loaded=n_rows)
    community.format = "store"
    if cache and engine.keeps_results:
        community.keep_results(ResultCache.for_store(path, _fingerprint(path, files), events=n_rows, hosts=community.hosts,
                                                     members=members, backend=engine.backend))
    return community


def _check(community: Community, path: str | os.PathLike) -> int:
    """Check every row of an opened store (kinds in the contract, each event id once) and return
    its number of events; reads the last event's time in the same pass."""
    engine, core, table = community.engine, community.core, community.events

    # one pass over the core table checks every row's kind; the details are looked up only when something is wrong
    def bad(t):  # a kind outside the contract, or none (the materialized core stores such kinds as null)
        return t.kind.isnull() | ~t.kind.isin(list(EVENT_KINDS)).fill_null(False)

    row = engine.execute(core.aggregate(rows=core.count(), bad=bad(core).cast("int64").sum(), last=core.created_at.max()))
    community.set_last_event_at(row["last"].iloc[0])  # read in the same pass (see Community.last_event_at)
    check = row[["rows", "bad"]].fillna(0).iloc[0]
    if check["bad"]:
        ids = engine.execute(table.filter(bad(table)).select("event_id").limit(5))["event_id"]
        raise DataValidationError(str(path), "kind", list(ids), f"one of {list(EVENT_KINDS)}", int(check["bad"]))
    # the ids are read from the store itself (the core table holds none)
    ids_check = engine.execute(table.aggregate(ids=table.event_id.nunique(), null_ids=table.event_id.isnull().cast("int64").sum()))
    ids_check = ids_check.fillna(0).iloc[0]
    if ids_check["ids"] + ids_check["null_ids"] < check["rows"]:
        dups = table.group_by("event_id").aggregate(n=table.count()).filter(lambda t: t.n > 1)
        n_dup = engine.execute(dups.count())
        ids = engine.execute(dups.select("event_id").limit(5))["event_id"]
        raise DataValidationError(str(path), "event_id", list(ids), "each event id once", int(n_dup))
    return int(check["rows"])


def _with_keys(frame: pd.DataFrame, path: Path) -> pd.DataFrame:
    """``frame`` with the integer keys of its member and thread ids; new ids are added to the
    store's dictionaries (written before the data files, so that every key in a file is known)."""
    out = frame.copy()
    for kind, (file, columns) in _KEY_SETS.items():
        target = path / _KEYS / file
        known = pq.read_table(target).column("id").to_pandas() if target.exists() else pd.Series([], dtype=object)
        index = pd.Index(known.astype(object))
        present = [out[c] for c in columns if c in out.columns]
        values = pd.concat(present, ignore_index=True).dropna().astype(str).to_numpy(object) if present else np.array([], object)
        new = pd.unique(values[index.get_indexer(values) < 0])  # a hash lookup (Arrow strings' isin goes value by value)
        if len(new):
            index = index.append(pd.Index(new, dtype=object))
            if len(index) >= 2**31:
                raise ParameterError(f"{path}: more than 2**31 distinct {kind} ids; the store's keys are 32-bit")
            target.parent.mkdir(parents=True, exist_ok=True)
            table = pa.table({"id": pa.array(index.to_numpy(object), pa.string()), "key": pa.array(range(len(index)), pa.int32())})
            tmp = target.with_suffix(".tmp")
            pq.write_table(table, tmp)
            tmp.replace(target)
        for c in columns:  # member_id -> member_key, to_member_id -> to_member_key, thread_id -> thread_key
            codes = index.get_indexer(out[c].astype(object)) if c in out.columns else np.full(len(out), -1)
            out[c.replace("_id", "_key")] = pd.Series(codes, index=out.index, dtype="Int32").mask(codes < 0)  # no id: no key
    return out


def _footers(path: str | os.PathLike, files: list[list] | None) -> list[tuple[set[str], int]] | None:
    """Each data file's column names and row count, from its Parquet footer."""
    if files is None:
        return None
    out = []
    for rel, _, _ in files:
        meta = _read_metadata(locations.join(path, rel))
        out.append((set(meta.schema.names), meta.num_rows))
    return out


def _read_metadata(location: str | os.PathLike) -> pq.FileMetaData:
    fs, inside = locations.filesystem(location)
    with fs.open_input_file(inside) as f:
        return pq.read_metadata(f)


def _key_dictionaries(path: str | os.PathLike, footers: list[tuple[set[str], int]] | None, engine: Engine) -> dict[str, ibis.Table] | None:
    """The store's key dictionaries as engine tables, when every data file carries the keys
    (a store written before keys existed, or holding a file added by hand, is read by its ids)."""
    if not footers or not all(set(KEY_COLUMNS) <= names for names, _ in footers):
        return None
    fs, root = locations.filesystem(path)
    infos = fs.get_file_info([f"{root}/{_KEYS}/{f}" for f, _ in _KEY_SETS.values()])
    if any(info.type != pafs.FileType.File for info in infos):
        return None
    return {kind: engine.read_parquet(locations.join(path, _KEYS, f)) for kind, (f, _) in _KEY_SETS.items()}


_MARKER = "_communitylab_checked.json"


def _store_files(path: str | os.PathLike) -> list[list] | None:
    """The store's Parquet files as ``[relative path, size, modification time (ns)]``, sorted (what
    the id-check record compares); ``None`` for a single file (nothing is recorded beside it)."""
    fs, root = locations.filesystem(path)
    if fs.get_file_info(root).type != pafs.FileType.Directory:
        return None
    found = fs.get_file_info(pafs.FileSelector(root, recursive=True))
    return _listing(root, [f for f in found if f.type == pafs.FileType.File and f.base_name.endswith(".parquet")])


def _fingerprint(path: str | os.PathLike, files: list[list] | None) -> list[list]:
    """Every file a store's results depend on (data files and key dictionaries; a single file
    itself) as ``[relative path, size, modification time (ns)]``."""
    fs, root = locations.filesystem(path)
    if files is None:
        return _listing(root.rsplit("/", 1)[0], [fs.get_file_info(root)])
    keys = fs.get_file_info(pafs.FileSelector(f"{root}/{_KEYS}", allow_not_found=True))
    return files + _listing(root, [f for f in keys if f.type == pafs.FileType.File and f.base_name.endswith(".pq")])


def _listing(root: str, found: list[pafs.FileInfo]) -> list[list]:
    """``[path relative to root, size, modification time (ns)]`` of each file found, sorted."""
    prefix = root.rstrip("/") + "/"
    return sorted([f.path[len(prefix):] if f.path.startswith(prefix) else f.base_name, f.size, f.mtime_ns] for f in found)


def _read_marker(path: str | os.PathLike) -> dict | None:
    """The record of the store's last check (``files, rows, last_event_at``), or None."""
    try:
        text = _read_text(locations.join(path, _MARKER))
        record = json.loads(text) if text is not None else None
    except (OSError, ValueError):
        return None
    ok = (isinstance(record, dict) and record.get("version") == 2 and isinstance(record.get("files"), list)
          and isinstance(record.get("rows"), int) and isinstance(record.get("last_event_at"), str | None))
    return record if ok else None  # anything else: checked again (and recorded anew)


def _write_marker(path: str | os.PathLike, files: list[list], rows: int, last: pd.Timestamp) -> None:
    fs, root = locations.filesystem(path)
    target = f"{root}/{_MARKER}"
    try:
        tmp = target + ".tmp"
        last_text = None if pd.isna(last) else pd.Timestamp(last).tz_convert("UTC").tz_localize(None).isoformat()
        with fs.open_output_stream(tmp) as f:
            f.write(json.dumps({"version": 2, "check": "kinds in the contract, event ids unique", "files": files,
                                "rows": rows, "last_event_at": last_text}).encode("utf-8"))
        fs.move(tmp, target)
    except OSError:  # a read-only store is checked on every open
        pass


def _is_store(files: ExportFiles) -> bool:
    return files.path.is_dir() and any(n.endswith(".parquet") for n in files.names())


register(
    Format("store", "A partitioned Parquet store written by write_store (queried without loading)",
              "already in the contract", "given ids", open_store, order=140),
    export=_is_store, priority=30,
)
