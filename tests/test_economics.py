"""Economics against hand computations."""

from __future__ import annotations

import numpy as np
import pytest

from communitylab.retention.economics import (
    break_even_retention,
    expected_lifetime,
    lifetime_value,
    project_member_base,
    retention_from_statement,
    value_concentration,
)


def test_half_every_five_years():
    r = retention_from_statement(0.5, 5)
    assert r == pytest.approx(0.5 ** 0.2) and r ** 5 == pytest.approx(0.5)
    assert expected_lifetime(r) == pytest.approx(1 / (1 - r))  # 7.72 years


def test_lifetime_value_closed_form_equals_the_sum():
    m, r, d = 100.0, 0.8, 0.1
    direct = sum(m * r**t / (1 + d) ** t for t in range(2000))
    assert lifetime_value(m, r, d) == pytest.approx(direct)
    assert lifetime_value(m, r, d, acquisition_cost=50) == pytest.approx(direct - 50)


def test_break_even_retention_pays_exactly():
    m, r, d, c = 100.0, 0.8, 0.1, 10.0
    be = break_even_retention(m, r, c, d)
    assert lifetime_value(m - c, be["retention_needed"], d) == pytest.approx(lifetime_value(m, r, d))
    assert be["improvement"] > 0 and be["feasible"]
    assert not break_even_retention(m, r, 150.0, d)["feasible"]


def test_projection_by_hand_and_bands():
    p = project_member_base(100, 0.5, margin=1, budget=10, acquisition_cost=1, retention_with_programme=0.9, horizon=2)
    acq = p[p.strategy == "acquire"]["members"].tolist()
    ret = p[p.strategy == "retain"]["members"].tolist()
    assert acq == pytest.approx([100, 60, 40]) and ret == pytest.approx([100, 90, 81])
    draws = project_member_base(100, np.array([0.5, 0.6, 0.7]), margin=1, budget=10, acquisition_cost=1, retention_with_programme=np.array([0.8, 0.9, 0.95]), horizon=3)
    last = draws[draws.period == 3]
    assert (last["members_low"] <= last["members"]).all() and (last["members"] <= last["members_high"]).all()


def test_value_concentration():
    v = np.r_[np.full(25, 80 / 25), np.full(975, 20 / 975)]
    t = value_concentration(v, top=(0.025,), n_boot=100).set_index("metric")
    assert t.loc["top_2.5pct_value_share", "estimate"] == pytest.approx(0.8)


def test_bad_rates():
    with pytest.raises(ValueError):
        retention_from_statement(1.2, 5)
    with pytest.raises(ValueError):
        expected_lifetime(1.0)


def test_equivalent_retention_matches_the_model_over_the_horizon():
    from communitylab.retention.economics import equivalent_retention_draws
    from communitylab.retention.models import ShiftedBetaGeometricFitter

    m = ShiftedBetaGeometricFitter().fit([1000, 869, 743, 653, 593, 551, 517, 491])
    draws = equivalent_retention_draws(m, 10, 200, seed=1)
    med = float(np.median(draws))
    t = np.arange(10)
    assert np.sum(med ** t) == pytest.approx(m.survival_function(t).sum(), rel=0.05)
    assert 0 < draws.min() < draws.max() < 1


def test_community_revenue_share():
    import pandas as pd

    from communitylab.retention.economics import community_revenue_share

    tx = pd.DataFrame({"customer_id": ["a", "a", "b", "c", "d"], "value": [10, 5, 15, 50, 20]})
    r = community_revenue_share(tx, ["a", "b"], n_boot=200).iloc[0]
    assert r["estimate"] == pytest.approx(30 / 100) and r["member_customers"] == 2 and r["ci_low"] <= 0.3 <= r["ci_high"]


def test_acquire_or_keep_composes_the_projection_and_picks_the_larger_value():
    from communitylab.retention.economics import acquire_or_keep, equivalent_retention_draws
    from communitylab.retention.models import ShiftedBetaGeometricFitter

    sbg = ShiftedBetaGeometricFitter().fit([1000, 631, 468, 382, 326, 289, 262, 241])
    args = dict(members=1000, margin=100.0, budget=20000.0, retention_lift=0.05, horizon=10, discount_rate=0.1, n_draws=200, seed=0)
    cheap = acquire_or_keep(sbg, acquisition_cost=1.0, **args)  # members almost free to acquire: acquiring wins
    dear = acquire_or_keep(sbg, acquisition_cost=1e6, **args)  # members almost impossible to acquire: keeping wins
    assert cheap["winner"] == "acquiring members" and dear["winner"] == "keeping members"
    draws = equivalent_retention_draws(sbg, 10, 200, seed=0)
    np.testing.assert_allclose(cheap["draws"], draws)
    assert cheap["retention"][0] == pytest.approx(np.median(draws))
    assert cheap["retention"][1] < cheap["retention"][0] < cheap["retention"][2]
    assert cheap["break_even"] == break_even_retention(100.0, float(np.median(draws)), 20.0, 0.1)
    assert (cheap["at_horizon"]["cumulative_value"] == cheap["projection"].query("period == 10").set_index("strategy")["cumulative_value"]).all()
