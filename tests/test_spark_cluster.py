"""Spark on a real standalone cluster whose executors do not share the driver's disk.

The cluster (``tests/spark_cluster.py``) runs on loopback; its worker and Spark Connect server see
an empty temporary folder of their own, so anything handed to them through the driver's disk fails
as it would between machines. Every number must equal DuckDB's.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

import pandas as pd
import pytest

from communitylab.engagement.health import health_verdict
from communitylab.engine import Engine, spark_session
from communitylab.errors import ParameterError
from communitylab.loaders.store import open_store, write_store
from communitylab.simulate import simulate
from tests import spark_cluster

pytestmark = pytest.mark.spark


@pytest.fixture(scope="module")
def cluster():
    pytest.importorskip("pyspark")
    prefix, reason = spark_cluster.private_tmp_prefix()
    if prefix is None:
        pytest.skip(reason)
    if spark_cluster.shared_parent() is None:
        pytest.skip("no folder outside the temporary folder to play the cluster's shared storage")
    running = spark_cluster.start_cluster(connect=True)
    yield running
    running.stop()


@pytest.fixture(scope="module")
def session(cluster):
    s = spark_session(cluster.master_url, **spark_cluster.DRIVER_CONF)
    yield s
    s.stop()


def _simulated():
    return simulate("brand_centric", seed=2, n_members=150, days=120)


@pytest.fixture(scope="module")
def community():
    return _simulated().community()


def _signals(community) -> pd.DataFrame:
    return health_verdict(community).signals.drop(columns=["flag"]).set_index("id")


def _assert_same(a: pd.DataFrame, b: pd.DataFrame) -> None:
    pd.testing.assert_frame_equal(a.sort_index(), b.sort_index(), check_dtype=False, check_exact=False, rtol=1e-9)


def test_the_worker_cannot_read_the_drivers_temporary_files(session):
    """The cluster is as a user's: Parquet the driver writes to its temporary folder (how the engine
    used to hand tables to Spark) is not there for the executors."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    path = Path(tempfile.mkdtemp(prefix="communitylab-driver-only-")) / "t.parquet"
    pq.write_table(pa.table({"x": [1, 2, 3]}), path)
    with pytest.raises(Exception, match="does not exist|FileNotFound|CANNOT_READ_FILE"):
        session.read.parquet(str(path)).count()


def test_health_signals_on_the_cluster_equal_duckdbs(session, community):
    engine = Engine("pyspark", session=session)
    assert not engine.local and engine.scratch_folder() is None  # nothing can be written for the executors
    _assert_same(_signals(community.on(engine)), _signals(community))


def test_a_large_table_needs_a_scratch_folder_every_executor_reads(cluster, session, community):
    tiny = Engine("pyspark", session=session, ship_limit_mb=0.001)  # the log counts as "large"
    with pytest.raises(ParameterError, match="COMMUNITYLAB_SPARK_SCRATCH"):
        health_verdict(community.on(tiny))
    scratch = f"file://{cluster.shared}/scratch"
    engine = Engine("pyspark", session=session, ship_limit_mb=0.001, scratch=scratch)
    _assert_same(_signals(community.on(engine)), _signals(community))
    written = list(Path(engine.scratch_folder().removeprefix("file://")).glob("*.parquet"))
    assert written, "the log reached the executors through the scratch folder"


def test_a_store_on_shared_storage_is_read_where_it_is(cluster, session, community):
    write_store(community.frame, cluster.shared / "store")
    uri = f"file://{cluster.shared}/store"
    on_duckdb = _signals(open_store(cluster.shared / "store", hosts=community.hosts))
    on_cluster = _signals(open_store(uri, hosts=community.hosts, engine=Engine("pyspark", session=session)))
    _assert_same(on_cluster, on_duckdb)
    _assert_same(_signals(open_store(uri, hosts=community.hosts)), on_duckdb)  # DuckDB takes the URI too
    _assert_same(on_duckdb, _signals(community))


def test_spark_connect_gives_duckdbs_numbers(cluster):
    """A Spark Connect client (in a process of its own: pyspark has one kind of session a process)
    whose server, the Spark driver, does not see the client's disk either."""
    code = textwrap.dedent(f"""
        import pandas as pd
        from communitylab.engine import Engine, spark_session
        from tests.test_spark_cluster import _signals, _assert_same, _simulated
        engine = Engine("pyspark", session=spark_session({cluster.connect_url!r}))
        assert not engine.local
        community = _simulated().community()
        _assert_same(_signals(community.on(engine)), _signals(community))
        print("same numbers")
    """)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=600, cwd=Path(__file__).parents[1])
    assert out.stdout.strip().endswith("same numbers"), out.stderr[-3000:]


def test_a_cluster_that_gives_no_executor_is_a_clear_error_within_a_minute(cluster):
    """The master answers but no worker has the memory asked for: Spark would wait for ever."""
    code = textwrap.dedent(f"""
        from communitylab.engine import spark_session
        from communitylab.errors import EngineUnavailable
        try:
            spark_session({cluster.master_url!r}, timeout=20, **{{**{spark_cluster.DRIVER_CONF!r}, "spark.executor.memory": "64g"}})
        except EngineUnavailable as exc:
            print("EngineUnavailable:", exc)
    """)
    started = time.monotonic()
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert time.monotonic() - started < 60, out.stderr[-2000:]
    assert "EngineUnavailable: the Spark cluster at spark://" in out.stdout, out.stderr[-2000:]
    assert "no executor within 20 s" in out.stdout


def test_a_study_run_on_the_cluster_from_the_cli_equals_duckdb(cluster, tmp_path):
    """``communitylab run`` with the engine named by the environment: the same summary.json."""
    env = {**os.environ, "COMMUNITYLAB_ENGINE": "pyspark", "COMMUNITYLAB_SPARK_MASTER": cluster.master_url,
           "COMMUNITYLAB_SPARK_CONF": json.dumps(spark_cluster.DRIVER_CONF)}
    cli = [str(Path(sys.executable).with_name("communitylab")), "run", "community_health", "-p", "source", "sim:living"]
    runs = {}
    for name, run_env in (("spark", env), ("duckdb", {k: v for k, v in os.environ.items() if k != "COMMUNITYLAB_ENGINE"})):
        done = subprocess.run([*cli, "--run-id", name], cwd=tmp_path, env=run_env, capture_output=True, text=True, timeout=600)
        assert done.returncode == 0, done.stderr[-3000:]
        folder = tmp_path / "reports" / "community_health" / name
        runs[name] = json.loads((folder / "summary.json").read_text())
        runs[name + " engine"] = json.loads((folder / "manifest.json").read_text())["engine"]
    assert runs["spark engine"] == {"backend": "pyspark", "master": cluster.master_url, "scratch": "",
                                    "pyspark": runs["spark engine"]["pyspark"]}
    for summary in (runs["spark"], runs["duckdb"]):
        summary.pop("_run_id"), summary.pop("_finished_utc")
    assert runs["spark"] == runs["duckdb"]
