"""The benchmark's own tools (``benchmarks/``), on a small store."""

from __future__ import annotations

import sys
from pathlib import Path

BENCHMARKS = Path(__file__).resolve().parents[1] / "benchmarks"


def test_the_panel_profile_records_every_query_of_every_step(tmp_path, monkeypatch):
    from communitylab.loaders import write_store
    from communitylab.simulate import simulate_large_log

    monkeypatch.syspath_prepend(str(BENCHMARKS))
    monkeypatch.setenv("COMMUNITYLAB_CACHE", "off")
    store = write_store(simulate_large_log(20_000, n_members=400, seed=1), tmp_path / "store")
    import profile_panel

    out = profile_panel.profile_panel(str(store), "1GB")
    steps = {s["step"]: s for s in out["steps"]}
    assert list(steps)[0] == "health_verdict" and steps["health_verdict"]["queries"] >= 5
    assert {q["step"] for q in out["queries"]} <= set(steps)
    assert sum(s["queries"] for s in out["steps"]) == len(out["queries"])
    for s in out["steps"]:  # DuckDB's time is part of the step's
        assert 0 <= s["duckdb_seconds"] <= s["seconds"] + 1e-3
    # each query once, with DuckDB's operators (the first replies' join, the groupings)
    assert len({q["sql"] + str(q["seconds"]) for q in out["queries"]}) == len(out["queries"])
    names = {o["name"] for q in out["queries"] for o in q["operators"]}
    assert "HASH_JOIN" in names and any(n.endswith("GROUP_BY") for n in names)
    assert "heaviest queries" in profile_panel.report(out, top=3)
    sys.modules.pop("profile_panel", None)
    sys.modules.pop("bench_metrics", None)
