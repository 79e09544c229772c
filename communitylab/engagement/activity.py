"""Activity over time: member lifecycle per period, event counts, stickiness."""

from __future__ import annotations

import numpy as np
import pandas as pd

from communitylab.community import Community

__all__ = ["PERIODS", "member_periods", "activity_by_period", "stickiness"]

PERIODS = {"day": "D", "week": "W-MON", "month": "M"}
ACTIVE_KINDS = ("post", "reply", "reaction")


def _truncate(col, period: str):
    unit = {"day": "D", "week": "W", "month": "M"}[period]
    return col.truncate(unit)


def member_periods(community: Community, period: str = "month") -> pd.DataFrame:
    """Distinct (member, period) pairs in which a non-host member posted, replied or reacted."""
    if period not in PERIODS:
        raise ValueError(f"period must be one of {list(PERIODS)}")
    t = community.events
    t = t.filter(t.kind.isin(list(ACTIVE_KINDS)) & t.member_id.notnull() & ~t.is_host)
    mp = t.select(member_id=t.member_id, period=_truncate(t.created_at, period)).distinct()
    return community.execute(mp)


def activity_by_period(community: Community, period: str = "month") -> pd.DataFrame:
    """Per period: member lifecycle (product-analytics definitions) and event counts.

    A member is *active* in a period when they post, reply or react in it (hosts excluded). Of
    the active: *new* (first active period ever), *returning* (also active in the previous period),
    *resurrected* (active before, but not in the previous period). *Dormant*: active in the
    previous period, not in this one. Counts of posts, replies and reactions include hosts;
    ``host_posts`` counts the hosts' posts separately.

    Returns
    -------
    DataFrame ``period, active, new, returning, resurrected, dormant, posts, replies, reactions,
    host_posts`` (one row per period from the first to the last event, gaps included).
    """
    mp = member_periods(community, period)
    t = community.events
    t = t.filter(t.kind.isin(list(ACTIVE_KINDS)))
    counts = t.group_by(period=_truncate(t.created_at, period)).aggregate(
        posts=(t.kind == "post").cast("int64").sum(),
        replies=(t.kind == "reply").cast("int64").sum(),
        reactions=(t.kind == "reaction").cast("int64").sum(),
        host_posts=((t.kind == "post") & t.is_host).cast("int64").sum(),
    )
    counts = community.execute(counts)
    if counts.empty:
        return pd.DataFrame(columns=["period", "active", "new", "returning", "resurrected", "dormant", "posts", "replies", "reactions", "host_posts"])
    freq = PERIODS[period]
    start, stop = counts["period"].min(), counts["period"].max()
    periods = pd.date_range(start, stop, freq={"D": "D", "W-MON": "7D", "M": "MS"}[freq], tz="UTC")
    pos = {p: i for i, p in enumerate(periods)}
    mp = mp[mp["period"].isin(pos)]
    mp["k"] = mp["period"].map(pos)
    first_k = mp.groupby("member_id")["k"].transform("min")
    active_set = set(zip(mp["member_id"], mp["k"]))
    prev_active = np.array([(m, k - 1) in active_set for m, k in zip(mp["member_id"], mp["k"])], dtype=bool)
    mp["new"] = mp["k"] == first_k
    mp["returning"] = prev_active
    mp["resurrected"] = ~mp["new"] & ~prev_active
    per = mp.groupby("k").agg(active=("member_id", "size"), new=("new", "sum"), returning=("returning", "sum"), resurrected=("resurrected", "sum"))
    nxt = mp.assign(k=mp["k"] + 1)
    nxt["still"] = [(m, k) in active_set for m, k in zip(nxt["member_id"], nxt["k"])]
    dormant = nxt[~nxt["still"]].groupby("k").size()
    out = pd.DataFrame({"period": periods})
    out = out.join(per, how="left").fillna(0)
    out["dormant"] = pd.Series(dormant).reindex(range(len(periods)), fill_value=0).to_numpy()
    out = out.merge(counts, on="period", how="left").fillna(0)
    for col in out.columns[1:]:
        out[col] = out[col].astype("int64")
    return out


def stickiness(community: Community) -> pd.DataFrame:
    """DAU/MAU and WAU/MAU per calendar month (non-host members, posts/replies/reactions).

    DAU and WAU are averaged over the days (weeks starting in the month) of the month; MAU is the
    month's distinct active members. 1/30 ≈ 0.03 means members come once a month; 1.0 daily.
    """
    t = community.events
    t = t.filter(t.kind.isin(list(ACTIVE_KINDS)) & t.member_id.notnull() & ~t.is_host)
    day = t.select(member_id=t.member_id, day=t.created_at.truncate("D")).distinct()
    df = community.execute(day)
    if df.empty:
        return pd.DataFrame(columns=["month", "dau", "wau", "mau", "dau_mau", "wau_mau"])
    df["month"] = df["day"].dt.tz_localize(None).dt.to_period("M")
    df["week"] = df["day"].dt.tz_localize(None).dt.to_period("W")
    rows = []
    for month, g in df.groupby("month"):
        days_in = month.days_in_month
        dau = g.groupby("day").size().sum() / days_in
        weekly = g.groupby("week")["member_id"].nunique()
        wau = weekly.mean()
        mau = g["member_id"].nunique()
        rows.append({"month": month.to_timestamp().tz_localize("UTC"), "dau": dau, "wau": wau, "mau": mau, "dau_mau": dau / mau, "wau_mau": wau / mau})
    return pd.DataFrame(rows)
