"""Intervention studies: the ITS model against R's glm on the published Sicily example, parameter
recovery on simulated series, change points against brute force, the revitalized scenario's truth."""

from __future__ import annotations

import itertools

import matplotlib
import numpy as np
import pandas as pd
import pytest

from communitylab import DataValidationError
from communitylab.intervention import (
    InterruptedTimeSeries,
    before_after,
    group_milestones,
    outcome_series,
    placebo_in_time,
    poisson_changepoints,
)
from communitylab.plots import plot_interrupted_series
from communitylab.simulate import simulate
from tests.conftest import real
from tests.results.results_its_r import PUBLISHED_RATE_RATIO, SICILY

matplotlib.use("Agg")

MODELS = {
    "m1": {"slope_change": False, "cov_type": "model"},
    "m2": {"slope_change": False, "cov_type": "quasi"},
    "m3": {"slope_change": False, "cov_type": "quasi", "harmonics": 2, "season_length": 12},
    "m4": {"slope_change": True, "cov_type": "quasi", "harmonics": 2, "season_length": 12},
}


@pytest.fixture(scope="module")
def sicily() -> pd.DataFrame:
    return pd.read_csv(real("sicily"))


@pytest.mark.parametrize("name", list(MODELS))
def test_its_matches_r_glm_on_the_sicily_smoking_ban(sicily, name):
    """R: glm(aces ~ offset(log(stdpop)) + smokban + time [+ harmonics] [+ I(time-36):smokban],
    family = poisson / quasipoisson) — Lopez Bernal, Cummins & Gasparrini (2017)."""
    m = InterruptedTimeSeries(**MODELS[name]).fit(sicily, {"smoking ban": 37}, time="time", value="aces", exposure="stdpop", season="month")
    ref, b, se = SICILY[name], m.result_.params, m.result_.bse
    level = "level: smoking ban"
    if name == "m4":
        # R counts the ramp from 1 in the first month of the ban, we from 0: L_ours = L_R + S
        assert b["slope: smoking ban"] == pytest.approx(ref["slope"][0], rel=1e-5)
        assert se["slope: smoking ban"] == pytest.approx(ref["slope"][1], rel=1e-5)
        assert b[level] - b["slope: smoking ban"] == pytest.approx(ref["smokban"][0], rel=1e-5)
    else:
        assert (b[level], se[level]) == pytest.approx(ref["smokban"], rel=1e-5)
    assert (b["trend"], se["trend"]) == pytest.approx(ref["time"], rel=1e-5)
    for k in ("s1", "c1", "s2", "c2"):
        if k in ref:
            term = {"s": "sin", "c": "cos"}[k[0]] + k[1]
            assert (b[term], se[term]) == pytest.approx(ref[k], rel=1e-5, abs=1e-9)
    if name != "m1":
        assert m.dispersion_ == pytest.approx(ref["dispersion"], rel=1e-5)  # R stops IRLS at a deviance change of 1e-8
    if name in PUBLISHED_RATE_RATIO:
        e = m.effects().iloc[0]
        got = (e["level_change"], e["level_ci_low"], e["level_ci_high"])
        assert np.round(got, 3) == pytest.approx(PUBLISHED_RATE_RATIO[name], abs=1e-9)


def test_its_recovers_a_known_level_change():
    """Poisson series with a 3 %/period trend and a 1.5× jump at period 40: the estimate is unbiased
    and the 95 % interval covers the truth about 95 % of the time."""
    t = np.arange(80)
    mu = np.exp(np.log(20) + 0.03 * t * 0.3 + np.log(1.5) * (t >= 40))
    hits, estimates = 0, []
    for seed in range(200):
        y = np.random.default_rng(seed).poisson(mu)
        m = InterruptedTimeSeries().fit(pd.DataFrame({"period": t, "value": y}), [40])
        e = m.effects().iloc[0]
        estimates.append(e["level_change"])
        hits += e["level_ci_low"] <= 1.5 <= e["level_ci_high"]
    assert np.mean(estimates) == pytest.approx(1.5, rel=0.02)
    assert 0.90 <= hits / 200 <= 0.99


