"""Activity over time: member lifecycle per period, event counts, stickiness."""

from __future__ import annotations

import ibis
import pandas as pd

from communitylab.community import Community, cached
from communitylab.engagement.daily import daily_counts, in_days
from communitylab.engagement.periods import (
    period_index,
    period_index_of,
    period_of_day,
    period_parts,
    period_start,
)
from communitylab.errors import ParameterError

__all__ = ["PERIODS", "ACTIVE_KINDS", "truncate_to_period", "member_periods", "member_period_counts", "activity_by_period", "stickiness", "suitable_period"]

PERIODS = {"day": "D", "week": "W-MON", "month": "M"}
ACTIVE_KINDS = ("post", "reply", "reaction")


def truncate_to_period(col, period: str):
    """A timestamp column truncated to the start of its ``period`` (day, week from Monday, month):
    the period key every per-period table of the kit groups by."""
    unit = {"day": "D", "week": "W", "month": "M"}[period]
    return col.truncate(unit)


COUNTED_KINDS = ACTIVE_KINDS  # the kinds :func:`member_period_counts` counts one by one


@cached
def member_period_counts(community: Community, period: str = "month"):
    """The shared member × period table, built once per community and period and kept in the engine.

    One row per non-host member with a known id and period in which they have any event:
    ``member_key, p`` (:func:`period_index`) and their events of each counted kind ``n_post,
    n_reply, n_reaction`` (32-bit integers). Activity lifecycles, engagement levels and contribution counts read it
    instead of grouping the whole log again (on the 100M-event benchmark: 21.5M rows). A large
    store's log is grouped in parts of whole periods (:func:`~communitylab.engagement.periods.period_parts`).
    """
    if period not in PERIODS:
        raise ParameterError(f"period must be one of {list(PERIODS)}")
    core = community.core
    core = core.filter(~core.is_host & core.member_key.notnull())
    parts = []
    for lo, hi in period_parts(community, period):
        t = core if lo is None else core.filter(core.created_at >= ibis.timestamp(lo))
        t = t if hi is None else t.filter(t.created_at < ibis.timestamp(hi))
        g = t.group_by(member_key=t.member_key, p=period_index(t.created_at, period))
        # 32-bit counts (a member's events of one kind in one period): a third narrower table to keep
        parts.append(g.aggregate(**{f"n_{k}": t.count(where=t.kind == k).cast("int32") for k in COUNTED_KINDS}))
    return community.engine.materialize(parts[0] if len(parts) == 1 else ibis.union(*parts, distinct=False))


