"""Synthetic control: a weighted mix of donor communities that tracks the treated one before an
intervention, and the gap after it (Abadie & Gardeazabal 2003; Abadie, Diamond & Hainmueller 2010,
2015).

The donor weights ``W`` lie on the simplex (non-negative, summing to one) and minimize the
distance between the treated unit's predictors and the donors' mix, weighted by a diagonal ``V``;
``V`` is chosen so that the synthetic outcome tracks the treated one over a fitting period (the
nested optimization of R's ``Synth``), or given. Predictors are scaled by their standard deviation
across all units first, as ``Synth`` does. Inference is by placebos in space: each donor treated in
turn, the ratio of post- to pre-period RMSPE, and the treated unit's rank among them.

Checked against the published weights on the Basque panel (Cataluña 0.8508, Madrid 0.1492) and the
West Germany panel (Austria 0.42, USA 0.22, Japan 0.16, Switzerland 0.11, Netherlands 0.09): see
``tests/test_synth.py``.

Examples
--------
>>> import numpy as np, pandas as pd
>>> t = np.arange(20)
>>> y = pd.DataFrame({"a": 10 + t, "b": 20 + t, "c": 30 + 0.5 * t}, index=t)
>>> y["treated"] = 0.5 * y["a"] + 0.5 * y["b"] + np.where(t >= 15, 5.0, 0.0)
>>> sc = synthetic_control(y, "treated", 15, placebos=False)
>>> sc.weights.round(2).to_dict()
{'a': 0.5, 'b': 0.5, 'c': 0.0}
>>> round(float(sc.effect), 2)
5.0
"""

from __future__ import annotations

import logging
import warnings
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy import optimize

from communitylab.errors import ParameterError

__all__ = ["SyntheticControl", "synthetic_control", "simplex_weights", "predictor_table"]

log = logging.getLogger("communitylab")


def simplex_weights(x1: np.ndarray, x0: np.ndarray, v: np.ndarray | None = None) -> np.ndarray:
    """Donor weights on the simplex minimizing ``(x1 - x0 w)' diag(v) (x1 - x0 w)``.

    ``x1``: the treated unit's predictors (k,); ``x0``: the donors' (k, J). Solved as a quadratic
    programme (SLSQP with the exact gradient, from equal weights and from the best single donor).
    """
    x1 = np.asarray(x1, float)
    x0 = np.asarray(x0, float)
    k, j = x0.shape
    v = np.ones(k) if v is None else np.asarray(v, float)
    h = x0.T @ (v[:, None] * x0)
    c = x0.T @ (v * x1)

    def loss(w):
        return w @ h @ w - 2 * c @ w

    def grad(w):
        return 2 * (h @ w - c)

    best = None
    starts = [np.full(j, 1 / j)]
    single = np.zeros(j)
    single[int(np.argmin([loss(e) for e in np.eye(j)]))] = 1.0
    starts.append(single)
    for w0 in starts:
        res = optimize.minimize(loss, w0, jac=grad, method="SLSQP", bounds=[(0, 1)] * j,
                                constraints=[{"type": "eq", "fun": lambda w: w.sum() - 1, "jac": lambda w: np.ones(j)}],
                                options={"ftol": 1e-14, "maxiter": 1000})
        if best is None or res.fun < best.fun:
            best = res
    w = np.clip(best.x, 0, None)
    return w / w.sum()


def predictor_table(panel: pd.DataFrame, *, unit: str, time: str,
                    specs: Sequence[tuple[str, Iterable[Any]]]) -> pd.DataFrame:
    """Predictors as ``Synth``'s ``dataprep`` builds them: each ``(column, times)`` the mean of the
    column over those times (missing values skipped), one row per predictor, one column per unit."""
    rows = {}
    for column, times in specs:
        times = list(times)
        sub = panel[panel[time].isin(times)]
        name = f"{column} ({times[0]}–{times[-1]})" if len(times) > 1 else f"{column} ({times[0]})"
        rows[name] = sub.groupby(unit)[column].mean()
    return pd.DataFrame(rows).T


