"""Engagement levels and their movement, on the hand log."""

from __future__ import annotations

import pandas as pd
import pytest

from communitylab.engagement import LevelRules, engagement_levels, level_transitions


def test_levels_by_hand(tiny):
    lv = engagement_levels(tiny, "month")
    got = {(m, p.strftime("%Y-%m")): (s, str(level)) for m, p, s, level in lv[["member_id", "period", "score", "level"]].itertuples(index=False)}
    assert got[("a", "2024-01")] == (5.0, "occasional")  # post 3 + reply 2
    assert got[("b", "2024-01")] == (4.0, "occasional")
    assert got[("c", "2024-01")] == (0.5, "quiet")  # one reaction
    assert got[("c", "2024-02")] == (5.0, "occasional")
    assert got[("b", "2024-02")] == (0.0, "quiet")  # leaving is not activity
    assert "h" not in set(lv["member_id"])


def test_transitions_and_rules(tiny):
    tr = level_transitions(engagement_levels(tiny, "month"))
    assert tr.loc["occasional", "quiet"] == 2 and tr.loc["quiet", "occasional"] == 1
    strict = engagement_levels(tiny, "month", LevelRules(occasional=10, regular=20, core=30))
    assert set(strict["level"].astype(str)) == {"quiet"}


@pytest.mark.parametrize("period,rules", [("month", None), ("week", None), ("month", LevelRules(occasional=0, regular=3, core=9)),
                                          ("day", LevelRules(weights={"post": 3.0, "reply": 2.0, "join": 1.0}))])
def test_level_summary_in_the_engine_equals_the_member_grid(period, rules):
    """The engine counts the grid it never lists; here the grid is listed in pandas. With
    ``occasional=0`` a period without events is 'occasional', not 'quiet'. A rule weighing joins
    scores from the events rather than the shared member × period counts."""
    from communitylab import datasets
    from communitylab.engagement import engagement_levels, level_counts, level_summary, level_transitions

    c = datasets.load_community("stackexchange-beer")
    levels = engagement_levels(c, period, rules)
    counts, transitions = level_summary(c, period, rules)
    pd.testing.assert_frame_equal(level_counts(levels), counts, check_dtype=False)
    pd.testing.assert_frame_equal(level_transitions(levels), transitions, check_dtype=False, check_names=False)
    assert level_summary(c, period, rules, last=6)[0].equals(counts.tail(6).reset_index(drop=True))


@pytest.mark.parametrize("period", ["week", "month"])
def test_level_summary_on_a_keyed_store_equals_the_member_grid(tmp_path, period):
    """The store's integer keys take the packed member × period path: the same counts and moves."""
    from communitylab.engagement import engagement_levels, level_counts, level_summary, level_transitions
    from communitylab.loaders import open_store, write_store
    from communitylab.simulate import simulate_large_log

    write_store(simulate_large_log(20_000, n_members=300, days=150, seed=5), tmp_path / "store")
    c = open_store(tmp_path / "store", hosts={f"host{i}" for i in range(5)})
    assert c.keys is not None
    levels = engagement_levels(c, period)
    counts, transitions = level_summary(c, period)
    pd.testing.assert_frame_equal(level_counts(levels), counts, check_dtype=False)
    pd.testing.assert_frame_equal(level_transitions(levels), transitions, check_dtype=False, check_names=False)
