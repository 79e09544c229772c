"""Post-stratification and raking of respondents to known member-base margins."""

from __future__ import annotations

import warnings
from collections.abc import Mapping

import numpy as np
import pandas as pd

from communitylab.errors import ParameterError
from communitylab.schema import DataValidationError

__all__ = ["poststratify", "rake", "weighted_mean", "weighted_share", "weighting_comparison"]


def poststratify(responses: pd.DataFrame, column: str, population: Mapping[str, float]) -> pd.Series:
    """Weights ``N_h / n_h`` so each cell counts as its share of the member base.

    Raises when a population cell has no respondent (it cannot be represented) or a respondent's
    cell is not in ``population``.
    """
    counts = responses[column].astype(str).value_counts()
    unknown = ~responses[column].astype(str).isin(population)
    if unknown.any():
        raise DataValidationError("poststratify", column, (np.flatnonzero(unknown) + 1)[:5].tolist(), f"one of {list(population)}", int(unknown.sum()))
    empty = [k for k in population if k not in counts.index]
    if empty:
        raise DataValidationError("poststratify", column, [], f"at least one respondent in every cell (none in {empty})", len(empty))
    return responses[column].astype(str).map(lambda h: population[h] / counts[h]).rename("weight")


def rake(responses: pd.DataFrame, margins: Mapping[str, Mapping[str, float]], *, max_iter: int = 1000, tol: float = 1e-10) -> pd.Series:
    """Iterative proportional fitting (raking) of weights to several known margins.

    ``margins = {"segment": {"customer": 200, "partner": 114}, "region": {...}}``, totals of the
    member base. Weights are adjusted margin by margin until every weighted margin matches within
    ``tol`` (relative). Same algorithm as R ``survey::rake`` and weightipy.
    """
    w = np.ones(len(responses))
    totals = {c: pd.Series(m, dtype=float) for c, m in margins.items()}
    for c, m in totals.items():
        if not np.isclose(m.sum(), next(iter(totals.values())).sum()):
            raise DataValidationError("rake", c, [], "margins that add up to the same total", 1)
        cells = responses[c].astype(str)
        if (~cells.isin(m.index)).any() or (set(m.index) - set(cells)):
            raise DataValidationError("rake", c, [], f"respondents in every margin cell and no other cells ({list(m.index)})", 1)
    for _ in range(max_iter):
        worst = 0.0
        for c, m in totals.items():
            cells = responses[c].astype(str).to_numpy()
            current = pd.Series(w).groupby(cells).sum()
            factor = (m / current).reindex(cells).to_numpy()
            worst = max(worst, float(np.abs(current.reindex(m.index) / m - 1).max()))
            w = w * factor
        if worst < tol:
            break
    else:
        warnings.warn(f"rake: margins still off by {worst:.2g} (relative) after {max_iter} iterations; raise max_iter or check that the margins can be met", RuntimeWarning, stacklevel=2)
    return pd.Series(w, index=responses.index, name="weight")


def _calibration_residuals(r: np.ndarray, cells: pd.DataFrame, *, max_iter: int = 1000, tol: float = 1e-13) -> np.ndarray:
    """Residuals of ``r`` after removing its mean within every cell of every calibration margin.

    One margin is a single sweep (post-stratification). Several margins are swept in turn until the
    residuals stop changing: alternating projections, which converge to the residuals of a
    least-squares fit of ``r`` on all the margins' cell indicators (R ``survey`` runs 10 such sweeps).
    """
    codes = [pd.factorize(cells[c].astype(str))[0] for c in cells.columns]
    for _ in range(max_iter if len(codes) > 1 else 1):
        before = r.copy()
        for code in codes:
            means = np.bincount(code, weights=r) / np.bincount(code)
            r = r - means[code]
        if np.max(np.abs(r - before)) <= tol * max(1.0, float(np.max(np.abs(r)))):
            break
    return r


