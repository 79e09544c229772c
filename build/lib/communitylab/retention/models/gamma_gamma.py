"""Gamma-Gamma model of value per transaction (Fader & Hardie 2013, note 025)."""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.special import gammaln

from communitylab.retention.models._mle import PositiveMLE, check_columns

__all__ = ["GammaGammaFitter"]


class GammaGammaFitter(PositiveMLE):
    """Spend per transaction ~ gamma(p, nu), nu ~ gamma(q, gamma) across members.

    ``fit(df, frequency_col, monetary_value_col)`` uses members with at least one repeat
    transaction: ``frequency`` = x, ``monetary_value`` = mean value of the x repeat transactions.

    Notes
    -----
    Assumes spend is independent of transaction frequency (check the correlation first).

    References
    ----------
    Fader & Hardie (2013), "The Gamma-Gamma model of monetary value". CDNOW (946 repeat buyers):
    p = 6.25, q = 3.74, gamma = 15.44.
    """

    _param_names = ("p", "q", "gamma")

    def fit(self, df: pd.DataFrame, frequency_col: str = "frequency", monetary_value_col: str = "monetary_value") -> GammaGammaFitter:
        from communitylab.schema import DataValidationError

        check_columns(df, [frequency_col, monetary_value_col], "GammaGammaFitter.fit")
        x, m = df[frequency_col].to_numpy(float), df[monetary_value_col].to_numpy(float)
        for bad, col, exp in ((x <= 0, frequency_col, "at least one repeat transaction (filter frequency > 0)"), (m <= 0, monetary_value_col, "a positive mean value")):
            if bad.any():
                raise DataValidationError("GammaGammaFitter.fit", col, np.flatnonzero(bad)[:5].tolist(), exp, int(bad.sum()))
        return self._fit_data({"x": x, "m": m}, len(x))

    def _negll(self, params, d):
        p, q, g = params
        x, m = d["x"], d["m"]
        ll = gammaln(p * x + q) - gammaln(p * x) - gammaln(q) + q * np.log(g) + (p * x - 1) * np.log(m) + p * x * np.log(x) - (p * x + q) * np.log(g + m * x)
        return -np.sum(ll)

    def conditional_expected_average_profit(self, frequency, monetary_value) -> np.ndarray:
        """E[mean spend | x, mean value]; the population mean p*gamma/(q-1) when x = 0."""
        self._check_fitted()
        p, q, g = self.params_
        x, m = np.asarray(frequency, float), np.asarray(monetary_value, float)
        return (g + m * x) * p / (p * x + q - 1)

    def population_mean(self) -> float:
        p, q, g = self.params_
        return float(p * g / (q - 1))

    def predict(self, frequency, monetary_value) -> np.ndarray:
        return self.conditional_expected_average_profit(frequency, monetary_value)
