"""Activity over time: member lifecycle per period, event counts, stickiness."""

from __future__ import annotations

import ibis
import pandas as pd

from communitylab.community import Community, cached

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
    t = community.core
    t = t.filter(t.kind.isin(list(ACTIVE_KINDS)) & t.member_key.notnull() & ~t.is_host)
    mp = t.select(member_key=t.member_key, period=_truncate(t.created_at, period)).distinct()
    return community.execute(community.member_ids(mp))


def _step(period: str):
    return {"day": ibis.interval(days=1), "week": ibis.interval(days=7), "month": ibis.interval(months=1)}[period]


def period_grid(first: pd.Timestamp, last: pd.Timestamp, period: str) -> pd.DataFrame:
    """Every period start from ``first`` to ``last`` (both period starts, UTC): ``period``."""
    freq = {"day": "D", "week": "7D", "month": "MS"}[period]
    return pd.DataFrame({"period": pd.date_range(first, last, freq=freq, tz="UTC")})


@cached
def activity_by_period(community: Community, period: str = "month", *, active_period_only: bool = False) -> pd.DataFrame:
    """Per period: member lifecycle (product-analytics definitions) and event counts.

    A member is *active* in a period when they post, reply or react in it (hosts excluded). Of
    the active: *new* (first active period ever), *returning* (also active in the previous period),
    *resurrected* (active before, but not in the previous period). *Dormant*: active in the
    previous period, not in this one. Counts of posts, replies and reactions include hosts;
    ``host_posts`` counts the hosts' posts separately. Weeks start on Monday; months on the 1st.

    The lifecycle is computed in the engine with window functions (one row per period comes back),
    so it scales with the log.

    Returns
    -------
    DataFrame ``period, active, new, returning, resurrected, dormant, posts, replies, reactions,
    host_posts`` (one row per period from the first to the last event, gaps included; with
    ``active_period_only``, of the active period only: isolated stray events left out, see
    :func:`~communitylab.engagement.cadence.observation_window`).
    """
    if period not in PERIODS:
        raise ValueError(f"period must be one of {list(PERIODS)}")
    t = community.core
    a = t.filter(t.kind.isin(list(ACTIVE_KINDS)))
    if active_period_only:
        from communitylab.engagement.cadence import observation_window

        lo, hi = observation_window(community)
        if pd.notna(lo) and (lo, hi) == tuple(observation_window(community, robust=False)):
            return activity_by_period(community, period)  # no stray events: the same rows (computed once)
        if pd.notna(lo):
            a = a.filter((a.created_at >= lo.tz_localize(None).to_pydatetime()) & (a.created_at <= hi.tz_localize(None).to_pydatetime()))
    counts = community.execute(
        a.group_by(period=_truncate(a.created_at, period)).aggregate(
            posts=(a.kind == "post").cast("int64").sum(),
            replies=(a.kind == "reply").cast("int64").sum(),
            reactions=(a.kind == "reaction").cast("int64").sum(),
            host_posts=((a.kind == "post") & a.is_host).cast("int64").sum(),
        )
    )
    columns = ["period", "active", "new", "returning", "resurrected", "dormant", "posts", "replies", "reactions", "host_posts"]
    if counts.empty:
        return pd.DataFrame(columns=columns)
    m = a.filter(a.member_key.notnull() & ~a.is_host)
    mp = m.select(member_key=m.member_key, period=_truncate(m.created_at, period)).distinct()
    w = ibis.window(group_by="member_key", order_by="period")
    step = _step(period)
    # each member's active periods with the one before and after, kept in the engine once for both counts below
    mp = community.engine.materialize(mp.mutate(prev=mp.period.lag().over(w), nxt=mp.period.lead().over(w)))
    lifecycle = mp.group_by("period").aggregate(
        active=mp.count(),
        new=mp.prev.isnull().cast("int64").sum(),
        returning=(mp.prev == mp.period - step).fill_null(False).cast("int64").sum(),
    )
    gone = mp.filter(mp.nxt.isnull() | (mp.nxt != mp.period + step))
    dormant = gone.group_by(period=gone.period + step).aggregate(dormant=gone.count())
    life = community.execute(lifecycle)
    dorm = community.execute(dormant)
    out = period_grid(counts["period"].min(), counts["period"].max(), period)
    out = out.merge(life, on="period", how="left").merge(dorm, on="period", how="left").merge(counts, on="period", how="left")
    out = out.fillna(0)
    out["resurrected"] = out["active"] - out["new"] - out["returning"]
    for col in columns[1:]:
        out[col] = out[col].astype("int64")
    return out[columns]


def stickiness(community: Community) -> pd.DataFrame:
    """DAU/MAU and WAU/MAU per calendar month (non-host members, posts/replies/reactions).

    DAU and WAU are averaged over the days (weeks starting in the month) of the month; MAU is the
    month's distinct active members. 1/30 ≈ 0.03 means members come once a month; 1.0 daily.
    """
    t = community.core
    t = t.filter(t.kind.isin(list(ACTIVE_KINDS)) & t.member_key.notnull() & ~t.is_host)
    day = t.select(member_key=t.member_key, day=t.created_at.truncate("D")).distinct()
    df = community.execute(day)
    if df.empty:
        return pd.DataFrame(columns=["month", "dau", "wau", "mau", "dau_mau", "wau_mau"])
    df["month"] = df["day"].dt.tz_localize(None).dt.to_period("M")
    df["week"] = df["day"].dt.tz_localize(None).dt.to_period("W")
    rows = []
    for month, g in df.groupby("month"):
        days_in = month.days_in_month
        dau = g.groupby("day").size().sum() / days_in
        weekly = g.groupby("week")["member_key"].nunique()
        wau = weekly.mean()
        mau = g["member_key"].nunique()
        rows.append({"month": month.to_timestamp().tz_localize("UTC"), "dau": dau, "wau": wau, "mau": mau, "dau_mau": dau / mau, "wau_mau": wau / mau})
    return pd.DataFrame(rows)
