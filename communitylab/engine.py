"""Where event-log aggregations run: one Ibis definition, DuckDB by default, PySpark when outgrown.

Metrics are written once as Ibis expressions over the events table. :class:`Engine` owns the Ibis
connection, registers pandas frames and Parquet files as tables, and executes expressions back to
pandas with timestamps normalized to timezone-aware UTC (Ibis hands them back as naive UTC).

Timestamps are stored in the engine as naive UTC on every backend (a Spark session is created with
``spark.sql.session.timeZone=UTC``), so the same expression gives the same answer everywhere.

Only public Ibis and Spark APIs are used. DuckDB tables are created with ``create_table``. On
Spark, where executors may run on other machines and never see the driver's disk, a table made in
Python reaches them through the session (``ibis.memtable``, which Spark ships itself) up to
``ship_limit_mb``, and as Parquet in a scratch folder every executor can read beyond it (see
:class:`SparkEngine`); stores are read where they are (a path or a ``file://``, ``hdfs://`` or
``s3a://`` URI).

Pointing the studies at another engine
--------------------------------------
The studies use :func:`default_engine`, which reads the environment:

``COMMUNITYLAB_ENGINE``
    ``duckdb`` (default) or ``pyspark``.
``COMMUNITYLAB_SPARK_MASTER``
    Spark master URL for ``pyspark`` (default ``local[2]``), e.g. ``spark://host:7077``, or a Spark
    Connect server, ``sc://host:15002``.
``COMMUNITYLAB_SPARK_SCRATCH``
    A folder every executor can read and the driver can write (``file:///shared/...``,
    ``hdfs://...``, ``s3a://...``), for tables too large to ship through the session.
``COMMUNITYLAB_SPARK_CONF``
    Extra Spark settings as JSON, e.g. ``{"spark.driver.memory": "8g"}``.
``COMMUNITYLAB_MEMORY_LIMIT``, ``COMMUNITYLAB_THREADS``, ``COMMUNITYLAB_TEMP_DIRECTORY``
    DuckDB's memory limit (beyond it, it spills to the temporary directory) and worker threads.

In Python, any Ibis connection can be wrapped (:meth:`Engine.from_connection`), e.g. a
Databricks-style session: ``Engine.from_connection(ibis.pyspark.connect(spark))``.
"""

from __future__ import annotations

import atexit
import contextlib
import itertools
import json
import os
import shutil
import socket
import tempfile
import threading
import time
import uuid
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import ibis
import ibis.expr.datatypes as dt
import ibis.expr.operations as ops
import pandas as pd
import pyarrow as pa

from communitylab import locations
from communitylab.errors import EngineUnavailable, ParameterError

__all__ = ["Engine", "DuckDBEngine", "SparkEngine", "default_engine", "engine_from_environment", "spark_session", "check_reachable",
           "naive_utc"]

_names = itertools.count()

#: The settings every DuckDB connection of an :class:`Engine` starts with (before the memory limit,
#: threads and temporary directory it is given); the benchmark's hand-written queries run with them too.
DUCKDB_SETTINGS: dict[str, Any] = {
    "preserve_insertion_order": False,  # lets DuckDB stream large aggregations
    # the allocator's background thread hands memory freed by one query back to the system while
    # the next runs (a lower peak, same time: README, "DuckDB's settings")
    "allocator_background_threads": True,
    # a grouping on an integer key spanning at most 2**22 values (a store's member keys) runs as a
    # perfect hash aggregate, an array indexed by the key (DuckDB's default stops at 2**12): faster
    # per-member aggregates at the cost of memory that cannot spill (measured in the README); wider
    # ranges (thread keys) keep the hash table, which can spill
    "perfect_ht_threshold": 22,
}


# microseconds since the epoch, by each backend's own builtin (Ibis' public builtin-UDF API)
@ibis.udf.scalar.builtin(name="epoch_us")
def _epoch_us_duckdb(ts: dt.timestamp) -> dt.int64: ...


