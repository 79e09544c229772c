"""The simulator is seeded and its logs satisfy the contract."""

from __future__ import annotations

import pandas as pd
import pytest

from communitylab.simulate import REVITALIZATION_STEPS, SCENARIOS, simulate, simulate_large_log


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_same_seed_same_log(scenario):
    a, b = simulate(scenario, seed=4, days=60), simulate(scenario, seed=4, days=60)
    pd.testing.assert_frame_equal(a.events, b.events)
    assert not simulate(scenario, seed=5, days=60).events.equals(a.events)


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_logs_pass_validation_without_repairs(scenario):
    c = simulate(scenario, seed=0, days=90).community()
    assert c.report.excluded == 0 and c.report.count("parent outside the data (kept)") == 0


def test_revitalized_has_eight_dated_milestones():
    sim = simulate("revitalized", seed=0)
    ms = sim.truth["milestones"]
    assert ms["milestone"].tolist() == list(REVITALIZATION_STEPS)
    assert ms["date"].is_monotonic_increasing


def test_large_log_shape_and_referential_integrity():
    df = simulate_large_log(20_000, seed=1)
    assert len(df) == 20_000 and df["event_id"].is_unique
    replies = df[df["kind"] != "post"]
    assert replies["parent_id"].isin(df["event_id"]).all()
    assert replies["thread_id"].eq(replies["parent_id"]).all()
    pd.testing.assert_frame_equal(df, simulate_large_log(20_000, seed=1))


def test_unknown_scenario():
    with pytest.raises(ValueError, match="living"):
        simulate("zombie")
