"""Benchmark: the engagement metric panel on DuckDB (via Ibis) versus a plain-pandas baseline.

Usage::

    ./run bench                         # 1M and 10M events, each child run twice (the faster kept)
    ./run bench --sizes 1e6 1e7 5e7     # the issue's full sweep (50M needs ~15 GB for pandas)

For each size a Parquet store of synthetic events (``simulate_large_log``) is written once under
``benchmarks/data/``; each (engine, size) then runs in a fresh subprocess so that its peak memory
(``ru_maxrss``) is its own. One table, measured in one run:

* ``pandas`` / ``core panel``: the baseline (``pandas_panel.py``), whole log in memory;
* ``duckdb`` / ``core panel``: the same metrics through the kit, ratio to pandas and agreement
  (its own child: its peak memory is the core panel's);
* ``duckdb`` / ``full panel``: every event-log metric the community_health study shows, plus the
  verdict, on a freshly opened store, signals computed once and shared (its own child), with an
  empty result cache (``communitylab.result_cache``): the time includes keeping the results;
* ``duckdb`` / ``re-opened``: the same panel in a new process over the same, unchanged store,
  reading the results the first run kept (a notebook re-run in a fresh kernel, the next study);
* ``duckdb (kit)`` against ``hand SQL``: six metrics, each on a fresh community with the result
  cache off, beside one hand-written DuckDB query of the same definition (``hand_queries.py``),
  with the ratio;
* ``spark local[2]``: the core panel on Spark, agreement with DuckDB;
* ``spark cluster``: the same on a standalone Spark cluster started on loopback for the run
  (``tests/spark_cluster.py``: a master and one worker of two cores whose temporary folder is its
  own, as on another machine), the store read by its ``file://`` URI; agreement with DuckDB.
  Skipped, with the reason printed, where the machine cannot start one.

DuckDB never loads the log into pandas: it reads the store. Every child starts with an empty
result cache of its own (a temporary folder), so no run reads what another kept, except the
``re-opened`` one, by design.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
CHUNK = 5_000_000
STORE_VERSION = "2: integer keys"  # a store marked otherwise is written again
HOSTS = {f"host{i}" for i in range(5)}


def make_store(n: int) -> Path:
    from communitylab.loaders import open_store, write_store
    from communitylab.simulate import simulate_large_log

    path = HERE / "data" / f"events-{n}"
    done = path / "_done"
    if done.exists() and done.read_text() == STORE_VERSION:
        open_store(path, materialize=False, cache=False)  # checked (once, recorded in the store) before any timed open
        return path
    if path.exists():  # written by an older version of the benchmark (e.g. before stores had keys)
        shutil.rmtree(path)
    path.mkdir(parents=True, exist_ok=True)
    for k, start in enumerate(range(0, n, CHUNK)):
        size = min(CHUNK, n - start)
        chunk = simulate_large_log(size, n_members=max(100, n // 50), seed=k, id_offset=start)
        write_store(chunk, path)
    open_store(path, materialize=False, cache=False)  # checked once when written, as a user's store is at its first open
    done.write_text(STORE_VERSION)
    return path


CORE = ("activity_by_period", "reply_direction_matrix", "first_replies", "reciprocity", "degree_gini", "contributions_per_member")


#: the bench's application on the loopback cluster takes its whole worker: two cores, 4 GB
CLUSTER_CONF = {"spark.driver.host": "127.0.0.1", "spark.driver.bindAddress": "127.0.0.1", "spark.executor.memory": "4g",
                "spark.cores.max": "2"}


def _spark(master: str):
    from communitylab.engine import spark_session

    return spark_session(master, **({} if master.startswith("local") else CLUSTER_CONF))


def _community(path: str, engine: str, memory_limit: str, spark_master: str = "local[2]", materialize: bool | str = "auto"):
    from communitylab import Engine
    from communitylab.loaders import open_store

    if engine == "spark":
        where = path if spark_master.startswith("local") else f"file://{Path(path).resolve()}"  # as a cluster names shared storage
        return open_store(where, hosts=HOSTS, engine=Engine("pyspark", session=_spark(spark_master)))
    return open_store(path, hosts=HOSTS, engine=Engine("duckdb", memory_limit=memory_limit), materialize=materialize)


def core_result(c) -> dict:
    """The core panel: the metrics the pandas baseline also computes, reduced to numbers to compare."""
    from communitylab import engagement as eng

    act = eng.activity_by_period(c, "month")
    d = eng.reply_direction_matrix(c).set_index("direction")["replies"]
    first = eng.first_replies(c)
    return {
        "active_per_month": act["active"].sum(),
        **{k: int(act[k].sum()) for k in ("new", "returning", "resurrected", "dormant")},
        "posts_per_month": act["posts"].sum(),
        "directions": {k: int(v) for k, v in d.items() if k != "unknown" and v},
        "reciprocity": eng.reciprocity(c),
        "degree_gini": eng.degree_gini(c),
        "contributors": int((eng.contributions_per_member(c)["contributions"] > 0).sum()),
        "answered_threads": int(first["answered"].sum()),
        "first_by_host": int(first["first_replier_is_host"].fillna(False).astype(bool).sum()),
    }


def health_panel_steps(c) -> list[tuple[str, object]]:
    """Every event-log metric the community_health study shows, plus the verdict, in its order."""
    from communitylab import engagement as eng

    return [
        ("health_verdict", lambda: eng.health_verdict(c)),
        ("activity_by_period", lambda: eng.activity_by_period(c, "month", active_period_only=True)),
        ("reply_direction_matrix", lambda: eng.reply_direction_matrix(c)),
        ("conversation_structure", lambda: eng.conversation_structure(c)),
        ("reply_edges (drawn)", lambda: (eng.reply_edges(c, top=400), eng.reply_edges(c, without_hosts=True, top=400))),
        ("engagement_mix", lambda: eng.engagement_mix(c)),
        ("participation_inequality", lambda: eng.participation_inequality(c, n_boot=1000)),
        ("time_to_first_reply", lambda: eng.time_to_first_reply(c)),
        ("reply_survival_curve", lambda: eng.reply_survival_curve(c)),
        ("host_regularity", lambda: eng.host_regularity(c)),
        ("activity_during_silences", lambda: eng.activity_during_silences(c, 14)),
        ("join_ask_leave", lambda: eng.join_ask_leave(c)),
        ("newcomer_retention", lambda: eng.newcomer_retention(c)),
        ("level_summary", lambda: eng.level_summary(c, "month", last=6)),
        ("contributions (Lorenz curve)", lambda: eng.lorenz_curve(eng.contribution_counts(c))),
    ]


def kit_metric(c, name: str):
    """The kit's own computation of each metric that has a hand-written reference query."""
    from communitylab import engagement as eng

    return {
        "activity_by_period": lambda: eng.activity_by_period(c, "month"),
        "reply_direction_matrix": lambda: eng.reply_direction_matrix(c),
        "first_replies": lambda: eng.first_replies(c),
        "reciprocity": lambda: eng.reciprocity(c),
        "contributions_per_member": lambda: eng.contributions_per_member(c),
        "repeated_ties": lambda: eng.repeated_ties(c),
    }[name]()


