"""Where the full health panel's time goes: every DuckDB query it runs, profiled by DuckDB itself.

Usage::

    .venv/bin/python benchmarks/profile_panel.py benchmarks/data/events-100000000
    .venv/bin/python benchmarks/profile_panel.py STORE --memory-limit 2.6GB --json profile.json

Opens the store as the benchmark's full-panel run does (``bench_metrics._community``, an empty
result cache of its own), switches on DuckDB's query profiler (the data behind ``EXPLAIN
ANALYZE``: each query's wall time, CPU time, peak buffer memory and each operator's time and rows)
and runs the panel's steps (``bench_metrics.health_panel_steps``) one by one. It prints, per step,
its wall time, how much of it DuckDB spent in queries and how many it ran, then the heaviest
queries with their heaviest operators. ``--json`` keeps every query's profile summary.

The profiler costs a little time of its own: read the shares, and take the seconds from
``bench_metrics.py``.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
_RUNS = ("to_arrow_table", "arrow", "fetch_arrow_table", "fetchall", "fetchone", "fetchdf", "df", "to_df", "fetchnumpy", "execute")


class _Relation:
    """A DuckDB relation whose execution is recorded by the profiler that made it."""

    def __init__(self, rel: Any, profiler: QueryProfiler) -> None:
        self._rel, self._profiler = rel, profiler

    def __getattr__(self, name: str) -> Any:
        attr = getattr(self._rel, name)
        if name not in _RUNS or not callable(attr):
            return attr

        def run(*args: Any, **kwargs: Any) -> Any:
            out = attr(*args, **kwargs)
            self._profiler.capture()
            return out

        return run


class QueryProfiler:
    """Stands in for an Ibis DuckDB backend's connection (``backend.con``) and records the profile
    of each query run through it, labelled with the step running at the time (:attr:`step`)."""

    def __init__(self, con: Any) -> None:
        self._con = con
        self.step = ""
        self.queries: list[dict] = []
        self._last = ""
        con.execute("SET enable_profiling = 'no_output'")
        con.execute("SET profiling_mode = 'standard'")

    def __getattr__(self, name: str) -> Any:
        return getattr(self._con, name)

    def sql(self, query: Any, *args: Any, **kwargs: Any) -> Any:
        self.capture()
        rel = self._con.sql(query, *args, **kwargs)
        return rel if rel is None else _Relation(rel, self)

    def execute(self, query: Any, *args: Any, **kwargs: Any) -> Any:
        self.capture()
        out = self._con.execute(query, *args, **kwargs)
        self.capture()
        return out

    def capture(self) -> None:
        """Record the last query's profile, once."""
        try:
            text = self._con.get_profiling_information(format="json")
        except Exception:  # no query profiled yet
            return
        if text == self._last:
            return
        self._last = text
        profile = json.loads(text)
        query = profile.get("query", {})
        seconds = float(query.get("total_time") or 0.0)
        if not query.get("sql") or seconds <= 0:
            return
        ops: list[tuple[str, float, int]] = []

        def walk(node: dict) -> None:
            ops.append((node.get("name", "?"), float(node.get("timing") or 0.0), int(node.get("intermediate_rows") or 0)))
            for child in node.get("children", []):
                walk(child)

        for node in profile.get("operator", []):
            walk(node)
        total_op = sum(t for _, t, _ in ops) or 1.0
        heaviest = sorted(ops, key=lambda o: -o[1])[:3]
        self.queries.append({
            "step": self.step,
            "seconds": seconds,
            "cpu_seconds": float(query.get("cpu_time") or 0.0),
            "peak_buffer_mb": float(profile.get("system", {}).get("peak_buffer_memory") or 0) / 1e6,
            "rows_scanned": int(query.get("total_rows_scanned") or 0),
            "operators": [{"name": n, "share": t / total_op, "rows": r} for n, t, r in heaviest],
            "sql": " ".join(str(query["sql"]).split())[:160],
        })


def profile_panel(path: str, memory_limit: str) -> dict:
    """Run the full panel on a fresh community of the store at ``path`` with every query profiled."""
    sys.path.insert(0, str(HERE))
    import bench_metrics as bm

    t = time.perf_counter()
    c = bm._community(path, "duckdb", memory_limit)
    opened = time.perf_counter() - t
    backend = c.engine.con
    profiler = QueryProfiler(backend.con)
    backend.con = profiler
    steps = []
    for name, step in bm.health_panel_steps(c):
        profiler.step = name
        t1 = time.perf_counter()
        step()
        profiler.capture()
        wall = time.perf_counter() - t1
        mine = [q for q in profiler.queries if q["step"] == name]
        steps.append({"step": name, "seconds": wall, "queries": len(mine), "duckdb_seconds": sum(q["seconds"] for q in mine)})
    return {"opened": opened, "steps": steps, "queries": profiler.queries,
            "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}


def report(out: dict, top: int = 15) -> str:
    """The profile as text: per step, then the heaviest queries."""
    lines = [f"opening the store {out['opened']:.2f} s; peak memory of the process {out['peak_mb']:,.0f} MB", "",
             f"{'step':<30} {'seconds':>8} {'in DuckDB':>10} {'queries':>8}"]
    for s in out["steps"]:
        lines.append(f"{s['step']:<30} {s['seconds']:>8.2f} {s['duckdb_seconds']:>10.2f} {s['queries']:>8}")
    total = sum(s["seconds"] for s in out["steps"])
    in_db = sum(s["duckdb_seconds"] for s in out["steps"])
    lines += [f"{'all steps':<30} {total:>8.2f} {in_db:>10.2f} {sum(s['queries'] for s in out['steps']):>8}", "",
              f"the {top} heaviest queries (wall seconds; CPU seconds over both threads; DuckDB's peak buffer memory; "
              "each heaviest operator's share of the query's operator time, and the rows it put out):"]
    for q in sorted(out["queries"], key=lambda q: -q["seconds"])[:top]:
        ops = ", ".join(f"{o['name']} {o['share']:.0%} ({o['rows']:,} rows)" for o in q["operators"])
        lines.append(f"  {q['seconds']:6.2f} s  cpu {q['cpu_seconds']:6.2f}  {q['peak_buffer_mb']:7,.0f} MB  [{q['step']}]  {ops}")
        lines.append(f"           {q['sql']}")
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("store", help="a store written by bench_metrics.py (benchmarks/data/events-N)")
    ap.add_argument("--memory-limit", default="8GB")
    ap.add_argument("--top", type=int, default=15)
    ap.add_argument("--json", help="also write every query's profile summary to this file")
    args = ap.parse_args()
    import warnings

    warnings.filterwarnings("ignore", category=DeprecationWarning)  # Ibis' own calls of DuckDB's renamed methods
    import scipy.stats  # noqa: F401  (imported before the clock, as in bench_metrics' full-panel run)
    import statsmodels.stats.proportion  # noqa: F401

    cache = tempfile.mkdtemp(prefix="communitylab-profile-cache-")
    os.environ["COMMUNITYLAB_CACHE_DIR"] = cache  # an empty result cache of its own: a first session
    try:
        out = profile_panel(args.store, args.memory_limit)
    finally:
        shutil.rmtree(cache, ignore_errors=True)
    print(report(out, args.top))
    if args.json:
        Path(args.json).write_text(json.dumps(out, indent=1))


if __name__ == "__main__":
    main()