def test_counterfactual_and_impact_without_an_effect():
    """No intervention effect: the level-change and impact intervals cover "no change" at about
    the nominal rate (the impact interval a little less: it leaves out the counts' own noise)."""
    t = np.arange(60)
    level_hits = impact_hits = 0
    for seed in range(200):
        y = np.random.default_rng(seed).poisson(np.exp(3 + 0.01 * t))
        m = InterruptedTimeSeries().fit(pd.DataFrame({"period": t, "value": y}), [30])
        e, imp = m.effects().iloc[0], m.impact(seed=1, n_draws=500)
        level_hits += e["level_ci_low"] <= 1 <= e["level_ci_high"]
        impact_hits += imp["ratio_low"] <= 1 <= imp["ratio_high"]
    assert 0.90 <= level_hits / 200 <= 0.99 and 0.87 <= impact_hits / 200 <= 0.99
    assert imp["periods"] == 30 and imp.equals(m.impact(seed=1, n_draws=500))  # seeded
    cf = m.predict(counterfactual=True)
    assert cf["expected"].iloc[:30].to_numpy() == pytest.approx(m.predict()["expected"].iloc[:30].to_numpy())


def test_milestones_are_grouped_into_phases():
    weeks = pd.Series(pd.date_range("2024-01-01", periods=30, freq="7D", tz="UTC"))
    ms = pd.DataFrame({"date": pd.to_datetime(["2024-02-07", "2024-02-14", "2024-03-20", "2024-06-01"], utc=True), "milestone": ["a", "b", "c", "d"]})
    phases = group_milestones(weeks, ms, min_gap=4)
    assert [p.milestones for p in phases] == [("a", "b"), ("c",), ("d",)]
    assert phases[0].start == 5 and phases[0].start_time == weeks[5]  # the week that contains 7 Feb
    with pytest.raises(DataValidationError, match="milestones.*date"):
        group_milestones(weeks, {"too late": "2025-06-01"})
    with pytest.raises(DataValidationError, match="at least 4 periods before"):
        InterruptedTimeSeries().fit(pd.DataFrame({"period": weeks, "value": 1}), {"early": "2024-01-10"})
    with pytest.raises(DataValidationError, match="value.*non-negative"):
        InterruptedTimeSeries().fit(pd.DataFrame({"period": weeks, "value": [-1] + [1] * 29}), {"x": "2024-04-01"})


def _brute_force(y, min_size, pen, max_changes=3):
    n, best = len(y), (np.inf, None)
    for k in range(max_changes + 1):
        for cuts in itertools.combinations(range(min_size, n - min_size + 1), k):
            bounds = (0, *cuts, n)
            if any(b - a < min_size for a, b in zip(bounds[:-1], bounds[1:])):
                continue
            cost = k * pen
            for a, b in zip(bounds[:-1], bounds[1:]):
                s = y[a:b].sum()
                cost += -2 * (s * np.log(s / (b - a)) - s) if s > 0 else 0.0
            best = min(best, (cost, cuts))
    return list(best[1])


@pytest.mark.parametrize("seed", range(5))
def test_changepoints_find_the_optimum_brute_force_finds(seed):
    rng = np.random.default_rng(seed)
    y = np.concatenate([rng.poisson(3, 8), rng.poisson(9, 7), rng.poisson(4, 7)])
    cp = poisson_changepoints(y, min_size=3)
    assert cp["start_pos"].iloc[1:].tolist() == _brute_force(y, 3, 2 * np.log(len(y)))
    assert cp["periods"].sum() == len(y)


def test_changepoints_locate_a_simulated_change_and_reject_bad_input():
    y = np.random.default_rng(0).poisson(np.r_[np.full(30, 5.0), np.full(30, 15.0)])
    cp = poisson_changepoints(y)
    assert len(cp) == 2 and abs(cp["start_pos"].iloc[1] - 30) <= 1
    assert cp["ratio_to_previous"].iloc[1] == pytest.approx(3, rel=0.2)
    assert len(poisson_changepoints(np.random.default_rng(1).poisson(5, 60))) == 1
    with pytest.raises(ValueError, match="non-negative"):
        poisson_changepoints([1, -2, 3])


def test_outcome_series_on_the_tiny_log(tiny):
    s = outcome_series(tiny, "member_to_member_replies", "week", end="2024-02-05")
    # r1 b->a and r4 b->a in the week of 1 January; r5 c->c in the week of 29 January
    assert s["value"].tolist() == [2, 0, 0, 0, 1] and s.attrs["excluded_periods"] == []
    cut = outcome_series(tiny, "member_posts", "week")  # observation ends with t3's reply, 1 February
    assert cut["value"].tolist() == [1, 0, 0, 0] and len(cut.attrs["excluded_periods"]) == 1
    with pytest.raises(ValueError, match="outcome must be one of"):
        outcome_series(tiny, "likes")