@ibis.udf.scalar.builtin(name="unix_micros")
def _epoch_us_spark(ts: dt.timestamp) -> dt.int64: ...


# and back: the (naive UTC) timestamp of a count of microseconds since the epoch
@ibis.udf.scalar.builtin(name="make_timestamp")
def _from_epoch_us_duckdb(us: dt.int64) -> dt.timestamp: ...


@ibis.udf.scalar.builtin(name="timestamp_micros")
def _from_epoch_us_spark(us: dt.int64) -> dt.timestamp: ...


def spark_session(master: str = "local[2]", app_name: str = "communitylab", *, timeout: float = 60.0, **conf: str) -> Any:
    """Start (or reuse) a Spark session configured for communitylab (UTC clock, no UI).

    Parameters
    ----------
    master : str
        Spark master URL: ``local[2]`` (two local cores), ``spark://host:7077`` (a standalone
        cluster; ``spark://h1:7077,h2:7077`` for standby masters), ``yarn``, ``k8s://...``, or a
        Spark Connect server, ``sc://host:15002``.
    timeout : float
        Seconds within which a cluster must answer and give the application an executor.
    **conf : str
        Extra Spark settings, e.g. ``**{"spark.driver.memory": "8g"}``. (On Spark Connect only
        settings a session may change are accepted; the server's own are set where it starts.)

    Raises
    ------
    EngineUnavailable
        Within ``timeout``: when no master (or Connect server) answers at ``master``, or when the
        cluster accepts the application but gives it no executor (no worker registered, or none
        with the cores and memory asked for).

    Examples
    --------
    >>> spark_session("spark://127.0.0.1:9", timeout=5)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    communitylab.errors.EngineUnavailable: no Spark master answers at spark://127.0.0.1:9 ...
    """
    from pyspark.sql import SparkSession

    started = time.monotonic()
    check_reachable(master, timeout)
    settings = {"spark.sql.session.timeZone": "UTC", "spark.sql.shuffle.partitions": "4", **conf}
    if master.startswith("sc://"):
        session = SparkSession.builder.remote(master).getOrCreate()
        for key, value in settings.items():
            try:
                session.conf.set(key, value)
            except Exception as exc:  # Spark Connect refuses the server's own (static) settings
                raise ParameterError(f"Spark Connect session at {master}: {key} cannot be changed by a client "
                                     f"(set it where the server starts, e.g. start-connect-server.sh --conf {key}=...): "
                                     f"{' '.join(str(exc).split())[:200]}") from exc
    else:
        builder = (
            SparkSession.builder.master(master)
            .appName(app_name)
            .config("spark.ui.enabled", "false")
            .config("spark.ui.showConsoleProgress", "false")  # no stage bars on stderr
            .config("spark.sql.execution.arrow.pyspark.enabled", "true")
            .config("spark.sql.warehouse.dir", tempfile.mkdtemp(prefix="communitylab-spark-"))
        )
        for key, value in settings.items():
            builder = builder.config(key, value)
        session = builder.getOrCreate()
        session.sparkContext.setLogLevel("ERROR")
    if not master.startswith("local"):
        _check_executors(session, master, timeout, waited=time.monotonic() - started)
    return session


def check_reachable(master: str, timeout: float) -> None:
    """Raise :class:`EngineUnavailable` unless some master named by a ``spark://`` or ``sc://`` URL
    accepts a connection within ``timeout`` seconds (at most 10 a master); other masters (``local``,
    ``yarn``, ``k8s://``) are found by Spark's own configuration and pass.

    Examples
    --------
    >>> check_reachable("local[2]", timeout=1)
    >>> check_reachable("sc://127.0.0.1:9", timeout=1)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    communitylab.errors.EngineUnavailable: no Spark master answers at sc://127.0.0.1:9 (127.0.0.1:9: Connection refused); ...
    """
    scheme, _, rest = master.partition("://")
    if scheme not in ("spark", "sc"):
        return
    errors = []
    for hostport in rest.split("/")[0].split(";")[0].split(","):
        host, sep, port = hostport.rpartition(":")
        if not sep or not port.isdigit():  # no port given: the scheme's own
            host, port = hostport, "15002" if scheme == "sc" else "7077"
        try:
            with socket.create_connection((host.strip("[]"), int(port)), timeout=min(10.0, max(timeout, 1.0))):
                return
        except OSError as exc:
            errors.append(f"{host}:{port}: {exc.strerror or type(exc).__name__}")
    raise EngineUnavailable(f"no Spark master answers at {master} ({'; '.join(errors)}); check the URL "
                            "(spark://host:7077 for a standalone master, sc://host:15002 for Spark Connect) "
                            "and that the master runs and accepts connections from this machine")