def run_engine(engine: str, path: str, memory_limit: str, full: bool = True, spark_master: str = "local[2]") -> dict:
    """``full``: the health panel, every event-log metric the community_health study shows plus the
    verdict, on a freshly opened store (signals computed once and shared); else the core panel, the
    numbers the pandas baseline and Spark are compared on. Opening (and checking) the store is timed."""
    if engine == "spark":
        _spark(spark_master)  # the session starts (and gets its executors) before the clock, as pandas' import does
    metrics = {}
    t = time.perf_counter()
    c = _community(path, engine, memory_limit, spark_master)
    if not full:
        result = core_result(c)
        metrics["core panel"] = time.perf_counter() - t
        return {"result": result, "metrics": metrics}
    metrics["opening the store"] = time.perf_counter() - t
    for name, step in health_panel_steps(c):
        t1 = time.perf_counter()
        step()
        metrics[name] = time.perf_counter() - t1
    return {"result": {}, "metrics": metrics}


def run_each(path: str, memory_limit: str) -> dict:
    """Each metric with a reference query, on a fresh community (nothing cached), kit then hand-written SQL."""
    sys.path.insert(0, str(HERE))
    from hand_queries import QUERIES, connect, same_numbers

    kit, hand, agree = {}, {}, {}
    for name, sql in QUERIES.items():
        c = _community(path, "duckdb", memory_limit, materialize=False)  # both sides scan the same files
        t = time.perf_counter()
        ours = kit_metric(c, name)
        kit[name] = time.perf_counter() - t
        con = connect(path, HOSTS, memory_limit)
        t = time.perf_counter()
        theirs = con.execute(sql).df()
        hand[name] = time.perf_counter() - t
        con.close()
        agree[name] = same_numbers(name, ours, theirs)
    return {"result": {}, "metrics": {"kit": kit, "hand": hand, "agree": agree}}


