"""Benchmark: the engagement metric panel on DuckDB (via Ibis) versus a plain-pandas baseline.

Usage::

    ./run bench                         # 1M and 10M events
    ./run bench --sizes 1e6 1e7 5e7     # the issue's full sweep (50M needs ~15 GB for pandas)

For each size a Parquet store of synthetic events (``simulate_large_log``) is written once under
``benchmarks/data/``; each (engine, size) then runs in a fresh subprocess so that its peak memory
(``ru_maxrss``) is its own. Prints seconds and peak memory, and the ratio against the pandas
baseline measured in the same run. DuckDB never loads the log into pandas: it reads the store.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
CHUNK = 5_000_000
HOSTS = {f"host{i}" for i in range(5)}


def make_store(n: int) -> Path:
    from communitylab.loaders import write_store
    from communitylab.simulate import simulate_large_log

    path = HERE / "data" / f"events-{n}"
    if (path / "_done").exists():
        return path
    path.mkdir(parents=True, exist_ok=True)
    for k, start in enumerate(range(0, n, CHUNK)):
        size = min(CHUNK, n - start)
        chunk = simulate_large_log(size, n_members=max(100, n // 50), seed=k, id_offset=start)
        write_store(chunk, path)
    (path / "_done").write_text("ok")
    return path


def run_duckdb(path: str, memory_limit: str) -> dict:
    from communitylab import Engine
    from communitylab import engagement as eng
    from communitylab.loaders import open_store

    c = open_store(path, hosts=HOSTS, engine=Engine("duckdb", memory_limit=memory_limit))
    act = eng.activity_by_period(c, "month")
    d = eng.reply_direction_matrix(c).set_index("direction")["replies"]
    first = eng.first_replies(c)
    return {
        "active_per_month": act["active"].sum(),
        "posts_per_month": act["posts"].sum(),
        "directions": {k: int(v) for k, v in d.items() if k != "unknown" and v},
        "reciprocity": eng.reciprocity(c),
        "degree_gini": eng.degree_gini(c),
        "contributors": int((eng.contributions_per_member(c)["contributions"] > 0).sum()),
        "answered_threads": int(first["answered"].sum()),
    }


def run_pandas(path: str) -> dict:
    sys.path.insert(0, str(HERE))
    from pandas_panel import pandas_panel

    out = pandas_panel(path, HOSTS)
    out["active_per_month"] = int(out["active_per_month"].sum())
    out["posts_per_month"] = int(out["posts_per_month"].sum())
    out["directions"] = {k: int(v) for k, v in out["directions"].items()}
    return out


def child(engine: str, path: str, memory_limit: str, pandas_cap_gb: float) -> None:
    if engine == "pandas" and pandas_cap_gb:
        # a MemoryError in this process instead of the kernel's OOM killer picking a victim
        cap = int(pandas_cap_gb * 2**30)
        resource.setrlimit(resource.RLIMIT_AS, (cap, cap))
    # each side imports its own stack before the clock starts: the benchmark times the work
    if engine == "pandas":
        import pandas  # noqa: F401
    else:
        import communitylab.engagement  # noqa: F401
        import communitylab.loaders  # noqa: F401
    t = time.perf_counter()
    result = run_duckdb(path, memory_limit) if engine == "duckdb" else run_pandas(path)
    seconds = time.perf_counter() - t
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"seconds": seconds, "peak_mb": peak_mb, "result": result}, default=float))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", nargs="+", type=float, default=[1e6, 1e7])
    ap.add_argument("--memory-limit", default="8GB")
    ap.add_argument("--child", nargs=2, metavar=("ENGINE", "PATH"))
    ap.add_argument("--make", type=int)
    ap.add_argument("--engines", nargs="+", default=["pandas", "duckdb"], help="drop pandas for sizes its baseline cannot hold in memory")
    ap.add_argument("--pandas-cap-gb", type=float, default=20.0, help="address-space cap of the pandas child; over it, the run is reported as failed")
    args = ap.parse_args()
    if args.child:
        child(args.child[0], args.child[1], args.memory_limit, args.pandas_cap_gb)
        return
    if args.make:
        print(make_store(args.make))
        return
    # Linux keeps a process's peak RSS across exec: the parent stays small (no data, no pandas)
    # so that each child's ru_maxrss is its own.
    print(f"{'events':>12} {'engine':>8} {'seconds':>9} {'peak MB':>9} {'time ratio':>11} {'memory ratio':>13}  agree")
    for size in args.sizes:
        n = int(size)
        path = subprocess.run([sys.executable, __file__, "--make", str(n)], capture_output=True, text=True, check=True).stdout.strip()
        runs = {}
        for engine in args.engines:
            t = time.perf_counter()
            proc = subprocess.run([sys.executable, __file__, "--child", engine, path, "--memory-limit", args.memory_limit,
                                   "--pandas-cap-gb", str(args.pandas_cap_gb)], capture_output=True, text=True)
            if proc.returncode:
                last = (proc.stderr.strip().splitlines() or ["?"])[-1]
                print(f"{n:>12,} {engine:>8} failed after {time.perf_counter() - t:.0f} s: {last[:120]}", flush=True)
                continue
            runs[engine] = json.loads(proc.stdout.strip().splitlines()[-1])
        if not runs:
            continue
        if "pandas" not in runs:  # nothing to compare with: print the absolute numbers only
            for engine, r in runs.items():
                print(f"{n:>12,} {engine:>8} {r['seconds']:>9.2f} {r['peak_mb']:>9.0f} {'-':>11} {'-':>13}  -", flush=True)
            continue
        base = runs["pandas"]
        for engine, r in runs.items():
            agree = all(
                abs(r["result"][k] - base["result"][k]) <= 1e-9 * max(1, abs(base["result"][k])) if isinstance(base["result"][k], float) else r["result"][k] == base["result"][k]
                for k in base["result"]
            )
            print(f"{n:>12,} {engine:>8} {r['seconds']:>9.2f} {r['peak_mb']:>9.0f} {r['seconds'] / base['seconds']:>11.2f} {r['peak_mb'] / base['peak_mb']:>13.2f}  {agree}", flush=True)


if __name__ == "__main__":
    main()
