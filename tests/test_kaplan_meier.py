"""Kaplan–Meier from counted times against statsmodels' SurvfuncRight on one row per subject."""

from __future__ import annotations

import numpy as np
import pytest
from statsmodels.duration.survfunc import SurvfuncRight

from communitylab.retention.kaplan_meier import KaplanMeier


def _subjects(seed: int, n: int = 400):
    rng = np.random.default_rng(seed)
    times = np.round(rng.exponential(10, n), 0)  # rounded: many ties, events and censorings at the same time
    events = rng.random(n) < 0.7
    return times, events


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_counted_rows_give_statsmodels_numbers_on_one_row_per_subject(seed):
    times, events = _subjects(seed)
    sf = SurvfuncRight(times, events.astype(int))
    uniq, counts = np.unique(np.column_stack([times, events]), axis=0, return_counts=True)
    km = KaplanMeier().fit(uniq[:, 0], uniq[:, 1], counts=counts)
    shuffled = np.random.default_rng(seed).permutation(len(counts))  # rows in any order: the same fit
    again = KaplanMeier().fit(uniq[shuffled, 0], uniq[shuffled, 1], counts=counts[shuffled])
    np.testing.assert_array_equal(again.surv_prob, km.surv_prob)
    np.testing.assert_array_equal(km.surv_times, sf.surv_times)
    np.testing.assert_allclose(km.surv_prob, sf.surv_prob, rtol=1e-12)
    np.testing.assert_allclose(km.surv_prob_se, sf.surv_prob_se, rtol=1e-12, equal_nan=True)
    np.testing.assert_array_equal(km.n_risk, sf.n_risk)
    assert km.n == len(times)
    for p in (0.25, 0.5, 0.75):
        assert km.quantile(p) == sf.quantile(p)
        with np.errstate(divide="ignore", invalid="ignore"):
            assert km.quantile_ci(p, level=0.95) == pytest.approx(sf.quantile_ci(p, alpha=0.05))


def test_everyone_has_the_event_at_the_last_time():
    km = KaplanMeier().fit([1, 2, 2], [1, 1, 1])
    sf = SurvfuncRight(np.array([1.0, 2, 2]), np.array([1, 1, 1]))
    assert km.surv_prob.tolist() == pytest.approx([2 / 3, 0.0]) and km.surv_prob.tolist() == pytest.approx(sf.surv_prob.tolist())
    assert np.isnan(km.surv_prob_se[-1]) and np.isnan(sf.surv_prob_se[-1])
    assert km.quantile(0.5) == 2.0


def test_log_log_band_by_hand():
    """Times 1, 2, 2+, 3, 4+, 5 (+: censored). Risk sets (n, d) = (6, 1), (5, 1), (3, 1), (1, 1), so S =
    5/6, 2/3, 4/9, 0; Greenwood's sum g = 1/30, +1/20, +1/6; the log-log band is S ** exp(±1.96
    sqrt(g) / |log S|): lower 0.2731, 0.1946, 0.0662, upper 0.9747, 0.9044, 0.7849."""
    km = KaplanMeier().fit([1, 2, 2, 3, 4, 5], [1, 1, 0, 1, 0, 1])
    lo, hi = km.confidence_band(0.95)
    assert km.surv_prob.tolist() == pytest.approx([5 / 6, 2 / 3, 4 / 9, 0.0], abs=1e-4)
    assert lo[:3].tolist() == pytest.approx([0.2731, 0.1946, 0.0662], abs=1e-4)
    assert hi[:3].tolist() == pytest.approx([0.9747, 0.9044, 0.7849], abs=1e-4)


def test_bad_input_is_refused():
    with pytest.raises(ValueError, match="same length"):
        KaplanMeier().fit([1, 2], [1])
    with pytest.raises(ValueError, match="missing"):
        KaplanMeier().fit([1, np.nan], [1, 0])