def run_pandas(path: str) -> dict:
    sys.path.insert(0, str(HERE))
    from pandas_panel import pandas_panel

    out = pandas_panel(path, HOSTS)
    out["active_per_month"] = int(out["active_per_month"].sum())
    out["posts_per_month"] = int(out["posts_per_month"].sum())
    out["directions"] = {k: int(v) for k, v in out["directions"].items()}
    return {"result": out, "metrics": {}}


def child(engine: str, path: str, memory_limit: str, pandas_cap_gb: float, spark_master: str = "local[2]") -> None:
    if engine == "pandas" and pandas_cap_gb:
        # a MemoryError in this process instead of the kernel's OOM killer picking a victim
        cap = int(pandas_cap_gb * 2**30)
        resource.setrlimit(resource.RLIMIT_AS, (cap, cap))
    # each side imports its own stack before the clock starts: the benchmark times the work
    if engine == "pandas":
        import pandas  # noqa: F401
        import pyarrow.parquet  # noqa: F401  (pandas' Parquet reader)
    else:
        import ibis

        import communitylab.engagement  # noqa: F401
        import communitylab.loaders  # noqa: F401

        getattr(ibis, "pyspark" if engine == "spark" else "duckdb")  # Ibis loads a backend on first use
        if engine in ("duckdb", "each"):  # the statistics behind the intervals, which the core panel does not compute
            import scipy.stats  # noqa: F401
            import statsmodels.stats.proportion  # noqa: F401
    t = time.perf_counter()
    if engine == "pandas":
        out = run_pandas(path)
    elif engine == "each":
        out = run_each(path, memory_limit)
    elif engine in ("duckdb-core", "spark"):  # the core panel: numbers and peak memory beside pandas'
        out = run_engine("duckdb" if engine == "duckdb-core" else engine, path, memory_limit, full=False, spark_master=spark_master)
    else:
        out = run_engine(engine, path, memory_limit)
    seconds = time.perf_counter() - t
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"seconds": seconds, "peak_mb": peak_mb, **out}, default=float))


def _warm(path: Path) -> None:
    """Read the store's files once, so that the first child does not pay for a cold disk cache."""
    for f in sorted(path.rglob("*.parquet")):
        with open(f, "rb") as fh:
            while fh.read(1 << 24):
                pass


def _total(run: dict) -> float:
    """The time a run is ranked by: its core panel when it has one, else its whole time."""
    return run["metrics"].get("core panel", run["seconds"])