def _check_executors(session: Any, master: str, timeout: float, *, waited: float = 0.0) -> None:
    """Run a one-row job; if the cluster gives it no executor within ``timeout`` seconds (``waited``
    of them spent already), cancel it, stop the session and raise :class:`EngineUnavailable`
    (Spark itself would wait for ever)."""
    outcome: dict[str, Any] = {}

    def probe() -> None:
        try:
            outcome["rows"] = session.range(1).count()
        except Exception as exc:  # noqa: BLE001 - reported below, with the master named
            outcome["error"] = exc

    worker = threading.Thread(target=probe, daemon=True)
    worker.start()
    worker.join(max(timeout - waited, 1.0))
    if "rows" in outcome:
        return
    timed_out = worker.is_alive()  # read before the cancel below ends the job with an error of its own
    with contextlib.suppress(Exception):  # best effort: the job waits for an executor that never comes
        session.interruptAll() if _is_connect(session) else session.sparkContext.cancelAllJobs()
    with contextlib.suppress(Exception):
        session.stop()
    if not timed_out:
        reason = " ".join(str(outcome["error"]).split())[:300]
        raise EngineUnavailable(f"the Spark cluster at {master} could not run a one-row job: {reason}") from outcome["error"]
    raise EngineUnavailable(f"the Spark cluster at {master} accepted the application but gave it no executor within "
                            f"{timeout:.0f} s: are workers registered with the master, with free cores and the memory "
                            "asked for (spark.executor.memory, spark.cores.max)?")


def _is_connect(session: Any) -> bool:
    """Whether a Spark session (or DataFrame) is a Spark Connect client's."""
    return type(session).__module__.startswith("pyspark.sql.connect")


