"""Benchmark: the per-member summary from a large event log, and BG/NBD on many members.

Usage::

    .venv/bin/python benchmarks/bench_models.py --events 1e7 --members 1e6

1. Per-member frequency/recency/age from the Parquet store of ``bench_metrics.py`` (written on
   first use): DuckDB through Ibis (``member_activity_summary``) versus plain pandas, same run,
   each in a fresh subprocess so peak memory is its own.
2. BG/NBD (analytic gradient) and Pareto/NBD maximum likelihood on ``--members`` simulated
   members (vectorized log-likelihoods, identical members merged) versus the same fit on a tenth
   of them: a time ratio near 10 means linear scaling.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time

HERE = __file__


def child_summary(engine: str, path: str) -> None:
    t = time.perf_counter()
    if engine == "duckdb":
        from communitylab import Engine
        from communitylab.loaders import open_store
        from communitylab.retention.summary import member_activity_summary

        c = open_store(path, hosts={f"host{i}" for i in range(5)}, engine=Engine("duckdb"), materialize=False)  # one query: scan
        s = member_activity_summary(c)
    else:
        import pandas as pd

        ev = pd.read_parquet(path, columns=["member_id", "kind", "created_at"])
        ev = ev[~ev["member_id"].str.startswith("host")]
        ev["day"] = ev["created_at"].dt.floor("D")
        days = ev[["member_id", "day"]].drop_duplicates()
        g = days.groupby("member_id")["day"]
        first, last, n = g.min(), g.max(), g.size()
        end = ev["created_at"].max().floor("D")
        s = pd.DataFrame({"frequency": n - 1, "recency": (last - first).dt.days / 7, "T": (end - first).dt.days / 7})
    out = {"seconds": time.perf_counter() - t, "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
           "members": len(s), "sum_frequency": float(s["frequency"].sum())}
    print(json.dumps(out))


def child_fit(n: int, model: str = "bgnbd") -> None:
    from communitylab.retention.models import BetaGeoFitter, ParetoNBDFitter
    from communitylab.retention.models.simulate import simulate_bgnbd

    data = simulate_bgnbd(n, 0.25, 4.0, 0.8, 2.5, T=52, seed=0)
    t = time.perf_counter()
    m = (BetaGeoFitter() if model == "bgnbd" else ParetoNBDFitter()).fit(data)
    out = {"seconds": time.perf_counter() - t, "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
           "params": m.params_.round(3).to_dict()}
    print(json.dumps(out))


def _run(*args: str) -> dict:
    proc = subprocess.run([sys.executable, HERE, *args], capture_output=True, text=True, check=True)
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--events", type=float, default=1e7)
    ap.add_argument("--members", type=float, default=1e6)
    ap.add_argument("--child-summary", nargs=2)
    ap.add_argument("--child-fit", type=int)
    ap.add_argument("--model", default="bgnbd")
    args = ap.parse_args()
    if args.child_summary:
        child_summary(*args.child_summary)
        return
    if args.child_fit:
        child_fit(args.child_fit, args.model)
        return
    bench_metrics = str(__import__("pathlib").Path(HERE).with_name("bench_metrics.py"))
    path = subprocess.run([sys.executable, bench_metrics, "--make", str(int(args.events))], capture_output=True, text=True, check=True).stdout.strip()
    base = _run("--child-summary", "pandas", path)
    duck = _run("--child-summary", "duckdb", path)
    agree = base["members"] == duck["members"] and base["sum_frequency"] == duck["sum_frequency"]
    print(f"per-member summary, {int(args.events):,} events ({duck['members']:,} members)")
    for name, r in (("pandas", base), ("duckdb", duck)):
        print(f"  {name:>7}: {r['seconds']:7.2f} s, peak {r['peak_mb']:7.0f} MB, time ratio {r['seconds'] / base['seconds']:.2f}, "
              f"memory ratio {r['peak_mb'] / base['peak_mb']:.2f}, agree {agree}")
    n = int(args.members)
    for model, label in (("bgnbd", "BG/NBD"), ("pareto", "Pareto/NBD")):
        small, big = _run("--child-fit", str(n // 10), "--model", model), _run("--child-fit", str(n), "--model", model)
        print(f"{label} fit: {n // 10:,} members {small['seconds']:.2f} s; {n:,} members {big['seconds']:.2f} s "
              f"(ratio {big['seconds'] / small['seconds']:.1f} for 10x the members), peak {big['peak_mb']:.0f} MB, estimates {big['params']}")


if __name__ == "__main__":
    main()