def _agree(a: dict, b: dict) -> bool:
    return all(
        abs(a[k] - b[k]) <= 1e-6 * max(1, abs(b[k])) if isinstance(b[k], float) else a[k] == b[k]
        for k in b
    )


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", nargs="+", type=float, default=[1e6, 1e7])
    ap.add_argument("--memory-limit", default="8GB")
    ap.add_argument("--child", nargs=2, metavar=("ENGINE", "PATH"))
    ap.add_argument("--make", type=int)
    ap.add_argument("--engines", nargs="+", default=["pandas", "duckdb"], help="drop pandas for sizes its baseline cannot hold in memory")
    ap.add_argument("--pandas-cap-gb", type=float, default=20.0, help="address-space cap of the pandas child; over it, the run is reported as failed")
    ap.add_argument("--repeat", type=int, default=2, help="runs of each child; the fastest is reported (timings on a shared machine vary)")
    ap.add_argument("--spark-sizes", nargs="*", type=float, default=[1e7],
                    help="sizes at which Spark local[2] and a loopback standalone cluster also run the core panel")
    ap.add_argument("--spark-master", default="local[2]", help=argparse.SUPPRESS)  # a child's
    args = ap.parse_args()
    if args.child:
        child(args.child[0], args.child[1], args.memory_limit, args.pandas_cap_gb, args.spark_master)
        return
    if args.make:
        print(make_store(args.make))
        return
    # Linux keeps a process's peak RSS across exec: the parent stays small (no data, no pandas)
    # so that each child's ru_maxrss is its own.
    header = f"{'events':>12} {'engine':>13} {'what':>12} {'seconds':>9} {'peak MB':>9} {'× pandas':>9} {'× hand SQL':>11}  agree"
    print(header)
    per_metric = {}
    cluster = None  # the loopback Spark cluster, started at the first size that runs it
    for size in args.sizes:
        n = int(size)
        path = subprocess.run([sys.executable, __file__, "--make", str(n)], capture_output=True, text=True, check=True).stdout.strip()
        _warm(Path(path))
        runs = {}
        engines = (["duckdb-core"] if "duckdb" in args.engines else []) + list(args.engines) + ["each"]
        engines += ["spark", "spark-cluster"] if n in {int(x) for x in args.spark_sizes} else []
        caches = []  # each child's own result cache, deleted at the end
        kept = None  # the last full panel's cache, which the re-opened run reads
        for engine in engines + (["reopen"] if "duckdb" in args.engines else []):
            master = "local[2]"
            if engine == "spark-cluster":
                cluster, why = _cluster(cluster)
                if cluster is None:
                    print(f"{n:>12,} {'spark cluster':>13} not run: {why}", flush=True)
                    continue
                master = cluster.master_url
            for _ in range(1 if engine == "reopen" else max(1, args.repeat)):
                if engine == "reopen" and kept is None:
                    break
                cache = kept if engine == "reopen" else tempfile.mkdtemp(prefix="communitylab-bench-cache-")
                caches.append(cache)
                env = {**os.environ, "COMMUNITYLAB_CACHE_DIR": cache, "COMMUNITYLAB_CACHE": "off" if engine == "each" else "on"}
                t = time.perf_counter()
                kind = {"reopen": "duckdb", "spark-cluster": "spark"}.get(engine, engine)
                proc = subprocess.run([sys.executable, __file__, "--child", kind, path, "--memory-limit", args.memory_limit,
                                       "--pandas-cap-gb", str(args.pandas_cap_gb), "--spark-master", master],
                                      capture_output=True, text=True, env=env)
                if proc.returncode:
                    last = (proc.stderr.strip().splitlines() or ["?"])[-1]
                    print(f"{n:>12,} {engine:>13} failed after {time.perf_counter() - t:.0f} s: {last[:120]}", flush=True)
                    break
                out = json.loads(proc.stdout.strip().splitlines()[-1])
                kept = cache if engine == "duckdb" else kept
                if engine not in runs or _total(out) < _total(runs[engine]):
                    runs[engine] = out
        for cache in set(caches):
            shutil.rmtree(cache, ignore_errors=True)
        base = runs.get("pandas")
        hand_total = sum(runs["each"]["metrics"]["hand"].values()) if "each" in runs else None
        kit_total = sum(runs["each"]["metrics"]["kit"].values()) if "each" in runs else None
        if base:
            print(f"{n:>12,} {'pandas':>13} {'core panel':>12} {base['seconds']:>9.2f} {base['peak_mb']:>9.0f} {1:>9.2f} {'-':>11}  -", flush=True)
        if "duckdb-core" in runs:
            r = runs["duckdb-core"]
            core, peak = r["metrics"]["core panel"], r["peak_mb"]
            ratio = f"{core / base['seconds']:>9.2f}" if base else f"{'-':>9}"
            agree = _agree(r["result"], base["result"]) if base else "-"
            mem = f", memory {peak / base['peak_mb']:.2f} of pandas" if base else ""
            print(f"{n:>12,} {'duckdb':>13} {'core panel':>12} {core:>9.2f} {peak:>9.0f} {ratio} {'-':>11}  {agree}{mem}", flush=True)
        if "duckdb" in runs:
            r = runs["duckdb"]
            print(f"{n:>12,} {'duckdb':>13} {'full panel':>12} {r['seconds']:>9.2f} {r['peak_mb']:>9.0f} {'-':>9} {'-':>11}  -", flush=True)
            per_metric[n] = r["metrics"]
        if "reopen" in runs:
            r = runs["reopen"]
            print(f"{n:>12,} {'duckdb':>13} {'re-opened':>12} {r['seconds']:>9.2f} {r['peak_mb']:>9.0f} {'-':>9} {'-':>11}  -"
                  "  (the full panel again, new process, results kept by the run above)", flush=True)
        if "each" in runs:
            print(f"{n:>12,} {'duckdb (kit)':>13} {'6 metrics':>12} {kit_total:>9.2f} {'':>9} {'-':>9} {kit_total / hand_total:>11.2f}  -", flush=True)
            agree = all(runs["each"]["metrics"]["agree"].values())
            print(f"{n:>12,} {'hand SQL':>13} {'6 metrics':>12} {hand_total:>9.2f} {'':>9} {'-':>9} {1:>11.2f}  {agree} (with the kit)", flush=True)
        if "spark" in runs:
            r = runs["spark"]
            agree = _agree(r["result"], runs["duckdb-core"]["result"]) if "duckdb-core" in runs else "-"
            ratio = f"{r['seconds'] / base['seconds']:>9.2f}" if base else f"{'-':>9}"
            print(f"{n:>12,} {'spark local[2]':>13} {'core panel':>12} {r['metrics']['core panel']:>9.2f} {r['peak_mb']:>9.0f} {ratio} {'-':>11}  {agree} (with DuckDB)", flush=True)
        if "spark-cluster" in runs:
            r = runs["spark-cluster"]
            agree = _agree(r["result"], runs["duckdb-core"]["result"]) if "duckdb-core" in runs else "-"
            ratio = f"{r['seconds'] / base['seconds']:>9.2f}" if base else f"{'-':>9}"
            print(f"{n:>12,} {'spark cluster':>13} {'core panel':>12} {r['metrics']['core panel']:>9.2f} {r['peak_mb']:>9.0f} {ratio} {'-':>11}  {agree} (with DuckDB)"
                  "  (standalone, one worker of 2 cores on loopback, private /tmp; peak MB: the driver's Python)", flush=True)
        if "each" in runs:
            kit, hand = runs["each"]["metrics"]["kit"], runs["each"]["metrics"]["hand"]
            print(f"{'':>12}   per metric at {n:,}: " + "; ".join(f"{k} {kit[k]:.2f}/{hand[k]:.2f} s = {kit[k] / hand[k]:.2f}×" for k in kit), flush=True)
    if cluster is not None:
        cluster.stop()
    full = {n: sum(m.values()) for n, m in per_metric.items()}
    if len(full) > 1:  # growth: 1 is linear; the log-log slope between consecutive sizes and overall
        import math

        sizes = sorted(full)
        pairs = list(zip(sizes, sizes[1:])) + ([(sizes[0], sizes[-1])] if len(sizes) > 2 else [])
        print("\nfull panel growth (log-log slope of seconds against events): " + "; ".join(
            f"{a:,} to {b:,}: {math.log(full[b] / full[a]) / math.log(b / a):.2f}" for a, b in pairs))
    for n, metrics in per_metric.items():
        print(f"\nfull health panel at {n:,} events, seconds per step (signals computed once and shared):")
        for k, v in metrics.items():
            print(f"  {k:<28} {v:7.2f}")


def _cluster(running):
    """The loopback standalone cluster (started on first use), or None and why it cannot run here."""
    if running is not None:
        return running, ""
    sys.path.insert(0, str(HERE.parent))
    try:
        from tests import spark_cluster

        return spark_cluster.start_cluster(cores=2, memory="5g"), ""
    except Exception as exc:  # noqa: BLE001 - reported in the table instead of a row
        return None, " ".join(str(exc).split())[:200]


if __name__ == "__main__":
    main()