class Engine:
    """An Ibis connection plus the boundary rules for getting data in and out.

    ``Engine("duckdb")`` (the default) gives a :class:`DuckDBEngine`, ``Engine("pyspark")`` a
    :class:`SparkEngine`: one class per backend, as Ibis has, each answering the same interface;
    nothing outside these classes tests the backend's name. What differs is said by methods and
    capabilities: ``reads_parts_by_time`` (a time-ordered store is read a part at a time),
    ``keeps_results`` (results kept between sessions), ``materializes_in_memory`` (a store read
    once into the engine).

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

    Examples
    --------
    >>> engine = Engine()
    >>> type(engine).__name__, engine.backend, engine.keeps_results
    ('DuckDBEngine', 'duckdb', True)
    """

    backend: str = ""
    reads_parts_by_time: bool = False
    keeps_results: bool = False
    materializes_in_memory: bool = False

    def __new__(cls, backend: str = "duckdb", **kwargs: Any) -> Engine:
        if cls is Engine:
            if backend not in _BACKENDS:
                raise ParameterError(f"backend must be 'duckdb' or 'pyspark', not {backend!r}")
            cls = _BACKENDS[backend]
        return super().__new__(cls)

    def __init__(self, backend: str = "duckdb", **kwargs: Any) -> None:  # pragma: no cover - each backend's own
        raise NotImplementedError

    @classmethod
    def from_connection(cls, con: Any) -> Engine:
        """Wrap an existing Ibis connection (DuckDB or PySpark, e.g. a cluster's session)."""
        name = getattr(con, "name", "")
        if name not in _BACKENDS:
            raise ParameterError(f"communitylab runs on the duckdb and pyspark Ibis backends, not {name!r}")
        engine = object.__new__(_BACKENDS[name])
        engine._attach(con)
        return engine

    def _attach(self, con: Any) -> None:
        """Take ``con`` as this engine's connection (what each backend keeps beside it, set up)."""
        self.con = con

    def epoch_us(self, ts: ibis.Value) -> ibis.Value:
        """Microseconds since 1970-01-01 UTC of a (naive UTC) timestamp column, as int64: lets an
        aggregation order by time and a tie-breaker packed in one integer instead of a struct."""
        raise NotImplementedError

    def from_epoch_us(self, us: ibis.Value) -> ibis.Value:
        """The inverse of :meth:`epoch_us`: the naive UTC timestamp of an int64 count of microseconds."""
        raise NotImplementedError

    def memory_limit_bytes(self) -> int:
        """The engine's memory limit in bytes (0 where executors manage their own)."""
        return 0

    def materialize(self, expr: ibis.Table, name: str | None = None, *, enums: dict[str, Sequence[str]] | None = None) -> ibis.Table:
        """Compute a table expression once and keep the result in the engine (a DuckDB temporary
        table, or Parquet read back on Spark), so that later queries read it instead of
        recomputing its joins.

        ``enums``: on DuckDB, string columns with a known, closed set of values (e.g. ``kind``)
        are stored as ``ENUM`` (one byte a row instead of sixteen; filters and groupings on them
        run faster); a value outside the set is stored as null, so check for nulls after."""
        raise NotImplementedError

    def view(self, expr: ibis.Table, name: str | None = None) -> ibis.Table:
        """A table expression as a named engine view where the engine has them (DuckDB: later
        expressions reference it by name, so each metric compiles only its own operations);
        otherwise the expression itself. Nothing is computed or stored."""
        return expr

    def register(self, frame: pd.DataFrame, name: str | None = None) -> ibis.Table:
        """Make a pandas frame a table of this engine (UTC timestamps stored as naive UTC)."""
        raise NotImplementedError

    def read_parquet(self, path: str | os.PathLike, name: str | None = None, *, union_by_name: bool = False) -> ibis.Table:
        """Register a Parquet file or a directory of Parquet files without reading it into memory.

        ``union_by_name``: files may differ in their columns (a column missing from a file reads
        as null)."""
        raise NotImplementedError

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

    @staticmethod
    def _parquet_path(path: str | os.PathLike) -> str:
        """``path`` as the engine reads it: a local path that must exist, or a URI left to the engine."""
        local = locations.local_path(path)
        if local is None:
            return str(path)
        if not local.exists():
            raise FileNotFoundError(f"no Parquet data at {path}")
        return str(local)

    def __repr__(self) -> str:
        return f"Engine(backend={self.backend!r})"