def member_periods(community: Community, period: str = "month") -> pd.DataFrame:
    """Distinct (member, period) pairs in which a non-host member posted, replied or reacted."""
    if period not in PERIODS:
        raise ParameterError(f"period must be one of {list(PERIODS)}")
    t = community.core
    t = t.filter(t.kind.isin(list(ACTIVE_KINDS)) & t.member_key.notnull() & ~t.is_host)
    mp = t.select(member_key=t.member_key, period=truncate_to_period(t.created_at, period)).distinct()
    return community.execute(community.member_ids(mp))


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
    ``host_posts`` and ``host_replies`` count the hosts' posts and replies separately. Weeks start on Monday; months on the 1st.

    The lifecycle is computed in the engine with one window over the shared member × period table
    (:func:`member_period_counts`; one row per period comes back), the event counts from the
    events per day (:func:`~communitylab.engagement.daily.daily_counts`), so it scales with the log.

    Returns
    -------
    DataFrame
        ``period, active, new, returning, resurrected, dormant, posts, replies, reactions,
        host_posts, host_replies`` (one row per period from the first to the last event, gaps included; with
        ``active_period_only``, of the active period only: isolated stray events left out, see
        :func:`~communitylab.engagement.cadence.observation_window`).
    """
    if period not in PERIODS:
        raise ParameterError(f"period must be one of {list(PERIODS)}")
    window = None
    if active_period_only:
        from communitylab.engagement.cadence import observation_window

        lo, hi = observation_window(community)
        if pd.notna(lo) and (lo, hi) == tuple(observation_window(community, robust=False)):
            return activity_by_period(community, period)  # no stray events: the same rows (computed once)
        if pd.notna(lo):
            window = (lo, hi)
    d = daily_counts(community)
    d = d[d["kind"].isin(list(ACTIVE_KINDS))]
    if window is not None:
        d = d[in_days(d["day"], *window)]  # the active period's days: the events from lo to hi
    columns = ["period", "active", "new", "returning", "resurrected", "dormant", "posts", "replies", "reactions", "host_posts",
               "host_replies"]
    if d.empty:
        return pd.DataFrame(columns=columns)
    kind, n = d["kind"].to_numpy(), d["events"].to_numpy()
    per = pd.DataFrame({"period": period_of_day(d["day"], period), "posts": n * (kind == "post"), "replies": n * (kind == "reply"),
                        "reactions": n * (kind == "reaction"), "host_posts": n * ((kind == "post") & d["is_host"].to_numpy()),
                        "host_replies": n * ((kind == "reply") & d["is_host"].to_numpy())})
    counts = per.groupby("period", as_index=False).sum()
    life = community.execute(_lifecycle(community, period, window))
    life["period"] = period_start(life.pop("p"), period).to_numpy()
    out = period_grid(counts["period"].min(), counts["period"].max(), period)
    out = out.merge(life, on="period", how="left").merge(counts, on="period", how="left")
    out = out.fillna(0)
    out["resurrected"] = out["active"] - out["new"] - out["returning"]
    for col in columns[1:]:
        out[col] = out[col].astype("int64")
    return out[columns]


def _lifecycle(community: Community, period: str, window: tuple[pd.Timestamp, pd.Timestamp] | None = None):
    """In the engine, per period index ``p`` (of the members' active periods, and the period after
    one a member left): ``active, new, returning, dormant``, from the shared
    :func:`member_period_counts` and one window over each member's active periods.

    With ``window`` (``lo, hi``), only activity inside it counts: the periods strictly between
    those of ``lo`` and ``hi`` are read from the shared table as they are, and the two periods cut
    by the window are read from the events between ``lo`` and ``hi`` there.
    """
    c = member_period_counts(community, period)
    active = c.filter(sum(c[f"n_{k}"] for k in ACTIVE_KINDS) > 0).select("member_key", "p")
    if window is not None:
        lo, hi = window
        p_lo, p_hi = (int(i) for i in period_index_of(pd.Series([lo, hi]), period))
        first_cut = period_start([p_lo + 1], period).iloc[0]  # the end of lo's period
        last_cut = period_start([p_hi], period).iloc[0]

        def naive(ts):
            return ts.tz_convert("UTC").tz_localize(None).to_pydatetime()

        t = community.core
        e = t.filter(t.kind.isin(list(ACTIVE_KINDS)) & t.member_key.notnull() & ~t.is_host
                     & (t.created_at >= naive(lo)) & (t.created_at <= naive(hi))
                     & ((t.created_at < naive(first_cut)) | (t.created_at >= naive(last_cut))))
        edges = e.select(member_key=e.member_key, p=period_index(e.created_at, period)).distinct()
        active = active.filter((active.p > p_lo) & (active.p < p_hi)).union(edges, distinct=False)
    w = ibis.window(group_by="member_key", order_by="p")
    seq = active.mutate(prev=active.p.lag().over(w), nxt=active.p.lead().over(w))
    one, zero = ibis.literal(1, "int64"), ibis.literal(0, "int64")
    present = seq.select(p=seq.p, active=one, new=seq.prev.isnull().cast("int64"),
                         returning=(seq.prev == seq.p - 1).fill_null(False).cast("int64"), dormant=zero)
    gone = seq.filter(seq.nxt.isnull() | (seq.nxt != seq.p + 1))  # active, and not in the period after: dormant there
    gone = gone.select(p=gone.p + 1, active=zero, new=zero, returning=zero, dormant=one)
    rows = present.union(gone, distinct=False)
    return rows.group_by("p").aggregate(**{k: rows[k].sum() for k in ("active", "new", "returning", "dormant")})


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


def suitable_period(community: Community) -> str:
    """The period a chart of this community reads best in: ``week`` when its active period is
    shorter than three months (13 weeks), ``month`` otherwise (monthly bars for two weeks of data
    say nothing).

    Examples
    --------
    >>> from communitylab.simulate import simulate
    >>> suitable_period(simulate("living", seed=0).community())
    'month'
    """
    from communitylab.engagement.cadence import observation_window

    lo, hi = observation_window(community)
    if pd.isna(lo):
        return "month"
    return "week" if hi - lo < pd.Timedelta(weeks=13) else "month"
