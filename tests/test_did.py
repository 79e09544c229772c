"""Difference in differences and the comparison designs: by hand, on the simulated common shock, and
on input they must refuse."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from communitylab import datasets, study_advice
from communitylab.errors import CommunityLabError
from communitylab.intervention import (
    InterruptedTimeSeries,
    compare,
    comparison_outcomes,
    difference_in_differences,
    outcome_series,
)
from communitylab.simulate import EFFECT


def test_two_by_two_is_the_ratio_of_ratios():
    # with one community of each kind and one period on each side, the model is saturated: its rate
    # ratio is (treated after / before) / (comparison after / before), computed by hand
    y = pd.DataFrame({"t": [100, 180], "c": [50, 60]}, index=[0, 1])
    d = difference_in_differences(y, "t", 1)
    assert d.rate_ratio == pytest.approx((180 / 100) / (60 / 50), rel=1e-6)
    assert d.cov_type.startswith("Poisson; no degrees of freedom")  # nothing left to estimate a dispersion from


def test_a_common_shock_cancels_and_the_effect_remains():
    rng = np.random.default_rng(3)
    periods = np.arange(60)
    shock = np.where(periods >= 30, 1.6, 1.0)
    y = pd.DataFrame({f"c{i}": rng.poisson(40 * (1 + i / 5) * shock) for i in range(25)}, index=periods)
    y["t"] = rng.poisson(50 * shock * np.where(periods >= 30, 1.3, 1.0))
    d = difference_in_differences(y, "t", 30, min_clusters=20)
    assert d.ci_low < 1.3 < d.ci_high and d.cov_type == "quasi-Poisson; too few treated communities to cluster"
    assert d.parallel_before and d.pretrend_p > 0.1
    assert d.dispersion == pytest.approx(1.0, abs=0.15)  # Poisson counts: no overdispersion
    few = difference_in_differences(y[["t", "c0", "c1", "c2"]], "t", 30)
    assert few.cov_type == "quasi-Poisson; too few communities to cluster"
    many = y.assign(**{f"t{i}": rng.poisson(30 * shock * np.where(periods >= 30, 1.3, 1.0)) for i in range(12)})
    clustered = difference_in_differences(many, ["t", *[f"t{i}" for i in range(12)]], 30)
    assert clustered.cov_type == "clustered by community" and clustered.ci_low < 1.3 < clustered.ci_high


def test_trends_that_diverge_before_the_start_are_caught():
    rng = np.random.default_rng(4)
    periods = np.arange(60)
    y = pd.DataFrame({f"c{i}": rng.poisson(80 * np.ones(60)) for i in range(6)}, index=periods)
    y["t"] = rng.poisson(80 * np.exp(0.02 * periods))  # the treated one grows all along: no intervention needed
    d = difference_in_differences(y, "t", 30)
    assert d.parallel_before is False and "did not run parallel" in d.sentence()
    lead = d.event_study[d.event_study["bin"] < -1]
    assert (lead["rate_ratio"].diff().dropna() > 0).all()  # the event study shows the climb before the start


def test_input_that_cannot_be_compared_is_refused():
    y = pd.DataFrame({"t": [1, 2, 3, 4], "c": [2, 3, 4, 5]})
    with pytest.raises(CommunityLabError, match="not among"):
        difference_in_differences(y, "x", 2)
    with pytest.raises(CommunityLabError, match="comparison community"):
        difference_in_differences(y[["t"]], "t", 2)
    with pytest.raises(CommunityLabError, match="no period before"):
        difference_in_differences(y, "t", 0)
    with pytest.raises(CommunityLabError, match="counts"):
        difference_in_differences(y.assign(c=[2, -1, 4, 5]), "t", 2)


def test_the_simulator_shows_before_after_overstating_and_both_designs_recover_the_truth():
    treated = datasets.load_community("sim:common_shock")
    others = [datasets.load_community(s) for s in datasets.load_comparisons("sim:common_shock")]
    wide = comparison_outcomes(treated, {c.name: c for c in others}, "member_to_member_replies", "week")
    start = datasets.load_milestones("sim:common_shock")["date"].min()
    versus = compare(wide, treated.name, start, period="week")
    assert versus.did.ci_low < EFFECT < versus.did.ci_high
    assert abs(versus.synth_ratio - EFFECT) < 0.1 and versus.synth_fits
    alone = InterruptedTimeSeries().fit(outcome_series(treated, "member_to_member_replies", "week"),
                                        datasets.load_milestones("sim:common_shock")).impact(seed=0)
    assert alone["ratio_low"] > versus.did.ci_high  # before/after credits the intervention with the shock
    words = " ".join(versus.sentences("member_to_member_replies"))
    assert "difference in differences against 8 comparison communities" in words and "as closely as its noise allows" in words
    signals = study_advice.intervention_signals(alone, pd.DataFrame(), pd.DataFrame(), None, "member_to_member_replies", "week",
                                                versus=versus)
    assert signals["shared_change"]["did"] == f"{versus.did.rate_ratio:.2f}" and signals["no_comparison"] is None


def test_without_comparison_the_study_says_so():
    c = datasets.load_community("sim:revitalized")
    wide = comparison_outcomes(c, {}, "member_posts", "week")
    versus = compare(wide, c.name, datasets.load_milestones("sim:revitalized")["date"].min())
    assert versus.did is None and versus.sentences("member_posts") == [
        "No comparison design: no comparison community was given (parameter comparison)."]
    assert datasets.load_comparisons("sim:revitalized") == [] and datasets.load_comparisons("x.zip", ["y.zip"]) == ["y.zip"]


def test_a_community_yml_gives_one_comparison_community_per_source(tmp_path):
    from communitylab.intervention import comparison_communities
    from communitylab.simulate import simulate

    for scenario in ("living", "dormant"):
        simulate(scenario).write_support_export(tmp_path / f"{scenario}.csv")
    (tmp_path / "community.yml").write_text("name: others\nsources:\n  forum-a:\n    path: living.csv\n"
                                            "  forum-b:\n    path: dormant.csv\n")
    others = comparison_communities([datasets.load_community(str(tmp_path / "community.yml")),
                                     datasets.load_community("sim:common_shock:comparison=1")])
    assert list(others) == ["forum-a", "forum-b", "comparison_1"]
    with pytest.raises(CommunityLabError, match="named 'comparison_1'"):
        comparison_communities([others["comparison_1"], others["comparison_1"]])