@dataclass
class SyntheticControl:
    """A fitted synthetic control: the donors' weights, the predictor weights, the treated and
    synthetic series with their gap, the fit before and the effect after, and the placebos."""

    treated: str
    start: Any
    weights: pd.Series
    v: pd.Series
    series: pd.DataFrame
    pre_rmspe: float
    post_rmspe: float
    effect: float
    placebos: pd.DataFrame = field(default_factory=pd.DataFrame)

    @property
    def rmspe_ratio(self) -> float:
        """Post- over pre-period root mean squared prediction error."""
        return self.post_rmspe / self.pre_rmspe if self.pre_rmspe > 0 else np.inf

    @property
    def p_value(self) -> float:
        """Rank of the treated unit's RMSPE ratio among itself and its placebos (1 = largest), over
        their number: the permutation p-value of Abadie et al. (2010). NaN without placebos."""
        if self.placebos.empty:
            return np.nan
        ratios = self.placebos["rmspe_ratio"].to_numpy(float)
        return float((1 + (ratios >= self.rmspe_ratio).sum()) / (1 + len(ratios)))

    def _pre_spread(self, scale: float | None = None) -> tuple[float, float]:
        pre = self.series[self.series["period"] == "before"]
        spread = scale if scale is not None else float(pre["treated"].std(ddof=0))
        share = self.pre_rmspe / abs(pre["treated"].mean()) if pre["treated"].mean() else np.inf
        return spread, share

    def fits(self, *, noise: float | None = None, scale: float | None = None) -> bool:
        """Whether the synthetic community tracks the treated one closely enough before the start
        to trust the gap after: within 1.5 times ``noise`` (the treated series' own noise, e.g.
        Poisson's for counts) when it is given; otherwise within half the treated series' spread
        (``scale``) and a tenth of its level."""
        if noise is not None:
            return bool(self.pre_rmspe <= 1.5 * noise)
        spread, share = self._pre_spread(scale)
        return bool(spread > 0 and self.pre_rmspe <= 0.5 * spread and share <= 0.1)

    def fit_quality(self, *, scale: float | None = None) -> str:
        """The pre-period fit in words: the RMSPE against the treated series' own spread before."""
        spread, share = self._pre_spread(scale)
        verdict = "close enough to trust" if self.fits(scale=scale) else "too loose to trust"
        return (f"Before the intervention the synthetic community misses the treated one by {self.pre_rmspe:.3g} a period "
                f"(RMSPE; {share:.0%} of its level, against a spread of {spread:.3g}): {verdict}.")

    @property
    def summary(self) -> pd.DataFrame:
        """One row: the effect (mean gap after), the RMSPEs, their ratio and the placebo p-value."""
        return pd.DataFrame([{"treated": self.treated, "effect": self.effect, "pre_rmspe": self.pre_rmspe,
                              "post_rmspe": self.post_rmspe, "rmspe_ratio": self.rmspe_ratio, "p_value": self.p_value,
                              "placebos": len(self.placebos), "donors": int((self.weights > 0.001).sum())}])


def _scaled(predictors: pd.DataFrame) -> pd.DataFrame:
    sd = predictors.std(axis=1, ddof=1).replace(0, 1)
    return predictors.div(sd, axis=0)


def _optimal_v(x1, x0, z1, z0) -> np.ndarray:
    """Predictor weights chosen as ``Synth`` chooses them: ``V = |x| / sum|x|``, Nelder–Mead from equal
    weights, minimizing the fitting period's MSPE of the outcome. The outer problem has many local
    optima; this path is the one the published weights come from (a global search can find a lower
    MSPE with weights nobody published, so it is not what the method means)."""
    k = x0.shape[0]

    def mspe(raw):
        v = np.abs(raw)
        if not v.sum():
            return np.inf
        w = simplex_weights(x1, x0, v / v.sum())
        return float(np.mean((z1 - z0 @ w) ** 2))

    starts = [np.full(k, 1 / k)]
    units = np.column_stack([x1, x0]).T  # Synth's second start: squared coefficients of the outcomes on the predictors
    design = np.column_stack([np.ones(len(units)), units])
    if np.linalg.matrix_rank(design) == design.shape[1]:
        beta = np.linalg.lstsq(design, np.column_stack([z1, z0]).T, rcond=None)[0][1:]
        b2 = (beta ** 2).sum(axis=1)
        if b2.sum() > 0:
            starts.append(b2 / b2.sum())
    best = None
    for s in starts:
        res = optimize.minimize(mspe, s, method="Nelder-Mead", options={"maxiter": 1000})
        if best is None or res.fun < best.fun:
            best = res
    if not best.success:
        log.warning("synthetic control: the search for predictor weights stopped before converging (%s)", best.message)
    v = np.abs(best.x)
    return v / v.sum()