@pytest.fixture(scope="module")
def revitalized():
    sim = simulate("revitalized", seed=0)
    return sim, sim.community()


def test_the_revitalized_scenario_shows_its_truth(revitalized):
    sim, c = revitalized
    ms = sim.truth["milestones"]
    s = outcome_series(c, "member_posts", "week")
    m = InterruptedTimeSeries().fit(s, ms)
    effects = m.effects().set_index("milestones")
    lead = effects.loc[[i for i in effects.index if "lead the conversation" in i][0]]
    assert lead["level_ci_low"] > 1  # the rate of member threads jumps when members take over
    assert m.impact()["ratio_low"] > 1
    # found without the dates: a change between the first milestone and two weeks after the 7th
    changes = poisson_changepoints(s["value"], index=s["period"]).attrs["changes"]
    assert any(ms["date"].iloc[0] - pd.Timedelta(days=7) <= t <= ms["date"].iloc[6] + pd.Timedelta(days=14) for t in changes)
    placebo = placebo_in_time(m)
    assert placebo.attrs["n_placebos"] == m.phases_[0].start - 2 * m.min_pre_periods + 1
    assert set(placebo.attrs["p_values"]) == {p.name for p in m.phases_}
    table = before_after(c, ms["date"].min(), ms["date"].max())
    assert table.loc["before", "verdict"] == "dormant"
    assert table.loc["after", "verdict"] == sim.truth["expected_verdict_after_milestones"]
    ax = plot_interrupted_series(m, changepoints=poisson_changepoints(s["value"], index=s["period"]))
    assert len(ax.lines) >= 3


def test_milestones_come_from_the_parameter_or_the_scenario():
    from communitylab.datasets import load_milestones

    given = load_milestones("twcs-sample", {"new rules": "2017-10-10", "manager": "2017-10-01"})
    assert given["milestone"].tolist() == ["manager", "new rules"] and str(given["date"].dt.tz) == "UTC"
    assert len(load_milestones("sim:revitalized")) == 8
    with pytest.raises(DataValidationError, match="dated interventions for 'twcs-sample'"):
        load_milestones("twcs-sample")
    with pytest.raises(DataValidationError, match="new rules='soon'"):
        load_milestones("twcs-sample", {"new rules": "soon"})


def test_the_answer_and_diagnostics_say_what_the_numbers_say(revitalized):
    from communitylab import report

    sim, c = revitalized
    s = outcome_series(c, "member_posts", "week")
    m = InterruptedTimeSeries().fit(s, sim.truth["milestones"])
    placebo = placebo_in_time(m)
    text = report.intervention_answer(m.effects(), m.impact(), placebo, "member_posts", "week")
    assert f"{m.impact()['ratio']:.1f}×" in text and "Placebo check" in text
    p = min(placebo.attrs["p_values"].values())
    supported = p <= report.PLACEBO_ALPHA or p <= 1 / (placebo.attrs["n_placebos"] + 1) + 1e-12
    assert ("the check of the earlier trend supports it" in text) == supported
    assert "Ljung-Box" in report.its_diagnostics(m)


@pytest.mark.parametrize("low, high, p, n, headline", [
    (1.5, 3.0, 0.05, 19, "changed after the interventions, and the check of the earlier trend supports it"),
    (1.5, 3.0, 0.18, 19, "does not support calling it an effect of the interventions"),
    (1.5, 3.0, 1 / 6, 5, "changed after the interventions, and the check of the earlier trend supports it"),  # the best 5 fake dates allow
    (0.8, 3.0, 0.05, 19, "The data cannot tell a change in member posts from its earlier trend"),
    (1.5, 3.0, None, 0, "no check of that trend was possible"),
])
def test_the_headline_folds_in_the_placebo_check(low, high, p, n, headline):
    import pandas as pd

    from communitylab import report

    impact = pd.Series({"ratio": 2.0, "ratio_low": low, "ratio_high": high, "observed": 200, "counterfactual": 100, "periods": 10})
    effects = pd.DataFrame({"phase": ["launch"], "level_change": [2.0], "level_ci_low": [low], "level_ci_high": [high]})
    placebo = pd.DataFrame()
    placebo.attrs = {"n_placebos": n, "p_values": {"launch": p}} if n else {"n_placebos": 0}
    text = report.intervention_answer(effects, impact, placebo, "member_posts", "week")
    assert headline in text.split("\n")[0], text
