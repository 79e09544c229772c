"""Seeded percentile bootstrap for headline shares and medians."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd

__all__ = ["bootstrap_tied", "bootstrap_ci", "estimate_row"]


def bootstrap_ci(
    values: np.ndarray | pd.Series,
    statistic: Callable[[np.ndarray], float],
    *,
    n_boot: int = 1000,
    level: float = 0.95,
    seed: int = 0,
) -> tuple[float, float, float]:
    """Estimate and percentile bootstrap interval of ``statistic`` over resampled units.

    Parameters
    ----------
    values : array
        One entry per resampling unit (a member, a thread). A 2-D array resamples rows.
    statistic : callable
        Maps an array shaped like ``values`` to a number.
    n_boot, level, seed
        Replicates, confidence level, seed of the generator (same seed, same interval).

    Returns
    -------
    estimate, ci_low, ci_high : float

    Notes
    -----
    Percentile intervals are adequate for shares and medians with at least a few dozen units;
    with fewer, intervals are wide and should be read as rough.
    """
    arr = np.asarray(values)
    est = float(statistic(arr))
    if len(arr) < 2:
        return est, float("nan"), float("nan")
    rng = np.random.default_rng(seed)
    idx = rng.integers(0, len(arr), size=(n_boot, len(arr)))
    reps = np.array([statistic(arr[i]) for i in idx], dtype=float)
    alpha = (1 - level) / 2
    lo, hi = np.nanquantile(reps, [alpha, 1 - alpha])
    return est, float(lo), float(hi)


def estimate_row(metric: str, estimate: float, ci_low: float, ci_high: float, n: int, method: str, **extra) -> dict:
    """One row of the tidy ``metric, estimate, ci_low, ci_high, n, method`` tables."""
    return {"metric": metric, "estimate": estimate, "ci_low": ci_low, "ci_high": ci_high, "n": int(n), "method": method, **extra}


def bootstrap_tied(
    values: np.ndarray | pd.Series,
    statistics: dict[str, Callable[[np.ndarray, np.ndarray], np.ndarray]],
    *,
    n_boot: int = 1000,
    level: float = 0.95,
    seed: int = 0,
) -> dict[str, tuple[float, float, float]]:
    """Percentile bootstrap over units for statistics of a few distinct values (counts per member).

    Resampling N units with replacement only changes how many units hold each distinct value, and
    those counts are multinomial(N, observed shares): each replicate is drawn as that vector of
    multiplicities, so the cost grows with the number of distinct values, not with N. The
    distribution is exactly that of resampling the units.

    Parameters
    ----------
    values : array
        One value per unit.
    statistics : dict
        ``name -> f(v, W)``: ``v`` the distinct values (ascending), ``W`` a (replicates x values)
        array of multiplicities; returns one number per replicate.

    Returns
    -------
    dict
        ``name -> (estimate, ci_low, ci_high)``; the estimate is the statistic on the data.
    """
    arr = np.asarray(values, dtype=float)
    v, w = np.unique(arr, return_counts=True)
    observed = w[None, :].astype(float)
    out: dict[str, tuple[float, float, float]] = {}
    if len(arr) < 2:
        return {name: (float(f(v, observed)[0]), float("nan"), float("nan")) for name, f in statistics.items()}
    rng = np.random.default_rng(seed)
    W = rng.multinomial(len(arr), w / len(arr), size=n_boot).astype(float)
    alpha = (1 - level) / 2
    for name, f in statistics.items():
        with np.errstate(divide="ignore", invalid="ignore"):
            reps = f(v, W)
        lo, hi = np.nanquantile(reps, [alpha, 1 - alpha]) if np.isfinite(reps).any() else (np.nan, np.nan)
        out[name] = (float(f(v, observed)[0]), float(lo), float(hi))
    return out

