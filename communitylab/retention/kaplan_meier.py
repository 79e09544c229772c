"""Kaplan–Meier from counted times.

The estimator takes each distinct (time, event) with how many subjects share it, so that millions
of waiting times can be counted in the engine and only their distinct values reach Python. Its
numbers are statsmodels' ``SurvfuncRight`` on the same subjects one row each (Greenwood variance;
the tests check them against it), which with frequency weights would switch to Tsiatis' variance.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from communitylab.errors import NotFittedError, ParameterError
from communitylab.fit_inputs import numeric_vector

__all__ = ["KaplanMeier"]


class KaplanMeier:
    """Kaplan–Meier survival estimate for right-censored times, fitted from counted rows.

    Attributes (after :meth:`fit`), one entry per distinct time with at least one event:
    ``surv_times``, ``surv_prob`` (S(t)), ``surv_prob_se`` (Greenwood), ``n_risk`` and
    ``n_events``; ``n`` is the number of subjects.

    Examples
    --------
    Parameters
    ----------
    level : float
        The confidence level of :attr:`summary` and of :meth:`confidence_band` (0.95).

    Examples
    --------
    >>> km = KaplanMeier().fit([1.0, 2.0, 3.0], [1, 0, 1], counts=[2, 1, 1])
    >>> km.surv_prob.round(3).tolist()
    [0.5, 0.0]
    >>> list(km.summary.columns)
    ['time', 'at_risk', 'events', 'survival', 'se', 'ci_low', 'ci_high']
    """

    def __init__(self, *, level: float = 0.95) -> None:
        if not 0 < level < 1:
            raise ParameterError(f"level must be between 0 and 1, not {level!r}")
        self.level = level

    def fit(self, durations, event_observed, counts=None) -> KaplanMeier:
        """Fit to ``durations`` with ``event_observed`` (1: the event happened then; 0: censored
        then), each row standing for ``counts`` subjects (default 1)."""
        t = numeric_vector(durations, "durations", "KaplanMeier.fit")
        e = numeric_vector(event_observed, "event_observed", "KaplanMeier.fit").astype(bool)
        w = np.ones(len(t), dtype=float) if counts is None else numeric_vector(counts, "counts", "KaplanMeier.fit")
        if not (len(t) == len(e) == len(w)):
            raise ParameterError("durations, event_observed and counts must have the same length")
        if np.isnan(t).any() or (w < 0).any():
            raise ParameterError("durations must not be missing and counts must not be negative")
        if len(t) and np.all(t[1:] >= t[:-1]):  # already in order (as counted in the engine): no sort
            new = np.r_[True, t[1:] != t[:-1]]
            utime, rank = t[new], np.cumsum(new) - 1
        else:
            utime, rank = np.unique(t, return_inverse=True)
        d = np.bincount(rank, weights=w * e, minlength=len(utime))
        n = np.cumsum(np.bincount(rank, weights=w, minlength=len(utime))[::-1])[::-1]  # at risk just before each time
        keep = d > 0
        d, n, utime = d[keep], n[keep], utime[keep]
        step = 1 - d / n
        gone = step < 1e-16  # everyone still at risk had the event: S drops to zero there
        step[gone] = 1e-16
        sp = np.exp(np.cumsum(np.log(step)))
        sp[gone] = 0
        with np.errstate(divide="ignore", invalid="ignore"):
            var = d / np.clip(n * (n - d), 1e-12, np.inf)  # Greenwood's terms
        var[(n == d) | (n == 0)] = np.nan
        se = np.sqrt(np.cumsum(var))
        finite = np.isfinite(se) | (sp != 0)
        se[finite] *= sp[finite]
        se[~finite] = np.nan
        self.surv_times, self.surv_prob, self.surv_prob_se = utime, sp, se
        self.n_risk, self.n_events, self.n = n.astype(np.int64), d.astype(np.int64), int(w.sum())
        return self

    def quantile(self, p: float) -> float:
        """The time by which a share ``p`` of subjects had the event (the first time S(t) < 1 - p;
        NaN when it never falls that low)."""
        below = np.flatnonzero(self.surv_prob < 1 - p)
        return float(self.surv_times[below[0]]) if len(below) else float("nan")

    def quantile_ci(self, p: float, level: float = 0.95, *, alpha: float | None = None) -> tuple[float, float]:
        """Brookmeyer–Crowley interval for :meth:`quantile` with the complementary log-log
        transform (SAS's and statsmodels' default): the event times whose test of S(t) = 1 - p is
        not rejected at ``1 - level``; the upper limit is infinite when the last event time is one.
        ``alpha`` (statsmodels' name, ``1 - level``) is still accepted and deprecated."""
        from scipy.stats import norm

        if alpha is not None:
            import warnings

            warnings.warn("quantile_ci(alpha=) is deprecated: pass level=1 - alpha, as everywhere in communitylab",
                          FutureWarning, stacklevel=2)
            level = 1 - alpha
        z = norm.ppf(0.5 + level / 2)
        s = self.surv_prob
        with np.errstate(divide="ignore", invalid="ignore"):
            r = (np.log(-np.log(s)) - np.log(-np.log(1 - p))) / (-1 / (s * np.log(s)) * self.surv_prob_se)
        inside = np.flatnonzero(np.abs(r) <= z)
        if len(inside) == 0:
            return float("nan"), float("nan")
        upper = np.inf if inside[-1] == len(self.surv_times) - 1 else self.surv_times[inside[-1] + 1]
        return float(self.surv_times[inside[0]]), float(upper)

    def confidence_band(self, level: float | None = None) -> tuple[np.ndarray, np.ndarray]:
        """Pointwise log-log intervals of S(t), as R's ``survfit(..., conf.type = "log-log")``
        (at the fitter's ``level`` unless one is given)."""
        from scipy.stats import norm

        self._check_fitted()
        level = self.level if level is None else level
        z = norm.ppf(0.5 + level / 2)
        s = np.clip(self.surv_prob, 1e-12, 1 - 1e-12)
        se = self.surv_prob_se / (s * np.abs(np.log(s)))
        lo, hi = s ** np.exp(z * se), s ** np.exp(-z * se)
        return np.where(self.surv_prob >= 1, 1.0, lo), np.where(self.surv_prob >= 1, 1.0, hi)

    def _check_fitted(self) -> None:
        if not hasattr(self, "surv_prob"):
            raise NotFittedError("KaplanMeier is not fitted; call fit(...) first")

    @property
    def summary(self) -> pd.DataFrame:
        """``time, at_risk, events, survival, se, ci_low, ci_high`` at each event time (intervals
        at the fitter's ``level``)."""
        lo, hi = self.confidence_band()
        return pd.DataFrame({"time": self.surv_times, "at_risk": self.n_risk, "events": self.n_events,
                             "survival": self.surv_prob, "se": self.surv_prob_se, "ci_low": lo, "ci_high": hi})