class DuckDBEngine(Engine):
    """Embedded DuckDB: the default engine (see :class:`Engine`)."""

    backend = "duckdb"
    reads_parts_by_time = True
    keeps_results = True
    materializes_in_memory = True

    def __init__(self, backend: str = "duckdb", *, memory_limit: str | None = None, threads: int | None = None,
                 session: Any = None, database: str = ":memory:", temp_directory: str | None = None) -> None:
        config: dict[str, Any] = dict(DUCKDB_SETTINGS)
        if memory_limit:
            config["memory_limit"] = memory_limit
        if threads:
            config["threads"] = threads
        if temp_directory:
            config["temp_directory"] = temp_directory
        self.con = ibis.duckdb.connect(database, **config)

    def epoch_us(self, ts: ibis.Value) -> ibis.Value:
        return _epoch_us_duckdb(ts)

    def from_epoch_us(self, us: ibis.Value) -> ibis.Value:
        return _from_epoch_us_duckdb(us)

    def memory_limit_bytes(self) -> int:
        """DuckDB's memory limit in bytes."""
        # fetch the whole result: an unfinished one would block the connection's next query
        text = str(self.con.raw_sql("SELECT current_setting('memory_limit')").fetchall()[0][0]).strip()
        number, _, unit = text.partition(" ")
        scale = {"B": 1, "KIB": 2**10, "MIB": 2**20, "GIB": 2**30, "TIB": 2**40, "KB": 10**3, "MB": 10**6, "GB": 10**9, "TB": 10**12}
        return int(float(number) * scale.get(unit.upper() or "B", 1))

    def materialize(self, expr: ibis.Table, name: str | None = None, *, enums: dict[str, Sequence[str]] | None = None) -> ibis.Table:
        name = name or f"cl_{next(_names)}"
        if not enums:
            # a fresh name, so no ``overwrite``: with it, Ibis writes a temporary table twice (insert, then copy)
            return self.con.create_table(name, expr, temp=True)
        casts = ", ".join(
            f"TRY_CAST({_quote(col)} AS ENUM ({', '.join(_literal(v) for v in values)})) AS {_quote(col)}" for col, values in enums.items()
        )
        source = self.view(expr)  # a temporary view; an expression holding in-memory data stays one
        if isinstance(source.op(), ops.DatabaseTable):
            view = source.op().name
        else:  # Ibis's view is the public way to hand an expression's memtables to SQL
            view = f"{name}_src"
            self.con.create_view(view, expr)
        self.con.raw_sql(f"CREATE TEMPORARY TABLE {_quote(name)} AS SELECT * REPLACE ({casts}) FROM {_quote(view)}").fetchall()
        self.con.raw_sql(f"DROP VIEW {_quote(view)}").fetchall()
        return self.con.table(name)

    def view(self, expr: ibis.Table, name: str | None = None) -> ibis.Table:
        """A ``TEMPORARY`` view (gone with the connection; a database file is left as it was); on a
        small log, compiling a long chain costs about as much as running the query. An expression
        holding in-memory data (which reaches SQL only through Ibis) is returned as it is."""
        if expr.op().find(ops.InMemoryTable):
            return expr
        name = name or f"cl_{next(_names)}"
        self.con.raw_sql(f"CREATE TEMPORARY VIEW {_quote(name)} AS {self.con.compile(expr)}").fetchall()
        return self.con.table(name)

    def register(self, frame: pd.DataFrame, name: str | None = None) -> ibis.Table:
        name = name or f"cl_{next(_names)}"
        frame = naive_utc(frame)
        schema = ibis.schema({c: _ibis_type(frame[c]) for c in frame.columns})
        return self.con.create_table(name, ibis.memtable(frame, schema=schema), overwrite=True)

    def read_parquet(self, path: str | os.PathLike, name: str | None = None, *, union_by_name: bool = False) -> ibis.Table:
        path = self._parquet_path(path)
        target = locations.join(path, "**", "*.parquet") if Path(path).is_dir() else path
        extra = {"union_by_name": True} if union_by_name else {}
        return self.con.read_parquet(target, table_name=name or f"cl_{next(_names)}", hive_partitioning=True, **extra)

    def execute(self, expr: ibis.Expr) -> Any:
        """Tables and columns cross into pandas through Arrow in one vectorized step (Ibis's own
        pandas conversion turns every column holding a null into Python objects row by row)."""
        if isinstance(expr, ibis.Table | ibis.Column):
            arrow = self.con.to_pyarrow(expr)
            if isinstance(expr, ibis.Table):
                return _aware_utc(_arrow_to_pandas(arrow))
            return _aware_utc(arrow.to_pandas(date_as_object=False).to_frame(expr.get_name())).iloc[:, 0]
        return super().execute(expr)


