"""Post-stratification and raking of respondents to known member-base margins."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from communitylab.schema import DataValidationError

__all__ = ["poststratify", "rake", "weighted_share"]


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
    return pd.Series(w, index=responses.index, name="weight")


def weighted_share(indicator: pd.Series, weights: pd.Series, *, population: int | None = None, level: float = 0.95) -> pd.Series:
    """Weighted share with a linearized standard error (Kish-style), fpc when the population is known."""
    from scipy import stats

    ok = indicator.notna()
    y, w = indicator[ok].astype(float).to_numpy(), weights[ok].to_numpy(float)
    n = len(y)
    p = float((w * y).sum() / w.sum())
    z = w * (y - p) / w.sum()
    var = n / (n - 1) * float((z**2).sum()) if n > 1 else np.nan
    if population:
        var *= 1 - n / population
    se = np.sqrt(var)
    q = stats.norm.ppf(0.5 + level / 2)
    return pd.Series({"estimate": p, "se": se, "ci_low": max(0.0, p - q * se), "ci_high": min(1.0, p + q * se), "n": n})
