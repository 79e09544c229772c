"""The active period of a log: where its events are, leaving out isolated stray events.

A few stray events far from the rest (three tweets from 2011 in a sample of Oct–Dec 2017) would
stretch every rate's denominator. The stated rule, applied to the days that have events:

* split the timeline wherever more than ``max_gap_days`` (90) pass without any event;
* drop the first (or last) stretch while it holds less than ``min_share`` (1 %) of the events
  and another stretch remains; repeat from both ends.

What is dropped is reported (load report and study header) and left out of rates; nothing is
deleted from the data.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

__all__ = ["ActiveSpan", "active_span", "MAX_GAP_DAYS", "MIN_SHARE"]

MAX_GAP_DAYS = 90.0
MIN_SHARE = 0.01


@dataclass(frozen=True)
class ActiveSpan:
    """First and last day kept, and the stray events left out before and after them."""

    first_day: pd.Timestamp | None
    last_day: pd.Timestamp | None
    stray_before: int = 0
    stray_after: int = 0
    stray_first_day: pd.Timestamp | None = None
    stray_last_day: pd.Timestamp | None = None

    @property
    def stray(self) -> int:
        return self.stray_before + self.stray_after


def active_span(days: pd.Series | np.ndarray, counts: pd.Series | np.ndarray | None = None, *,
                max_gap_days: float = MAX_GAP_DAYS, min_share: float = MIN_SHARE) -> ActiveSpan:
    """Apply the rule to days with events (``counts`` events on each; default 1 per entry).

    ``days`` may repeat (one entry per event) or be distinct days with ``counts``.
    """
    d = pd.to_datetime(pd.Series(days)).reset_index(drop=True)
    c = pd.Series(np.ones(len(d)) if counts is None else np.asarray(counts, dtype=float))
    if d.empty:
        return ActiveSpan(None, None)
    g = pd.DataFrame({"day": d.dt.floor("D"), "n": c}).groupby("day")["n"].sum().sort_index()
    gaps = g.index.to_series().diff().dt.total_seconds().div(86_400).to_numpy()
    segment = np.cumsum(np.nan_to_num(gaps, nan=0.0) > max_gap_days)
    per = pd.Series(g.to_numpy()).groupby(segment).sum()
    total = per.sum()
    keep = list(per.index)
    while len(keep) > 1 and per[keep[0]] < min_share * total:
        keep.pop(0)
    while len(keep) > 1 and per[keep[-1]] < min_share * total:
        keep.pop()
    inside = np.isin(segment, keep)
    kept_days = g.index[inside]
    before = g[g.index < kept_days[0]]
    after = g[g.index > kept_days[-1]]
    strays = pd.concat([before, after])
    return ActiveSpan(
        kept_days[0], kept_days[-1], int(before.sum()), int(after.sum()),
        strays.index.min() if len(strays) else None, strays.index.max() if len(strays) else None,
    )