class SparkEngine(Engine):
    """PySpark through its public APIs only, on one machine or a cluster whose executors do not
    share the driver's disk (see :class:`Engine` for the interface).

    How data reach the executors:

    * a table made in Python (a loaded export, a lookup) of at most ``ship_limit_mb`` goes through
      the session (``ibis.memtable``; Spark ships it to the executors itself);
    * a larger one is written as Parquet to the scratch folder and read from there: ``scratch``
      (or ``COMMUNITYLAB_SPARK_SCRATCH``), a folder every executor can read and this process can
      write (``file:///shared/...``, ``hdfs://...``, ``s3a://...``); a local session
      (``local[N]``) uses a temporary folder of its own. On a cluster without one, such a table
      raises :class:`~communitylab.errors.ParameterError` naming the setting;
    * :meth:`materialize` computes a table once into the scratch folder, or, without one, into
      the executors' memory (Spark's ``CACHE TABLE``, spilling to their own disks);
    * stores and Parquet files are read where they are: name them by a path or URI the executors
      can read.

    Parameters
    ----------
    session : pyspark.sql.SparkSession, optional
        A classic or Spark Connect session; by default :func:`spark_session` makes a local one.
    scratch : str, optional
        The scratch folder (a path or URI), instead of ``COMMUNITYLAB_SPARK_SCRATCH``.
    ship_limit_mb : float
        The largest table (Arrow bytes) shipped through the session.
    """

    backend = "pyspark"

    def __init__(self, backend: str = "pyspark", *, session: Any = None, scratch: str | None = None,
                 ship_limit_mb: float = 64.0, **_: Any) -> None:
        self._attach(ibis.pyspark.connect(session if session is not None else spark_session()), scratch=scratch,
                     ship_limit_mb=ship_limit_mb)

    def _attach(self, con: Any, *, scratch: str | None = None, ship_limit_mb: float = 64.0) -> None:
        self.con = con
        self.scratch = scratch or os.environ.get("COMMUNITYLAB_SPARK_SCRATCH") or None
        self.ship_limit_mb = ship_limit_mb
        self._scratch_folder: str | None = None
        # a classic session whose master is local[...] runs its executors in this process, on this disk
        answer = con.raw_sql("SET spark.master")
        self.local = not _is_connect(answer) and str(answer.collect()[0][1]).startswith("local")

    def scratch_folder(self) -> str | None:
        """This engine's own folder inside the scratch location (made on first use, removed at
        exit), or None on a cluster without a scratch location."""
        if self._scratch_folder is None:
            if self.scratch:
                folder = locations.join(self.scratch, f"communitylab-{uuid.uuid4().hex}")
                fs, inside = locations.filesystem(folder)
                fs.create_dir(inside, recursive=True)
                atexit.register(_remove_quietly, fs, inside)
            elif self.local:
                folder = tempfile.mkdtemp(prefix="communitylab-")
                atexit.register(shutil.rmtree, folder, True)
            else:
                return None
            self._scratch_folder = folder
        return self._scratch_folder

    def epoch_us(self, ts: ibis.Value) -> ibis.Value:
        return _epoch_us_spark(ts)

    def from_epoch_us(self, us: ibis.Value) -> ibis.Value:
        return _from_epoch_us_spark(us)

    def materialize(self, expr: ibis.Table, name: str | None = None, *, enums: dict[str, Sequence[str]] | None = None) -> ibis.Table:
        name = name or f"cl_{next(_names)}"
        folder = self.scratch_folder()
        if folder is not None:
            path = locations.join(folder, f"{name}.parquet")
            self.con.to_parquet(expr, path)
            return self.con.read_parquet(path, table_name=name)
        self.con.create_view(f"{name}_src", expr, overwrite=True)
        self.con.raw_sql(f"CACHE TABLE `{name}` AS SELECT * FROM `{name}_src`")
        return self.con.table(name)

    def register(self, frame: pd.DataFrame, name: str | None = None) -> ibis.Table:
        import pyarrow.parquet as pq

        name = name or f"cl_{next(_names)}"
        frame = naive_utc(frame)
        schema = ibis.schema({c: _ibis_type(frame[c]) for c in frame.columns})
        table = pa.Table.from_pandas(frame, schema=schema.to_pyarrow(), preserve_index=False)
        if table.nbytes <= self.ship_limit_mb * 2**20:
            return self.con.create_view(name, ibis.memtable(table), overwrite=True)
        folder = self.scratch_folder()
        if folder is None:
            raise ParameterError(
                f"a table of {table.nbytes / 2**20:,.0f} MB is more than the {self.ship_limit_mb:,.0f} MB shipped through the "
                "Spark session, and this cluster has no scratch folder: set COMMUNITYLAB_SPARK_SCRATCH (or "
                "SparkEngine(scratch=...)) to a folder every executor can read, e.g. file:///shared/scratch, "
                "hdfs://namenode/tmp or s3a://bucket/tmp, or write the log to a store there (communitylab import)")
        path = locations.join(folder, f"{name}.parquet")
        fs, inside = locations.filesystem(path)
        pq.write_table(table, inside, filesystem=fs)
        return self.con.read_parquet(path, table_name=name)

    def read_parquet(self, path: str | os.PathLike, name: str | None = None, *, union_by_name: bool = False) -> ibis.Table:
        path = self._parquet_path(path)
        return self.con.read_parquet(path, table_name=name or f"cl_{next(_names)}")

    def __repr__(self) -> str:
        where = "local" if self.local else "cluster"
        return f"Engine(backend={self.backend!r}, {where}, scratch={self.scratch!r})"


