"""A partitioned Parquet store of events: write once, then query without loading into memory."""

from __future__ import annotations

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

    Appending is safe: each call writes new files. Timestamps are stored as naive UTC.
    """
    path = Path(path)
    frame = _naive_utc(events)
    if partition == "month":
        frame["month"] = frame["created_at"].dt.strftime("%Y-%m")
    table = pa.Table.from_pandas(frame, preserve_index=False)
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
    if materialize == "auto":
        materialize = engine.backend == "duckdb" and _store_bytes(path) * 4 <= engine.memory_limit_bytes()
    # materialized: the Parquet is read once into the engine with its host flags (beyond the memory
    # limit DuckDB spills to disk), and every metric then scans memory, not files
    community = Community.from_table(table, engine, hosts=hosts, members=members, name=name or Path(path).name,
                                     materialize=bool(materialize) and engine.backend == "duckdb")
    table = community.events
    # one pass checks the whole store; the details are looked up only when something is wrong
    bad_kind = ~table.kind.isin(list(EVENT_KINDS))
    check = engine.execute(table.aggregate(rows=table.count(), bad=bad_kind.cast("int64").sum(), ids=table.event_id.nunique(),
                                           null_ids=table.event_id.isnull().cast("int64").sum())).fillna(0).iloc[0]
    if check["bad"]:
        ids = engine.execute(table.filter(bad_kind).select("event_id").limit(5))["event_id"]
        raise DataValidationError(str(path), "kind", list(ids), f"one of {list(EVENT_KINDS)}", int(check["bad"]))
    if check["ids"] + check["null_ids"] < check["rows"]:
        dups = table.group_by("event_id").aggregate(n=table.count()).filter(lambda t: t.n > 1)
        n_dup = engine.execute(dups.count())
        ids = engine.execute(dups.select("event_id").limit(5))["event_id"]
        raise DataValidationError(str(path), "event_id", list(ids), "each event id once", int(n_dup))
    n_rows = int(check["rows"])
    community.report = LoadReport(source=str(path), rows_read=n_rows, rows_loaded=n_rows)
    return community


def _store_bytes(path: str | os.PathLike) -> int:
    root = Path(path)
    files = [root] if root.is_file() else root.rglob("*.parquet")
    return sum(f.stat().st_size for f in files)

