"""BG/BB (Fader, Hardie & Shang 2010): discrete transaction opportunities (events, issues)."""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.special import betaln, gammaln

from communitylab.retention.models._mle import PositiveMLE, check_columns

__all__ = ["BetaGeoBetaBinomFitter"]


class BetaGeoBetaBinomFitter(PositiveMLE):
    """While alive, a member takes each opportunity with probability p ~ beta(alpha, beta); after
    each opportunity they die with probability theta ~ beta(gamma, delta).

    ``fit(df, frequency_col, recency_col, n_periods_col, weights_col)``: repeat transactions x,
    the opportunity of the last one t_x (0 if none) and the number of opportunities n.

    References
    ----------
    Fader, Hardie & Shang (2010), Marketing Science 29(6). Donations (11,104 donors, n = 6):
    alpha = 1.204, beta = 0.750, gamma = 0.657, delta = 2.783.
    """

    _param_names = ("alpha", "beta", "gamma", "delta")

    def fit(self, df: pd.DataFrame, frequency_col: str = "frequency", recency_col: str = "recency", n_periods_col: str = "periods", weights_col: str | None = None) -> BetaGeoBetaBinomFitter:
        from communitylab.schema import DataValidationError

        check_columns(df, [frequency_col, recency_col, n_periods_col], "BetaGeoBetaBinomFitter.fit")
        x, tx, n = (df[c].to_numpy(float) for c in (frequency_col, recency_col, n_periods_col))
        for bad, col, exp in (
            ((x < 0) | (x > tx), frequency_col, "0 <= frequency <= recency"),
            ((tx > n), recency_col, "recency no later than the number of opportunities"),
            ((x == 0) & (tx != 0), recency_col, "recency 0 when frequency is 0"),
        ):
            if bad.any():
                raise DataValidationError("BetaGeoBetaBinomFitter.fit", col, np.flatnonzero(bad)[:5].tolist(), exp, int(bad.sum()))
        w = df[weights_col].to_numpy(float) if weights_col else np.ones_like(x)
        return self._fit_data({"x": x, "tx": tx, "n": n, "w": w}, int(w.sum()))

    @staticmethod
    def _loglik(p, x, tx, n):
        a, b, g, d = p
        first = betaln(a + x, b + n - x) - betaln(a, b) + betaln(g, d + n) - betaln(g, d)
        i = np.arange(int(np.max(n - tx, initial=0)))[None, :]
        terms = betaln(a + x[:, None], b + tx[:, None] - x[:, None] + i) - betaln(a, b) + betaln(g + 1, d + tx[:, None] + i) - betaln(g, d)
        terms = np.where(i < (n - tx)[:, None], terms, -np.inf)
        return np.logaddexp.reduce(np.column_stack([first, terms]), axis=1)

    def _negll(self, p, d):
        return -np.sum(d["w"] * self._loglik(p, d["x"], d["tx"], d["n"]))

    def conditional_probability_alive(self, m_periods_in_future: int, frequency, recency, n_periods) -> np.ndarray:
        """P(alive at opportunity n + m | x, t_x, n)."""
        self._check_fitted()
        a, b, g, d = self.params_
        x, tx, n = (np.atleast_1d(np.asarray(v, float)) for v in (frequency, recency, n_periods))
        num = betaln(a + x, b + n - x) - betaln(a, b) + betaln(g, d + n + m_periods_in_future) - betaln(g, d)
        return np.exp(num - self._loglik(self.params_.to_numpy(), x, tx, n))

    def conditional_expected_number_of_purchases_up_to_time(self, m_periods_in_future: int, frequency, recency, n_periods) -> np.ndarray:
        """E[X(n, n + m) | x, t_x, n]: expected transactions in the next m opportunities."""
        self._check_fitted()
        a, b, g, d = self.params_
        x, tx, n = (np.atleast_1d(np.asarray(v, float)) for v in (frequency, recency, n_periods))
        m = m_periods_in_future
        log_l = self._loglik(self.params_.to_numpy(), x, tx, n)
        lead = betaln(a + x + 1, b + n - x) - betaln(a, b) - log_l
        part = np.exp(gammaln(1 + d + n) - gammaln(g + d + n)) - np.exp(gammaln(1 + d + n + m) - gammaln(g + d + n + m))
        return np.exp(lead) * d / (g - 1) * np.exp(gammaln(g + d) - gammaln(1 + d)) * part

    def expected_number_of_transactions_in_first_n_periods(self, n: int) -> pd.DataFrame:
        """P(X(n) = x) for x = 0..n for a member just acquired: ``frequency, probability``."""
        self._check_fitted()
        a, b, g, d = self.params_
        from scipy.special import comb

        probs = []
        for x in range(n + 1):
            p = comb(n, x) * np.exp(betaln(a + x, b + n - x) - betaln(a, b) + betaln(g, d + n) - betaln(g, d))
            for i in range(x, n):
                p += comb(i, x) * np.exp(betaln(a + x, b + i - x) - betaln(a, b) + betaln(g + 1, d + i) - betaln(g, d))
            probs.append(p)
        return pd.DataFrame({"frequency": range(n + 1), "probability": probs})

    def expected_number_of_purchases_up_to_time(self, n) -> np.ndarray:
        """E[X(n)] for a member just acquired."""
        self._check_fitted()
        a, b, g, d = self.params_
        n = np.asarray(n, float)
        return a / (a + b) * d / (g - 1) * (1 - np.exp(gammaln(g + d) - gammaln(g + d + n) + gammaln(1 + d + n) - gammaln(1 + d)))

    def predict(self, m_periods_in_future: int, frequency, recency, n_periods) -> np.ndarray:
        return self.conditional_expected_number_of_purchases_up_to_time(m_periods_in_future, frequency, recency, n_periods)