def weighted_mean(
    y: pd.Series,
    weights: pd.Series,
    *,
    calibrated_on: pd.DataFrame | pd.Series | None = None,
    population: int | None = None,
    level: float = 0.95,
) -> pd.Series:
    """Weighted mean with a linearized standard error that knows how the weights were made.

    Parameters
    ----------
    y : Series
        Values (0/1 for a share); missing values are left out and counted in ``n_missing``.
    weights : Series
        Respondent weights, e.g. from :func:`poststratify` or :func:`rake`.
    calibrated_on : DataFrame or Series, optional
        The column(s) the weights were calibrated to. One column: post-stratification; several:
        raking. The standard error then uses the residuals from the calibration cells, as R
        ``survey`` does after ``postStratify`` / ``rake``: calibration removes the between-cell part
        of the variance, so the interval is narrower than with the weights taken as fixed. Without
        it the weights are treated as fixed (``svydesign(id=~1, weights=~w)``).
    population : int, optional
        Size of the member base: multiplies the variance by the finite population correction
        ``1 - n/N`` (``svydesign(..., fpc=~N)``).
    level : float
        Confidence level of the normal-theory interval.

    Returns
    -------
    Series
        ``estimate``, ``se``, ``ci_low``, ``ci_high``, ``n``, ``n_missing``.

    Notes
    -----
    With ``z_i = w_i (y_i - mean) / sum(w)``, the variance is ``n/(n-1) * sum(e_i**2)`` times the
    fpc, where ``e_i = z_i`` for fixed weights, and ``e_i = w_i * r_i`` with ``r`` the residual of
    ``z / w`` after removing its means within the calibration cells. Checked against R ``survey``
    4.1 on ``apisrs`` (tests/results/results_survey_r.py).
    """
    from scipy import stats

    ok = y.notna() & weights.notna()
    yy, w = y[ok].astype(float).to_numpy(), weights[ok].to_numpy(float)
    n = len(yy)
    if n == 0:
        raise ParameterError("weighted_mean: no non-missing values")
    if (w <= 0).any():
        raise DataValidationError("weighted_mean", "weights", (np.flatnonzero(w <= 0) + 1)[:5].tolist(), "positive weights", int((w <= 0).sum()))
    W = w.sum()
    est = float((w * yy).sum() / W)
    e = w * (yy - est) / W
    if calibrated_on is not None:
        cells = calibrated_on.to_frame() if isinstance(calibrated_on, pd.Series) else calibrated_on
        e = w * _calibration_residuals(e / w, cells.loc[ok])
    var = n / (n - 1) * float((e**2).sum()) if n > 1 else np.nan
    if population:
        var *= 1 - n / population
    se = float(np.sqrt(var))
    q = stats.norm.ppf(0.5 + level / 2)
    return pd.Series({"estimate": est, "se": se, "ci_low": est - q * se, "ci_high": est + q * se, "n": n, "n_missing": int((~ok).sum())})


def weighted_share(
    indicator: pd.Series,
    weights: pd.Series,
    *,
    calibrated_on: pd.DataFrame | pd.Series | None = None,
    population: int | None = None,
    level: float = 0.95,
) -> pd.Series:
    """Weighted share of a 0/1 indicator: :func:`weighted_mean` with the interval clipped to [0, 1]."""
    out = weighted_mean(indicator, weights, calibrated_on=calibrated_on, population=population, level=level)
    out["ci_low"], out["ci_high"] = max(0.0, out["ci_low"]), min(1.0, out["ci_high"])
    return out


def weighting_comparison(
    indicator: pd.Series,
    responses: pd.DataFrame,
    margins: Mapping[str, Mapping[str, float]],
    *,
    population: int | None = None,
    level: float = 0.95,
) -> pd.DataFrame:
    """One share estimated unweighted, post-stratified on each margin, and raked on all margins.

    Each weighted row's standard error accounts for its calibration (see :func:`weighted_mean`).
    The ``design_effect`` column is Kish's ``n * sum(w^2) / sum(w)^2``: the price in precision of
    unequal weights.
    """
    ones = pd.Series(1.0, index=responses.index)
    rows = {"unweighted": (ones, None)}
    for col, m in margins.items():
        rows[f"post-stratified ({col})"] = (poststratify(responses, col, m), responses[col])
    if len(margins) > 1:
        rows[f"raked ({', '.join(margins)})"] = (rake(responses, margins), responses[list(margins)])
    out = {}
    for name, (w, cells) in rows.items():
        est = weighted_share(indicator, w, calibrated_on=cells, population=population, level=level)
        wk = w[indicator.notna()]
        est["design_effect"] = float(len(wk) * (wk**2).sum() / wk.sum() ** 2)
        out[name] = est
    return pd.DataFrame(out).T
