"""Customer-value models against published fits (tests/results/results_btyd.py) and parameter
recovery on data simulated from each model."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from communitylab import DataValidationError
from communitylab.retention.models import (
    BetaGeoBetaBinomFitter,
    BetaGeoFitter,
    GammaGammaFitter,
    NotFittedError,
    ParetoNBDFitter,
    ShiftedBetaGeometricFitter,
)
from communitylab.retention.models.simulate import (
    simulate_bgbb,
    simulate_bgnbd,
    simulate_gamma_gamma,
    simulate_pareto_nbd,
    simulate_sbg,
)
from tests.conftest import real
from tests.results import results_btyd as R


@pytest.fixture(scope="module")
def cdnow():
    return pd.read_csv(real("cdnow", "cdnow_customers_summary.csv"))


@pytest.fixture(scope="module")
def bgnbd(cdnow):
    return BetaGeoFitter().fit(cdnow)


def test_bgnbd_matches_fader_hardie_lee_2005(bgnbd):
    """R: bgnbd.EstimateParameters(cdnowSummary$cal.cbs) -> 0.243 4.414 0.793 2.426, LL -9582.4."""
    for k in ("r", "alpha", "a", "b"):
        assert bgnbd.params_[k] == pytest.approx(R.BGNBD_CDNOW[k], abs=1.5e-3)
    assert bgnbd.log_likelihood_ == pytest.approx(R.BGNBD_CDNOW["loglik"], abs=0.15)
    s = bgnbd.summary
    assert list(s.columns) == ["estimate", "se", "ci_low", "ci_high", "note"] and (s["note"] == "").all() and (s["se"] > 0).all()


def test_bgnbd_predictions_match_the_paper(bgnbd, cdnow):
    """Customer 0001 (x=2, t_x=30.43, T=38.86): E[Y(39)] = 1.226, P(alive) = 0.727; E[X(t)]."""
    assert bgnbd.predict(39, 2, 30.43, 38.86) == pytest.approx(1.226, abs=1.5e-3)
    assert bgnbd.conditional_probability_alive(2, 30.43, 38.86) == pytest.approx(0.727, abs=1.5e-3)
    expected = [0.0078, 0.0532, 0.1506, 1.0405, 1.0437, 1.858]
    got = bgnbd.expected_number_of_purchases_up_to_time([0.1429, 1, 3, 31.8571, 32, 78])
    np.testing.assert_allclose(got, expected, atol=1.5e-4 * 10)
    total = bgnbd.predict(39, cdnow["frequency"], cdnow["recency"], cdnow["T"]).sum()
    assert total == pytest.approx(1653.4, abs=0.5)
    assert (bgnbd.conditional_probability_alive(np.zeros(3), np.zeros(3), np.ones(3) * 30) == 1).all()


def test_pareto_nbd_matches_the_published_fit(cdnow):
    """R: pnbd.EstimateParameters(cal.cbs) -> r 0.553, alpha 10.578, s 0.606, beta 11.669; LL -9595.0."""
    m = ParetoNBDFitter().fit(cdnow)
    for k in ("r", "alpha", "s"):
        assert m.params_[k] == pytest.approx(R.PARETO_CDNOW[k], abs=1.5e-3)
    assert m.params_["beta"] == pytest.approx(R.PARETO_CDNOW["beta"], abs=0.02)  # flat direction
    assert m.log_likelihood_ == pytest.approx(R.PARETO_CDNOW["loglik"], abs=0.15)


def test_pareto_nbd_walkthrough_predictions():
    """R BTYD walkthrough at (0.5534, 10.5802, 0.6061, 11.6562): P(alive | 26, 30.86, 31) = 0.9979,
    E[Y(52)] = 25.46 (lifetimes' tests use abs 0.01)."""
    m = ParetoNBDFitter()
    m.params_ = pd.Series([0.5534, 10.5802, 0.6061, 11.6562], index=["r", "alpha", "s", "beta"])
    assert m.conditional_probability_alive(26, 30.86, 31) == pytest.approx(0.9979, abs=2e-4)
    assert m.predict(52, 26, 30.86, 31) == pytest.approx(25.46, abs=0.02)


def test_gamma_gamma_matches_note_025():
    g = pd.read_csv(real("cdnow", "cdnow_customers_summary_with_transactions.csv"))
    m = GammaGammaFitter().fit(g[g["x"] > 0], "x", "zbar")
    assert m.n_ == 946
    assert m.params_["p"] == pytest.approx(6.25, abs=1.5e-2)
    assert m.params_["q"] == pytest.approx(3.74, abs=1.5e-2)
    assert m.params_["gamma"] == pytest.approx(15.44, abs=1.5e-2)
    assert m.population_mean() == pytest.approx(35.17, abs=0.015)
    np.testing.assert_allclose(m.predict(g["x"][:10], g["zbar"][:10]), R.GAMMA_GAMMA_EXPECTED_SPEND, atol=0.015)


@pytest.fixture(scope="module")
def bgbb():
    d = pd.read_csv(real("cdnow", "donations.csv"))
    return BetaGeoBetaBinomFitter().fit(d, weights_col="weights"), d


def test_bgbb_matches_fader_hardie_shang_2010(bgbb):
    m, d = bgbb
    for k, v in R.BGBB_DONATIONS.items():
        assert m.params_[k] == pytest.approx(v, abs=1.5e-3)
    assert m.n_ == 11_104
    np.testing.assert_allclose(m.expected_number_of_purchases_up_to_time(range(1, 12)), R.BGBB_EXPECTED_X, atol=1.5e-4)
    np.testing.assert_allclose(m.conditional_probability_alive(1, [0, 2, 6], [0, 4, 6], [6, 6, 6]), R.BGBB_PALIVE, atol=0.015)
    probs = m.expected_number_of_transactions_in_first_n_periods(6)["probability"]
    np.testing.assert_allclose(probs.iloc[[0, 6]] * 11_104, R.BGBB_DONORS_0_AND_6, atol=0.15)
    total = (m.predict(5, d["frequency"], d["recency"], d["periods"]) * d["weights"]).sum()
    assert total == pytest.approx(R.BGBB_TOTAL_2002_2006, abs=0.15)


@pytest.mark.parametrize("case", [R.SBG_REGULAR, R.SBG_HIGH_END], ids=["regular", "high end"])
def test_sbg_matches_fader_hardie_2007(case):
    m = ShiftedBetaGeometricFitter().fit(case["survivors"])
    assert m.params_["alpha"] == pytest.approx(case["alpha"], abs=1.5e-3)
    assert m.params_["beta"] == pytest.approx(case["beta"], abs=1.5e-3)
    rr = m.retention_rate([1, 2, 10])
    assert rr[0] < rr[1] < rr[2]  # retention rises with tenure
    assert m.survival_function(0) == pytest.approx(1.0)


def _within(m, truth: dict, k_se: float = 3.5, rel: float = 0.15):
    for name, value in truth.items():
        est, se = m.params_[name], m.se_[name]
        assert abs(est - value) <= max(k_se * se, rel * value), f"{name}: {est:.3f} ± {se:.3f} vs {value}"


def test_recovery_bgnbd():
    truth = {"r": 0.5, "alpha": 5.0, "a": 0.8, "b": 2.5}
    _within(BetaGeoFitter().fit(simulate_bgnbd(8000, **truth, seed=1)), truth)


def test_recovery_pareto_nbd():
    truth = {"r": 0.6, "alpha": 8.0, "s": 0.8, "beta": 10.0}
    _within(ParetoNBDFitter().fit(simulate_pareto_nbd(8000, **truth, T=78, seed=2)), truth)


def test_recovery_sbg():
    truth = {"alpha": 0.7, "beta": 2.0}
    _within(ShiftedBetaGeometricFitter().fit(simulate_sbg(20_000, **truth, periods=10, seed=3)), truth)


def test_recovery_gamma_gamma():
    truth = {"p": 5.0, "q": 4.0, "gamma": 20.0}
    x = np.random.default_rng(4).integers(1, 10, size=5000)
    _within(GammaGammaFitter().fit(simulate_gamma_gamma(x, **truth, seed=4)), truth)


def test_recovery_bgbb():
    truth = {"alpha": 1.2, "beta": 0.8, "gamma": 0.7, "delta": 2.5}
    d = simulate_bgbb(20_000, **truth, periods=8, seed=5)
    agg = d.groupby(["frequency", "recency", "periods"]).size().rename("weights").reset_index()
    _within(BetaGeoBetaBinomFitter().fit(agg, weights_col="weights"), truth)


BAD = [
    (lambda: BetaGeoFitter().fit(pd.DataFrame({"frequency": [1, -1], "recency": [1, 0], "T": [5, 5]})), "frequency", "repeat transactions"),
    (lambda: BetaGeoFitter().fit(pd.DataFrame({"frequency": [1, 2], "recency": [1, 9], "T": [5, 5]})), "recency", "no later than the age"),
    (lambda: ParetoNBDFitter().fit(pd.DataFrame({"frequency": [0], "recency": [2], "T": [5]})), "recency", "recency 0"),
    (lambda: ShiftedBetaGeometricFitter().fit([100, 80, 90]), "survivors", "never grows"),
    (lambda: GammaGammaFitter().fit(pd.DataFrame({"frequency": [0, 2], "monetary_value": [5, 5]})), "frequency", "at least one repeat"),
    (lambda: BetaGeoBetaBinomFitter().fit(pd.DataFrame({"frequency": [3], "recency": [7], "periods": [6]})), "recency", "no later than"),
    (lambda: BetaGeoFitter().fit(pd.DataFrame({"freq": [1]})), "frequency", "columns"),
]


@pytest.mark.parametrize("call, column, expected", BAD)
def test_bad_input_gets_a_clear_error(call, column, expected):
    with pytest.raises(DataValidationError) as err:
        call()
    assert column in err.value.column and expected in str(err.value)


def test_unfitted_model_says_so():
    with pytest.raises(NotFittedError):
        _ = BetaGeoFitter().summary


def test_bgnbd_analytic_gradient_matches_finite_differences():
    from scipy.optimize import approx_fprime

    from communitylab.retention.models._mle import compress
    from communitylab.retention.models.simulate import simulate_bgnbd

    d = simulate_bgnbd(3000, 0.25, 4.0, 0.8, 2.5, T=52, seed=3)
    data = compress({"x": d["frequency"].to_numpy(float), "tx": d["recency"].to_numpy(float), "T": d["T"].to_numpy(float),
                     "w": np.ones(len(d))})
    p = np.array([0.3, 3.0, 0.9, 2.0])
    f, g = BetaGeoFitter._negll_grad(p, data)
    numeric = approx_fprime(p, lambda q: BetaGeoFitter._negll_grad(q, data)[0], 1e-7)
    np.testing.assert_allclose(g, numeric, rtol=1e-4)
    # merging identical members leaves the likelihood unchanged
    raw = -np.sum(BetaGeoFitter._loglik(p, d["frequency"].to_numpy(float), d["recency"].to_numpy(float), d["T"].to_numpy(float)))
    assert f == pytest.approx(raw, rel=1e-12) and len(data["x"]) < len(d)


def test_pareto_nbd_on_a_large_base_reaches_the_full_data_optimum(monkeypatch):
    """Above 4 x _WARM_START members the fit starts from a sample's fit and polishes it by Newton
    steps on all members: it must land where the plain search over all members lands."""
    from communitylab.retention.models import ParetoNBDFitter, pareto_nbd
    from communitylab.retention.models.simulate import simulate_bgnbd

    data = simulate_bgnbd(20_000, 0.25, 4.0, 0.8, 2.5, T=52, seed=3)
    plain = ParetoNBDFitter().fit(data)
    monkeypatch.setattr(pareto_nbd, "_WARM_START", 2_000)
    polished = ParetoNBDFitter().fit(data)
    assert polished.optimizer_message_.startswith("Newton polish")
    assert polished.log_likelihood_ == pytest.approx(plain.log_likelihood_, abs=1e-4)
    np.testing.assert_allclose(polished.params_, plain.params_, rtol=2e-3)
    assert ((polished.params_ - plain.params_).abs() < 0.05 * plain.se_).all()
    np.testing.assert_allclose(polished.se_, plain.se_, rtol=1e-2)


def test_simulated_transactions_recover_the_published_cdnow_fits():
    """The demo's transaction log (no download): BG/NBD and Gamma-Gamma fitted to it by the kit's own
    summary return the published CDNOW parameters it was drawn from."""
    from communitylab.retention.models.simulate import simulate_transactions
    from communitylab.retention.summary import rfm_summary

    tx = simulate_transactions(20_000, seed=6)
    assert list(tx.columns) == ["customer_id", "date", "value"] and tx["customer_id"].nunique() == 20_000
    assert tx["date"].min() >= pd.Timestamp("1997-01-01") and tx["date"].max() <= pd.Timestamp("1998-06-30")
    rfm = rfm_summary(tx, "customer_id", "date", monetary_value_col="value", observation_period_end="1998-07-01", time_scaler=7)
    _within(BetaGeoFitter().fit(rfm), {"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426})
    _within(GammaGammaFitter().fit(rfm[rfm.frequency > 0]), {"p": 6.25, "q": 3.74, "gamma": 15.44})
