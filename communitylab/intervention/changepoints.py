"""Change points in a count series, found without being told the intervention dates.

If the changes the data show on their own line up with the milestones, the milestones are a
plausible cause; if the series changed weeks before the first milestone, something else did it.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from communitylab.errors import ParameterError

__all__ = ["poisson_changepoints"]


def _segment_cost(csum: np.ndarray, i: int, j: int) -> float:
    """``-2 log L`` of a constant Poisson rate on ``y[i:j]`` at its MLE, without the ``log y!`` terms."""
    total = csum[j] - csum[i]
    n = j - i
    if total <= 0:
        return 0.0
    return -2.0 * (total * np.log(total / n) - total)


def poisson_changepoints(
    values,
    *,
    penalty: float | None = None,
    min_size: int = 3,
    index=None,
) -> pd.DataFrame:
    """Exact optimal partition of counts into segments of constant Poisson rate.

    Minimizes ``sum of segment costs + penalty × number of changes`` by dynamic programming
    (optimal partitioning, Jackson et al. 2005; the same optimum PELT finds, without pruning:
    fine for the hundreds of periods of a weekly series).

    Parameters
    ----------
    values : array-like of non-negative counts
    penalty : float, optional
        Cost of one more change; default ``2 log n`` (BIC/SIC with one new rate and one location
        per change, as R ``changepoint``'s ``penalty="BIC"``).
    min_size : int
        Shortest segment, in periods.
    index : array-like, optional
        Labels of the periods (e.g. week starts) for the output.

    Returns
    -------
    DataFrame
        One row per segment: ``start``, ``end`` (labels, inclusive), ``start_pos``, ``periods``,
        ``rate`` (mean count per period), ``ratio_to_previous``. ``attrs["changes"]`` lists the
        labels where a new segment starts.
    """
    y = np.asarray(values, dtype=float)
    if y.ndim != 1 or (y < 0).any() or not np.isfinite(y).all():
        raise ParameterError("values must be a 1-d sequence of non-negative counts")
    n = len(y)
    labels = np.arange(n) if index is None else np.asarray(index)
    pen = 2.0 * np.log(n) if penalty is None else float(penalty)
    csum = np.concatenate([[0.0], np.cumsum(y)])
    best = np.full(n + 1, np.inf)
    best[0] = -pen
    last = np.zeros(n + 1, dtype=int)
    for j in range(min_size, n + 1):
        for i in range(0, j - min_size + 1):
            if not np.isfinite(best[i]):
                continue
            c = best[i] + pen + _segment_cost(csum, i, j)
            if c < best[j]:
                best[j], last[j] = c, i
    if not np.isfinite(best[n]):
        starts = [0]
    else:
        starts, j = [], n
        while j > 0:
            starts.append(last[j])
            j = last[j]
        starts = starts[::-1]
    bounds = starts + [n]
    rows, prev = [], None
    for a, b in zip(bounds[:-1], bounds[1:]):
        rate = float(y[a:b].mean())
        rows.append({"start": labels[a], "end": labels[b - 1], "start_pos": a, "periods": b - a, "rate": rate, "ratio_to_previous": rate / prev if prev else np.nan})
        prev = rate
    out = pd.DataFrame(rows)
    out.attrs["changes"] = list(out["start"].iloc[1:])
    out.attrs["penalty"] = pen
    return out
