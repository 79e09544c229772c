"""Cohort retention: members grouped by their first active period, followed period by period."""

from __future__ import annotations

import numpy as np
import pandas as pd

from communitylab.community import Community
from communitylab.engagement.activity import member_periods

__all__ = ["cohort_retention", "cohort_survivors"]


def cohort_retention(community: Community, period: str = "month") -> pd.DataFrame:
    """Share of each cohort active ``k`` periods after its first period.

    A member's cohort is the first period in which they posted, replied or reacted (hosts
    excluded); they count as retained in period k when active in it. Cells beyond the end of the
    data are NaN (not observed), not zero.

    Returns
    -------
    DataFrame
        indexed by cohort (period start) with columns ``size`` and ``0, 1, 2, ...``.
    """
    mp = member_periods(community, period)
    if mp.empty:
        return pd.DataFrame(columns=["size"])
    step = {"day": "D", "week": "W", "month": "M"}[period]
    per = mp["period"].dt.tz_localize(None).dt.to_period(step)
    mp = mp.assign(p=per)
    mp["cohort"] = mp.groupby("member_id")["p"].transform("min")
    mp["k"] = (mp["p"] - mp["cohort"]).apply(lambda d: d.n)
    counts = mp.groupby(["cohort", "k"])["member_id"].nunique().unstack(fill_value=0)
    size = counts[0]
    share = counts.div(size, axis=0)
    last = per.max()
    for cohort in share.index:
        observed = (last - cohort).n
        share.loc[cohort, share.columns > observed] = np.nan
    share.insert(0, "size", size)
    share.index = share.index.to_timestamp().tz_localize("UTC")
    share.index.name = "cohort"
    return share


def cohort_survivors(community: Community, period: str = "month", *, cohort: int = 0) -> np.ndarray:
    """Members of one cohort still active at or after each period (input for the sBG model).

    A member "survives" to period k while they are active at k or any later period (so a
    member silent for one period is not counted as lost). ``cohort`` picks the cohort by position.
    """
    mp = member_periods(community, period)
    step = {"day": "D", "week": "W", "month": "M"}[period]
    mp = mp.assign(p=mp["period"].dt.tz_localize(None).dt.to_period(step))
    first = mp.groupby("member_id")["p"].min()
    last = mp.groupby("member_id")["p"].max()
    cohorts = sorted(first.unique())
    c = cohorts[cohort]
    members = first.index[first == c]
    horizon = (mp["p"].max() - c).n
    lasts = (last[members] - c).apply(lambda d: d.n)
    return np.array([(lasts >= k).sum() for k in range(horizon + 1)], dtype=float)
