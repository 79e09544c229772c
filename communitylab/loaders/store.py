"""A partitioned Parquet store of events: write once, then query without loading into memory."""

from __future__ import annotations

import json
import os
from pathlib import Path

import ibis
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from communitylab.community import Community, HostRule
from communitylab.engine import Engine, _naive_utc, default_engine
from communitylab.schema import EVENT_COLUMNS, EVENT_KINDS, DataValidationError, LoadReport

__all__ = ["write_store", "open_store"]


def write_store(events: pd.DataFrame, path: str | os.PathLike, *, partition: str = "month") -> Path:
    """Write validated events to ``path/month=YYYY-MM/*.parquet`` (hive partitioning).

    Appending is safe: each call writes new files. Timestamps are stored as naive UTC, and every
    id and text column of the contract as a string column even when a chunk holds no value in it
    (so that files written by different calls share one schema).
    """
    path = Path(path)
    frame = _naive_utc(events)
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
) -> Community:
    """Register a Parquet store (never through pandas) and check its schema.

    ``materialize=True``: DuckDB reads the store once into an engine table, so that each metric
    scans memory instead of files (beyond the engine's memory limit DuckDB spills to disk).
    ``False``: the store stays a lazy Parquet scan (memory stays small at any size). ``"auto"``
    (default): materialize when the store's files take at most a quarter of DuckDB's memory limit
    (a compressed store grows about threefold in memory), scan otherwise. Spark always scans.

    Row-level checks run as aggregate queries on the engine: kinds outside the contract and
    repeated event ids raise :class:`~communitylab.schema.DataValidationError` (first ids named).
    The costliest check, that every event id is unique, runs once per version of the store: when it
    passes, the store's files (names, sizes, modification times) are recorded in
    ``_communitylab_checked.json`` inside the store, and a later open whose files match the record
    exactly skips it (a store whose directory cannot be written is simply checked every time).
    Any file added, removed or rewritten, by :func:`write_store` or by hand, makes it run again.
    """
    engine = engine or default_engine()
    table = engine.read_parquet(path)
    missing = [c for c in EVENT_COLUMNS[:6] if c not in table.columns]
    if missing:
        raise DataValidationError(str(path), ", ".join(missing), [], "the event-log contract's columns", 0)
    for optional in ("to_member_id", "channel"):
        if optional not in table.columns:
            table = table.mutate(**{optional: ibis.null("string")})
    table = table.select([c for c in table.columns if c != "month"])
    files = _store_files(path)
    if materialize == "auto":
        size = sum(f[1] for f in files) if files is not None else Path(path).stat().st_size
        materialize = engine.backend == "duckdb" and size * 4 <= engine.memory_limit_bytes()
    # materialized: the Parquet is read once into the engine with its host flags (beyond the memory
    # limit DuckDB spills to disk), and every metric then scans memory, not files
    community = Community.from_table(table, engine, hosts=hosts, members=members, name=name or Path(path).name,
                                     materialize=bool(materialize) and engine.backend == "duckdb")
    table = community.events
    # one pass checks the whole store; the details are looked up only when something is wrong
    bad_kind = ~table.kind.isin(list(EVENT_KINDS))
    unique_known = files is not None and _read_marker(path) == files
    checks = {"rows": table.count(), "bad": bad_kind.cast("int64").sum()}
    if not unique_known:
        checks |= {"ids": table.event_id.nunique(), "null_ids": table.event_id.isnull().cast("int64").sum()}
    check = engine.execute(table.aggregate(**checks)).fillna(0).iloc[0]
    if check["bad"]:
        ids = engine.execute(table.filter(bad_kind).select("event_id").limit(5))["event_id"]
        raise DataValidationError(str(path), "kind", list(ids), f"one of {list(EVENT_KINDS)}", int(check["bad"]))
    if not unique_known and check["ids"] + check["null_ids"] < check["rows"]:
        dups = table.group_by("event_id").aggregate(n=table.count()).filter(lambda t: t.n > 1)
        n_dup = engine.execute(dups.count())
        ids = engine.execute(dups.select("event_id").limit(5))["event_id"]
        raise DataValidationError(str(path), "event_id", list(ids), "each event id once", int(n_dup))
    if not unique_known and files is not None:
        _write_marker(path, files)
    n_rows = int(check["rows"])
    community.report = LoadReport(source=str(path), rows_read=n_rows, rows_loaded=n_rows)
    return community


_MARKER = "_communitylab_checked.json"


def _store_files(path: str | os.PathLike) -> list[list] | None:
    """The store's Parquet files as ``[relative path, size, modification time (ns)]``, sorted (what
    the id-check record compares); ``None`` for a single file (nothing is recorded beside it)."""
    root = Path(path)
    if not root.is_dir():
        return None
    out = []
    for f in sorted(root.rglob("*.parquet")):
        st = f.stat()
        out.append([f.relative_to(root).as_posix(), st.st_size, st.st_mtime_ns])
    return out


def _read_marker(path: str | os.PathLike) -> list[list] | None:
    try:
        record = json.loads((Path(path) / _MARKER).read_text())
    except (OSError, ValueError):
        return None
    return record.get("files") if isinstance(record, dict) and record.get("version") == 1 else None


def _write_marker(path: str | os.PathLike, files: list[list]) -> None:
    target = Path(path) / _MARKER
    try:
        tmp = target.with_suffix(".tmp")
        tmp.write_text(json.dumps({"version": 1, "check": "event ids unique", "files": files}))
        tmp.replace(target)
    except OSError:  # a read-only store is checked on every open
        pass
