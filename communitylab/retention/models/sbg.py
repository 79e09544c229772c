"""Shifted-beta-geometric (sBG) model of contractual retention (Fader & Hardie 2007)."""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.special import betaln

from communitylab.fit_inputs import numeric_vector
from communitylab.retention.models._mle import PositiveMLE

__all__ = ["ShiftedBetaGeometricFitter"]


class ShiftedBetaGeometricFitter(PositiveMLE):
    """Each member renews with a constant probability; churn probabilities theta ~ beta(alpha, beta).

    ``fit(survivors)``: members still active at the start of each period, starting with the cohort
    size (e.g. ``[1000, 631, 468, 382, 326, 289, 262, 241]``).

    Notes
    -----
    For contractual memberships (renewals, subscriptions) observed at regular periods, where a
    churned member does not come back. A cohort that grows is an error (members joined later
    belong to another cohort).

    References
    ----------
    Fader & Hardie (2007), "How to project customer retention", J. Interactive Marketing 21(1):
    regular customers (1000, 631, 468, 382, 326, 289, 262, 241) alpha = 0.704, beta = 1.182;
    high end (1000, 869, 743, 653, 593, 551, 517, 491) alpha = 0.668, beta = 3.806.
    """

    _param_names = ("alpha", "beta")

    def fit(self, survivors) -> ShiftedBetaGeometricFitter:
        from communitylab.schema import DataValidationError

        s = numeric_vector(survivors, "survivors", "ShiftedBetaGeometricFitter.fit")
        if len(s) < 2:
            raise DataValidationError("ShiftedBetaGeometricFitter.fit", "survivors", [], "at least two periods of survivor counts", 0)
        bad = np.flatnonzero((s < 0) | ~np.isfinite(s))
        if len(bad):
            raise DataValidationError("ShiftedBetaGeometricFitter.fit", "survivors", bad[:5].tolist(), "counts >= 0", len(bad))
        grows = np.flatnonzero(np.diff(s) > 0) + 1
        if len(grows):
            raise DataValidationError("ShiftedBetaGeometricFitter.fit", "survivors", grows[:5].tolist(), "a cohort that never grows (survivors non-increasing)", len(grows))
        self.survivors_ = s
        return self._fit_data({"s": s}, int(s[0]))

    @staticmethod
    def _log_pt(a, b, t):
        return betaln(a + 1, b + t - 1) - betaln(a, b)

    @staticmethod
    def _log_st(a, b, t):
        return betaln(a, b + t) - betaln(a, b)

    def _negll(self, p, d):
        a, b = p
        s = d["s"]
        t = np.arange(1, len(s))
        lost = s[:-1] - s[1:]
        return -(np.sum(lost * self._log_pt(a, b, t)) + s[-1] * self._log_st(a, b, len(s) - 1))

    def survival_function(self, periods) -> np.ndarray:
        """S(t): share of the cohort still a member after t periods."""
        self._check_fitted()
        a, b = self.params_
        return np.exp(self._log_st(a, b, np.asarray(periods, float)))

    def retention_rate(self, periods) -> np.ndarray:
        """r(t) = S(t)/S(t-1) = (beta + t - 1)/(alpha + beta + t - 1): rises with tenure (sorting)."""
        self._check_fitted()
        a, b = self.params_
        t = np.asarray(periods, float)
        return (b + t - 1) / (a + b + t - 1)

    def retention_table(self, periods: int = 7) -> pd.DataFrame:
        """``period, retention_rate, survival`` for periods 1..``periods``."""
        t = np.arange(1, periods + 1)
        return pd.DataFrame({"period": t, "retention_rate": self.retention_rate(t), "survival": self.survival_function(t)})

    def expected_lifetime(self, discount_rate: float = 0.0, horizon: int = 10_000) -> float:
        """Expected number of periods a new member pays (discounted when ``discount_rate`` > 0)."""
        t = np.arange(0, horizon)
        return float(np.sum(self.survival_function(t) / (1 + discount_rate) ** t))

    def predict(self, periods) -> np.ndarray:
        return self.survival_function(periods)