def _remove_quietly(fs: Any, inside: str) -> None:
    with contextlib.suppress(Exception):  # at exit, a scratch folder already gone is no error
        fs.delete_dir(inside)


_BACKENDS: dict[str, type[Engine]] = {"duckdb": DuckDBEngine, "pyspark": SparkEngine}


def _arrow_to_pandas(table: pa.Table) -> pd.DataFrame:
    """Arrow to pandas; a boolean column holding nulls becomes pandas' nullable ``boolean`` (Arrow
    would make it Python objects, one per row), the other boolean columns stay numpy ``bool``."""
    with_nulls = {f.name for f in table.schema if pa.types.is_boolean(f.type) and table.column(f.name).null_count}
    if not with_nulls:
        return table.to_pandas(date_as_object=False)
    frame = table.to_pandas(date_as_object=False, types_mapper={pa.bool_(): pd.BooleanDtype()}.get)
    for f in table.schema:
        if pa.types.is_boolean(f.type) and f.name not in with_nulls:
            frame[f.name] = frame[f.name].to_numpy(bool)
    return frame


def _quote(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


def _literal(value: str) -> str:
    return "'" + str(value).replace("'", "''") + "'"


def naive_utc(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` as engines store it: UTC-aware timestamps as naive UTC microseconds,
    missing strings as None."""
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


def engine_from_environment() -> dict[str, str]:
    """The engine the environment names (see the module docstring): ``backend``, and for Spark
    the ``master`` and ``scratch`` folder (empty when none). What :func:`default_engine` makes and
    what a run's manifest records.

    Examples
    --------
    >>> engine_from_environment()["backend"] in ("duckdb", "pyspark")
    True
    """
    backend = os.environ.get("COMMUNITYLAB_ENGINE", "duckdb").strip().lower() or "duckdb"
    if backend != "pyspark":
        return {"backend": backend}
    return {"backend": backend, "master": os.environ.get("COMMUNITYLAB_SPARK_MASTER", "local[2]"),
            "scratch": os.environ.get("COMMUNITYLAB_SPARK_SCRATCH", "")}


def default_engine() -> Engine:
    """The process-wide engine, created on first use from the environment (see the module
    docstring): embedded DuckDB unless ``COMMUNITYLAB_ENGINE=pyspark``."""
    global _DEFAULT
    if _DEFAULT is None:
        chosen = engine_from_environment()
        if chosen["backend"] == "pyspark":
            conf = json.loads(os.environ.get("COMMUNITYLAB_SPARK_CONF") or "{}")
            _DEFAULT = Engine("pyspark", session=spark_session(chosen["master"], **conf))
        else:
            threads = os.environ.get("COMMUNITYLAB_THREADS")
            _DEFAULT = Engine("duckdb", memory_limit=os.environ.get("COMMUNITYLAB_MEMORY_LIMIT"),
                              threads=int(threads) if threads else None, temp_directory=os.environ.get("COMMUNITYLAB_TEMP_DIRECTORY"))
    return _DEFAULT
