"""Host cadence: how regularly the host shows up, its silences, and members' activity during them.

Seed 004: "You can't build a community after you need it ... brands that let their blog lapse
between campaigns lose it." A host's *activity* here is a post or a reply by a host account.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.stats import binomtest

from communitylab.community import Community

__all__ = ["observation_window", "host_silences", "host_regularity", "activity_during_silences"]


def _host_times(community: Community) -> pd.Series:
    t = community.events
    h = t.filter(t.is_host & t.kind.isin(["post", "reply"])).select("created_at").order_by("created_at")
    return community.execute(h)["created_at"]


def observation_window(community: Community) -> tuple[pd.Timestamp, pd.Timestamp]:
    """First and last post, reply or reaction of the log (UTC)."""
    t = community.events
    t = t.filter(t.kind.isin(["post", "reply", "reaction"]))
    w = community.execute(t.aggregate(lo=t.created_at.min(), hi=t.created_at.max()))
    return w["lo"].iloc[0], w["hi"].iloc[0]


def host_silences(community: Community, min_days: float = 14) -> pd.DataFrame:
    """Stretches of at least ``min_days`` with no host post or reply.

    Gaps between consecutive host activities, plus the stretch from the last host activity to the
    end of the log (flagged ``ongoing``). Returns ``start, end, days, ongoing``.
    """
    times = _host_times(community)
    cols = ["start", "end", "days", "ongoing"]
    if times.empty:
        return pd.DataFrame(columns=cols)
    _, end = observation_window(community)
    df = pd.DataFrame({"start": times.reset_index(drop=True), "end": pd.Series(list(times.iloc[1:]) + [end])})
    df["days"] = (df["end"] - df["start"]).dt.total_seconds() / 86_400
    df["ongoing"] = [False] * (len(df) - 1) + [True]
    return df[df["days"] >= min_days].reset_index(drop=True)[cols]


def host_regularity(community: Community) -> pd.DataFrame:
    """Weekly host activity: ``weeks, host_active_week_share, mean_per_week, cv_per_week``.

    The coefficient of variation (sd/mean) of weekly host activity counts over every week of the
    log: near 0 for a steady cadence, above 1 for campaign bursts.
    """
    times = _host_times(community)
    lo, hi = observation_window(community)
    weeks = pd.date_range(lo.floor("D"), hi + pd.Timedelta(days=7), freq="7D")
    counts = np.histogram(times.astype("int64"), bins=weeks.astype("int64"))[0] if len(weeks) > 1 else np.array([len(times)])
    mean = counts.mean() if len(counts) else np.nan
    return pd.DataFrame(
        [{
            "weeks": len(counts),
            "host_active_week_share": float((counts > 0).mean()) if len(counts) else np.nan,
            "mean_per_week": float(mean),
            "cv_per_week": float(counts.std(ddof=1) / mean) if len(counts) > 1 and mean > 0 else np.nan,
        }]
    )


def activity_during_silences(community: Community, min_days: float = 14, *, level: float = 0.95) -> pd.DataFrame:
    """Members' posts and replies per day during host silences versus outside them.

    The rate ratio (during / outside) has an exact conditional interval: given the total count,
    the count during silences is binomial with p = T_s r / (T_s r + T_o) (Poisson rates).

    Returns
    -------
    DataFrame with one row: ``days_silent, days_other, events_silent, events_other, rate_silent,
    rate_other, rate_ratio, ci_low, ci_high, method``. Ratio is NaN without silences.
    """
    sil = host_silences(community, min_days)
    lo, hi = observation_window(community)
    t = community.events
    m = t.filter(~t.is_host & t.kind.isin(["post", "reply"]))
    times = community.execute(m.select("created_at"))["created_at"]
    in_sil = np.zeros(len(times), dtype=bool)
    for s, e in zip(sil["start"], sil["end"]):
        in_sil |= ((times > s) & (times < e)).to_numpy()
    days_total = (hi - lo).total_seconds() / 86_400
    days_s = float(sil["days"].sum()) if len(sil) else 0.0
    days_o = days_total - days_s
    k_s, k_o = int(in_sil.sum()), int((~in_sil).sum())
    ratio = lo_ci = hi_ci = np.nan
    if days_s > 0 and days_o > 0 and k_s + k_o > 0:
        ratio = (k_s / days_s) / (k_o / days_o) if k_o else np.inf
        ci = binomtest(k_s, k_s + k_o).proportion_ci(confidence_level=level, method="exact")

        def to_ratio(p: float) -> float:
            return np.inf if p >= 1 else (p / (1 - p)) * days_o / days_s

        lo_ci, hi_ci = to_ratio(ci.low), to_ratio(ci.high)
    return pd.DataFrame([{
        "days_silent": days_s, "days_other": days_o, "events_silent": k_s, "events_other": k_o,
        "rate_silent": k_s / days_s if days_s else np.nan, "rate_other": k_o / days_o if days_o else np.nan,
        "rate_ratio": ratio, "ci_low": lo_ci, "ci_high": hi_ci, "method": "exact conditional Poisson rate ratio",
    }])
