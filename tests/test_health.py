"""Each synthetic scenario gets the verdict it was built to show; cadence signals behave."""

from __future__ import annotations

import pytest

from communitylab.engagement import (
    HealthThresholds,
    activity_during_silences,
    health_verdict,
    host_regularity,
    host_silences,
)
from communitylab.simulate import SCENARIOS, simulate


@pytest.mark.parametrize("seed", [0, 1])
@pytest.mark.parametrize("scenario", SCENARIOS)
def test_scenarios_get_their_verdict(scenario, seed):
    sim = simulate(scenario, seed=seed)
    verdict = health_verdict(sim.community())
    assert verdict.label == sim.truth["expected_verdict"], verdict.summary()
    assert list(verdict.signals.columns) == ["signal", "value", "ci_low", "ci_high", "threshold", "flag"]


def test_revitalized_is_thriving_after_the_seventh_milestone():
    sim = simulate("revitalized", seed=0)
    seventh = sim.truth["milestones"]["date"].iloc[6]
    assert health_verdict(sim.community().window(start=seventh)).label == sim.truth["expected_verdict_after_milestones"]


def test_thresholds_are_parameters():
    c = simulate("living", seed=0).community()
    assert health_verdict(c, HealthThresholds(min_weekly_contributions=1e6)).label == "dormant"


def test_lapsing_host_silences_and_member_drop():
    sim = simulate("lapsing_host", seed=0)
    c = sim.community()
    sil = host_silences(c, 14)
    assert len(sil) >= sim.truth["host_silences"] - 1
    r = activity_during_silences(c, 14).iloc[0]
    assert r["ci_high"] < 1 and r["ci_low"] < r["rate_ratio"] < r["ci_high"]
    assert host_regularity(c)["cv_per_week"].iloc[0] > 1


def test_living_community_has_no_long_host_silence_effect():
    r = activity_during_silences(simulate("living", seed=0).community(), 14).iloc[0]
    assert r["rate_ratio"] != r["rate_ratio"] or r["ci_low"] < 1 < r["ci_high"] or r["rate_ratio"] > 0.5


@pytest.mark.parametrize("name", sorted(__import__("communitylab.datasets", fromlist=["DATASETS"]).DATASETS))
def test_every_bundled_dataset_gets_a_verdict_and_panel(name):
    from communitylab import engagement as eng
    from communitylab.datasets import load_community

    c = load_community(name)
    v = health_verdict(c)
    assert v.label in eng.VERDICTS and v.reasons
    assert len(eng.conversation_structure(c)) == 6
    assert len(eng.join_ask_leave(c)) == 5 and len(eng.newcomer_retention(c)) == 3
    assert len(eng.activity_by_period(c, "month")) > 0


def test_support_sample_is_an_audience_and_stack_exchange_is_not_brand_centric():
    from communitylab.datasets import load_community

    assert health_verdict(load_community("twcs-sample")).label == "brand-centric audience"
    assert health_verdict(load_community("stackexchange-beer")).label != "brand-centric audience"
