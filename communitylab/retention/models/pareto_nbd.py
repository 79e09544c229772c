"""Pareto/NBD (Schmittlein, Morrison & Colombo 1987; likelihood as in Fader, Hardie & Lee 2005)."""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.special import gammaln, hyp2f1

from communitylab.retention.models._mle import PositiveMLE, rfm_arrays

__all__ = ["ParetoNBDFitter"]

_CHUNK = 100_000
#: above four times this many members, the fit starts from a seeded sample's fit and polishes it
#: on all members by Newton steps (the optimum is the full data's; far fewer evaluations)
_WARM_START = 50_000


def _hyp2f1(a, b, c, z) -> np.ndarray:
    """``scipy.special.hyp2f1`` elementwise, over the machine's cores for long arrays (the ufunc
    releases the GIL; each element is computed exactly as in one call)."""
    import os
    from concurrent.futures import ThreadPoolExecutor

    a, b, c, z = np.broadcast_arrays(*(np.asarray(v, float) for v in (a, b, c, z)))
    workers = min(os.cpu_count() or 1, max(1, len(z) // _CHUNK)) if z.ndim == 1 else 1
    if workers < 2:
        return hyp2f1(a, b, c, z)
    bounds = np.linspace(0, len(z), workers + 1).astype(int)
    with ThreadPoolExecutor(workers) as pool:
        parts = pool.map(lambda i: hyp2f1(a[bounds[i]:bounds[i + 1]], b[bounds[i]:bounds[i + 1]], c[bounds[i]:bounds[i + 1]],
                                          z[bounds[i]:bounds[i + 1]]), range(workers))
        return np.concatenate(list(parts))


class ParetoNBDFitter(PositiveMLE):
    """Pareto/NBD: Poisson transactions with gamma(r, alpha) rates, exponential lifetimes with
    gamma(s, beta) dropout rates. Same input as :class:`BetaGeoFitter`.

    Notes
    -----
    beta is weakly identified on CDNOW (the likelihood is flat along it): implementations land
    between 11.656 and 11.669; compare with tolerance.

    References
    ----------
    Fader, Hardie & Lee (2005b), "A note on deriving the Pareto/NBD model and related expressions".
    Published CDNOW fit: r = 0.553, alpha = 10.578, s = 0.606, beta = 11.669, LL = -9595.0.
    """

    _param_names = ("r", "alpha", "s", "beta")

    def fit(self, df: pd.DataFrame, frequency_col: str = "frequency", recency_col: str = "recency", T_col: str = "T", weights_col: str | None = None) -> ParetoNBDFitter:
        data = rfm_arrays(df, frequency_col, recency_col, T_col, weights_col, "ParetoNBDFitter.fit")
        initial = self.initial
        if initial is None:
            initial = (0.5, 10.0, 0.5, 10.0)
            if len(data["x"]) > 4 * _WARM_START:
                # a large base: start from the fit on a seeded sample of members, so that the full
                # likelihood (expensive per evaluation) is only polished; the optimum is the full data's
                rows = np.random.default_rng(0).choice(len(data["x"]), _WARM_START, replace=False)
                sample = {k: v[rows] for k, v in data.items()}
                warm = ParetoNBDFitter(level=self.level, initial=initial)._fit_data(sample, _WARM_START)
                self.initial = tuple(warm.params_)
                scale = data["w"].sum() / sample["w"].sum()
                try:
                    hessian = np.linalg.inv(warm._cov_log) * scale
                except np.linalg.LinAlgError:
                    hessian = None
                return self._fit_data(data, int(data["w"].sum()), newton_hessian=hessian)
        self.initial = initial
        return self._fit_data(data, int(data["w"].sum()))

    @staticmethod
    def _parts(p, x, tx, T, pairs=None):
        """log of the common factor, log of term 1, log of (s/(r+s+x)) A0.

        ``pairs`` = (distinct (x, T) rows, each member's index into them): the second
        hypergeometric term depends on x and T only, so it is evaluated once per distinct pair.
        """
        r, alpha, s, beta = p
        lead = gammaln(r + x) - gammaln(r) + r * np.log(alpha) + s * np.log(beta)
        log_t1 = -(r + x) * np.log(alpha + T) - s * np.log(beta + T)
        rsx = r + s + x
        if alpha >= beta:
            m, b2, z1, z2 = alpha, s + 1, (alpha - beta) / (alpha + tx), (alpha - beta) / (alpha + T)
        else:
            m, b2, z1, z2 = beta, r + x, (beta - alpha) / (beta + tx), (beta - alpha) / (beta + T)
        f1 = _hyp2f1(rsx, b2, rsx + 1, z1) / (m + tx) ** rsx
        if pairs is None:
            f2 = hyp2f1(rsx, b2, rsx + 1, z2) / (m + T) ** rsx
        else:
            (ux, uT), inv = pairs
            ursx = r + s + ux
            ub2 = s + 1 if alpha >= beta else r + ux
            f2 = (hyp2f1(ursx, ub2, ursx + 1, (alpha - beta) / (alpha + uT) if alpha >= beta else (beta - alpha) / (beta + uT))
                  / (m + uT) ** ursx)[inv]
        with np.errstate(divide="ignore", invalid="ignore"):
            log_t2 = np.log(s / rsx) + np.log(np.maximum(f1 - f2, 1e-300))
        return lead, log_t1, log_t2

    def _negll(self, p, d):
        if "xT_pairs" not in d:  # computed once per fit: the data dict is the same at every evaluation
            keys, inv = np.unique(np.column_stack([d["x"], d["T"]]), axis=0, return_inverse=True)
            d["xT_pairs"] = ((keys[:, 0], keys[:, 1]), inv.ravel())
        lead, t1, t2 = self._parts(p, d["x"], d["tx"], d["T"], d["xT_pairs"])
        return -np.sum(d["w"] * (lead + np.logaddexp(t1, t2)))

    def conditional_probability_alive(self, frequency, recency, T) -> np.ndarray:
        """P(alive at T | x, t_x, T)."""
        self._check_fitted()
        x, tx, T = (np.asarray(v, float) for v in (frequency, recency, T))
        _, t1, t2 = self._parts(self.params_.to_numpy(), x, tx, T)
        return 1.0 / (1.0 + np.exp(t2 - t1))

    def conditional_expected_number_of_purchases_up_to_time(self, t, frequency, recency, T) -> np.ndarray:
        """E[Y(t) | x, t_x, T]."""
        self._check_fitted()
        r, alpha, s, beta = self.params_
        x, T = np.asarray(frequency, float), np.asarray(T, float)
        palive = self.conditional_probability_alive(frequency, recency, T)
        return (r + x) * (beta + T) / ((alpha + T) * (s - 1)) * (1 - ((beta + T) / (beta + T + t)) ** (s - 1)) * palive

    def predict(self, t, frequency, recency, T) -> np.ndarray:
        return self.conditional_expected_number_of_purchases_up_to_time(t, frequency, recency, T)
