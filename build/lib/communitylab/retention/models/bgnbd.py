"""BG/NBD (Fader, Hardie & Lee 2005): non-contractual repeat activity and P(alive)."""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.special import betaln, digamma, gammaln, hyp2f1

from communitylab.retention.models._mle import PositiveMLE, rfm_arrays

__all__ = ["BetaGeoFitter"]


class BetaGeoFitter(PositiveMLE):
    """BG/NBD model. Parameters ``r, alpha`` (gamma heterogeneity of the transaction rate) and
    ``a, b`` (beta heterogeneity of the dropout probability after each transaction).

    ``fit(df, frequency_col, recency_col, T_col, weights_col=None)`` takes a per-member summary:
    repeat transactions ``x``, time of the last one since the first ``t_x`` and age ``T`` (same unit).

    Notes
    -----
    Valid for non-contractual settings where members can be active at any time and leave
    unobserved. By construction P(alive) = 1 for members with no repeat activity (Hardie note 021).

    References
    ----------
    Fader, Hardie & Lee (2005), "Counting your customers the easy way", Marketing Science 24(2).
    Published CDNOW fit: r = 0.243, alpha = 4.414, a = 0.793, b = 2.426, LL = -9582.4.
    """

    _param_names = ("r", "alpha", "a", "b")

    def fit(self, df: pd.DataFrame, frequency_col: str = "frequency", recency_col: str = "recency", T_col: str = "T", weights_col: str | None = None) -> BetaGeoFitter:
        data = rfm_arrays(df, frequency_col, recency_col, T_col, weights_col, "BetaGeoFitter.fit")
        return self._fit_data(data, int(data["w"].sum()))

    @staticmethod
    def _loglik(p, x, tx, T):
        r, alpha, a, b = p
        A1 = gammaln(r + x) - gammaln(r) + r * np.log(alpha)
        A2 = betaln(a, b + x) - betaln(a, b)
        A3 = -(r + x) * np.log(alpha + T)
        with np.errstate(divide="ignore", invalid="ignore"):
            A4 = np.where(x > 0, np.log(a) - np.log(np.maximum(b + x - 1, 1e-300)) - (r + x) * np.log(alpha + tx), -np.inf)
        return A1 + A2 + np.logaddexp(A3, A4)

    def _negll(self, p, d):
        return self._negll_grad(p, d)[0]

    @staticmethod
    def _negll_grad(p, d):
        """Negative log-likelihood and its analytic gradient in ``(r, alpha, a, b)``.

        Special functions of ``x`` are evaluated once per distinct repeat count (a handful),
        the rest is one pass of array arithmetic over the members.
        """
        r, alpha, a, b = p
        x, tx, T, w = d["x"], d["tx"], d["T"], d["w"]
        ux, inv = d["ux"], d["ux_inv"]
        lg = (gammaln(r + ux) - gammaln(r) + gammaln(a + b) + gammaln(b + ux) - gammaln(b) - gammaln(a + b + ux))[inv]
        dr1 = (digamma(r + ux) - digamma(r))[inv] + np.log(alpha)
        da2 = (digamma(a + b) - digamma(a + b + ux))[inv]
        db2 = (digamma(a + b) + digamma(b + ux) - digamma(b) - digamma(a + b + ux))[inv]
        log_aT, log_atx = np.log(alpha + T), np.log(alpha + tx)
        A3 = -(r + x) * log_aT
        pos = x > 0
        bx1 = np.where(pos, b + x - 1, 1.0)
        A4 = np.where(pos, np.log(a) - np.log(bx1) - (r + x) * log_atx, -np.inf)
        L = np.logaddexp(A3, A4)
        w3, w4 = np.exp(A3 - L), np.where(pos, np.exp(A4 - L), 0.0)
        ll = lg + r * np.log(alpha) + L
        g_r = dr1 - w3 * log_aT - w4 * log_atx
        g_alpha = r / alpha - w3 * (r + x) / (alpha + T) - w4 * (r + x) / (alpha + tx)
        g_a = da2 + w4 / a
        g_b = db2 - w4 / bx1
        grad = -np.array([np.sum(w * g_r), np.sum(w * g_alpha), np.sum(w * g_a), np.sum(w * g_b)])
        return -float(np.sum(w * ll)), grad

    def conditional_probability_alive(self, frequency, recency, T) -> np.ndarray:
        """P(still active at T | x, t_x, T)."""
        self._check_fitted()
        r, alpha, a, b = self.params_
        x, tx, T = (np.asarray(v, float) for v in (frequency, recency, T))
        with np.errstate(divide="ignore", invalid="ignore"):
            log_term = np.log(a) - np.log(np.maximum(b + x - 1, 1e-300)) + (r + x) * (np.log(alpha + T) - np.log(alpha + tx))
        return np.where(x > 0, 1.0 / (1.0 + np.exp(log_term)), 1.0)

    def conditional_expected_number_of_purchases_up_to_time(self, t, frequency, recency, T) -> np.ndarray:
        """E[Y(t) | x, t_x, T]: expected transactions in the next ``t`` periods."""
        self._check_fitted()
        r, alpha, a, b = self.params_
        x, tx, T = (np.asarray(v, float) for v in (frequency, recency, T))
        z = t / (alpha + T + t)
        num = (a + b + x - 1) / (a - 1) * (1 - ((alpha + T) / (alpha + T + t)) ** (r + x) * hyp2f1(r + x, b + x, a + b + x - 1, z))
        with np.errstate(divide="ignore", invalid="ignore"):
            odds = np.where(x > 0, a / np.maximum(b + x - 1, 1e-300) * ((alpha + T) / (alpha + tx)) ** (r + x), 0.0)
        return num / (1 + odds)

    def expected_number_of_purchases_up_to_time(self, t) -> np.ndarray:
        """E[X(t)] for a member just acquired."""
        self._check_fitted()
        r, alpha, a, b = self.params_
        t = np.asarray(t, float)
        return (a + b - 1) / (a - 1) * (1 - (alpha / (alpha + t)) ** r * hyp2f1(r, b, a + b - 1, t / (alpha + t)))

    def predict(self, t, frequency, recency, T) -> np.ndarray:
        """Alias of :meth:`conditional_expected_number_of_purchases_up_to_time` (scikit-learn style)."""
        return self.conditional_expected_number_of_purchases_up_to_time(t, frequency, recency, T)