def _fit_one(outcomes: pd.DataFrame, treated: str, donors: list[str], start: Any, predictors: pd.DataFrame | None,
             fit_period: Sequence[Any] | None, custom_v: np.ndarray | None):
    pre_index = outcomes.index[outcomes.index < start]
    fit_index = pd.Index(fit_period) if fit_period is not None else pre_index
    z1 = outcomes.loc[fit_index, treated].to_numpy(float)
    z0 = outcomes.loc[fit_index, donors].to_numpy(float)
    if predictors is None:  # the pre-period outcomes themselves, equally weighted
        w = simplex_weights(z1, z0)
        v = np.ones(len(z1)) / len(z1)
        names = [f"outcome {t}" for t in fit_index]
    else:
        x = _scaled(predictors[[treated, *donors]])
        x1, x0 = x[treated].to_numpy(float), x[donors].to_numpy(float)
        v = np.asarray(custom_v, float) if custom_v is not None else _optimal_v(x1, x0, z1, z0)
        w = simplex_weights(x1, x0, v)
        names = list(predictors.index)
    synthetic = outcomes[donors].to_numpy(float) @ w
    gap = outcomes[treated].to_numpy(float) - synthetic
    before = (outcomes.index < start)
    pre = float(np.sqrt(np.mean(gap[before] ** 2)))
    post = float(np.sqrt(np.mean(gap[~before] ** 2))) if (~before).any() else np.nan
    series = pd.DataFrame({"time": outcomes.index, "treated": outcomes[treated].to_numpy(float), "synthetic": synthetic,
                           "gap": gap, "period": np.where(before, "before", "after")})
    return pd.Series(w, index=donors, name="weight"), pd.Series(v, index=names, name="v"), series, pre, post


def synthetic_control(outcomes: pd.DataFrame, treated: str, start: Any, *, predictors: pd.DataFrame | None = None,
                      fit_period: Sequence[Any] | None = None, custom_v: Sequence[float] | None = None,
                      donors: Sequence[str] | None = None, placebos: bool = True) -> SyntheticControl:
    """Fit a synthetic control for ``treated`` from the other columns of ``outcomes``.

    Parameters
    ----------
    outcomes : DataFrame
        The outcome, one row per period (sorted index: dates or numbers), one column per community.
    treated : str
        The treated community's column.
    start
        The first period of the intervention (rows before it are the pre-period).
    predictors : DataFrame, optional
        One row per predictor, one column per community (:func:`predictor_table`); without it,
        the pre-period outcomes are matched directly.
    fit_period : sequence, optional
        The periods over which ``V`` is chosen (default: the pre-period).
    custom_v : sequence of float, optional
        Predictor weights to use instead of choosing them (as ``Synth``'s ``custom.v``).
    donors : sequence of str, optional
        The donor pool (default: every other column).
    placebos : bool
        Refit with each donor treated in turn (from the other donors) for the permutation p-value.

    Raises
    ------
    ParameterError
        Missing outcomes, a treated column not in ``outcomes``, fewer than two donors or no
        pre-period.
    """
    if treated not in outcomes.columns:
        raise ParameterError(f"synthetic control: treated community {treated!r} is not a column of the outcomes "
                                  f"(columns: {', '.join(map(str, outcomes.columns))})")
    donors = [c for c in (donors if donors is not None else outcomes.columns) if c != treated]
    if len(donors) < 2:
        raise ParameterError(f"synthetic control needs at least two donor communities; got {len(donors)}")
    outcomes = outcomes.sort_index()
    if outcomes[[treated, *donors]].isna().any().any():
        bad = outcomes[[treated, *donors]].isna().any()
        raise ParameterError(f"synthetic control: missing outcomes for {', '.join(map(str, bad[bad].index))}; "
                                  "fill or drop those periods first")
    if not (outcomes.index < start).sum():
        raise ParameterError(f"synthetic control: no period before the start {start!r}")
    v_given = None if custom_v is None else np.asarray(custom_v, float)
    w, v, series, pre, post = _fit_one(outcomes, treated, donors, start, predictors, fit_period, v_given)
    effect = float(series.loc[series["period"] == "after", "gap"].mean())
    rows = []
    if placebos:
        for d in donors:
            others = [c for c in donors if c != d]
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", RuntimeWarning)
                _, _, s, p0, p1 = _fit_one(outcomes, d, others, start, predictors, fit_period, v_given)
            rows.append({"community": d, "pre_rmspe": p0, "post_rmspe": p1, "rmspe_ratio": p1 / p0 if p0 > 0 else np.inf,
                         "effect": float(s.loc[s["period"] == "after", "gap"].mean())})
    return SyntheticControl(treated, start, w, v, series, pre, post, effect, pd.DataFrame(rows))
