"""Where event-log aggregations run: one Ibis definition, DuckDB by default, PySpark when outgrown.

Metrics are written once as Ibis expressions over the events table. :class:`Engine` owns the Ibis
connection, registers pandas frames and Parquet files as tables, and executes expressions back to
pandas with timestamps normalized to timezone-aware UTC (Ibis hands them back as naive UTC).

Timestamps are stored in the engine as naive UTC on every backend (a Spark session is created with
``spark.sql.session.timeZone=UTC``), so the same expression gives the same answer everywhere.
"""

from __future__ import annotations

import itertools
import os
import tempfile
from pathlib import Path
from typing import Any

import ibis
import pandas as pd
import pyarrow as pa

__all__ = ["Engine", "default_engine", "spark_session"]

_names = itertools.count()


def spark_session(master: str = "local[2]", app_name: str = "communitylab", **conf: str) -> Any:
    """Start (or reuse) a Spark session configured for communitylab (UTC clock, no UI).

    Parameters
    ----------
    master : str
        Spark master URL; ``local[2]`` uses two local cores.
    **conf : str
        Extra Spark settings, e.g. ``{"spark.driver.memory": "8g"}``.
    """
    from pyspark.sql import SparkSession

    builder = (
        SparkSession.builder.master(master)
        .appName(app_name)
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "4")
        .config("spark.sql.execution.arrow.pyspark.enabled", "true")
        .config("spark.sql.warehouse.dir", tempfile.mkdtemp(prefix="communitylab-spark-"))
    )
    for key, value in conf.items():
        builder = builder.config(key, value)
    session = builder.getOrCreate()
    session.sparkContext.setLogLevel("ERROR")
    return session


class Engine:
    """An Ibis connection plus the boundary rules for getting data in and out.

    Parameters
    ----------
    backend : {"duckdb", "pyspark"}
        ``duckdb`` (embedded, default) or ``pyspark``.
    memory_limit : str, optional
        DuckDB memory limit such as ``"4GB"``; beyond it DuckDB spills to disk.
    threads : int, optional
        DuckDB worker threads (default: all cores).
    session : pyspark.sql.SparkSession, optional
        For ``pyspark``: an existing session; by default :func:`spark_session` makes one.
    database : str
        DuckDB database file; ``":memory:"`` by default.
    """

    def __init__(
        self,
        backend: str = "duckdb",
        *,
        memory_limit: str | None = None,
        threads: int | None = None,
        session: Any = None,
        database: str = ":memory:",
    ) -> None:
        if backend not in ("duckdb", "pyspark"):
            raise ValueError(f"backend must be 'duckdb' or 'pyspark', not {backend!r}")
        self.backend = backend
        if backend == "duckdb":
            config: dict[str, Any] = {}
            if memory_limit:
                config["memory_limit"] = memory_limit
            if threads:
                config["threads"] = threads
            self.con = ibis.duckdb.connect(database, **config)
        else:
            self.con = ibis.pyspark.connect(session if session is not None else spark_session())

    def __repr__(self) -> str:
        return f"Engine(backend={self.backend!r})"

    def register(self, frame: pd.DataFrame, name: str | None = None) -> ibis.Table:
        """Make a pandas frame a table of this engine (UTC timestamps stored as naive UTC)."""
        name = name or f"cl_{next(_names)}"
        frame = _naive_utc(frame)
        schema = ibis.schema({c: _ibis_type(frame[c]) for c in frame.columns})
        if self.backend == "pyspark":  # a temporary view: nothing is written to a Spark warehouse
            arrow = schema.to_pyarrow()
            table = pa.Table.from_pandas(frame, schema=arrow, preserve_index=False)
            self.con._session.createDataFrame(table).createOrReplaceTempView(name)
            return self.con.table(name)
        return self.con.create_table(name, ibis.memtable(frame, schema=schema), overwrite=True)

    def read_parquet(self, path: str | os.PathLike, name: str | None = None) -> ibis.Table:
        """Register a Parquet file or a directory of Parquet files without reading it into memory."""
        path = Path(path)
        if not path.exists():
            raise FileNotFoundError(f"no Parquet data at {path}")
        target = str(path / "**" / "*.parquet") if path.is_dir() else str(path)
        name = name or f"cl_{next(_names)}"
        if self.backend == "duckdb":
            return self.con.read_parquet(target, table_name=name, hive_partitioning=True)
        return self.con.read_parquet(str(path), table_name=name)

    def execute(self, expr: ibis.Expr) -> Any:
        """Run an expression; tables come back as pandas with UTC-aware timestamps."""
        out = self.con.execute(expr)
        if isinstance(out, pd.DataFrame):
            return _aware_utc(out)
        if isinstance(out, pd.Series):
            return _aware_utc(out.to_frame()).iloc[:, 0]
        if isinstance(out, pd.Timestamp) and out.tzinfo is None:
            return out.tz_localize("UTC")
        return out


def _naive_utc(frame: pd.DataFrame) -> pd.DataFrame:
    out = frame.copy()
    for col in out.columns:
        dtype = out[col].dtype
        if isinstance(dtype, pd.DatetimeTZDtype):
            out[col] = out[col].dt.tz_convert("UTC").dt.tz_localize(None).astype("datetime64[us]")
        elif isinstance(dtype, pd.StringDtype) or pd.api.types.is_object_dtype(dtype):
            out[col] = out[col].astype(object).where(out[col].notna(), None)
    return out


def _ibis_type(col: pd.Series) -> str:
    dtype = col.dtype
    if pd.api.types.is_bool_dtype(dtype):
        return "boolean"
    if pd.api.types.is_integer_dtype(dtype):
        return "int64"
    if pd.api.types.is_float_dtype(dtype):
        return "float64"
    if pd.api.types.is_datetime64_dtype(dtype):
        return "timestamp(6)"
    return "string"


def _aware_utc(frame: pd.DataFrame) -> pd.DataFrame:
    for col in frame.columns:
        if pd.api.types.is_datetime64_dtype(frame[col].dtype) and not isinstance(
            frame[col].dtype, pd.DatetimeTZDtype
        ):
            frame[col] = frame[col].dt.tz_localize("UTC")
    return frame


_DEFAULT: Engine | None = None


def default_engine() -> Engine:
    """The process-wide embedded DuckDB engine, created on first use."""
    global _DEFAULT
    if _DEFAULT is None:
        _DEFAULT = Engine("duckdb", memory_limit=os.environ.get("COMMUNITYLAB_MEMORY_LIMIT"))
    return _DEFAULT
