"""Outcome series per period from an event log: what an intervention study measures."""

from __future__ import annotations

import pandas as pd

from communitylab.community import Community
from communitylab.engagement.activity import ACTIVE_KINDS, activity_by_period, period_grid, truncate_to_period
from communitylab.errors import ParameterError

__all__ = ["OUTCOMES", "outcome_series"]

OUTCOMES = {
    "active_members": "non-host members who posted, replied or reacted in the period",
    "member_posts": "threads started by non-host members",
    "posts": "threads started (hosts included)",
    "replies": "replies (hosts included)",
    "member_to_member_replies": "replies by a non-host member to a non-host member's event: the conversation a community holds without its host",
    "reactions": "reactions (likes and the like): passive engagement",
}


def outcome_series(
    community: Community, outcome: str = "member_to_member_replies", period: str = "week", *, end=None
) -> pd.DataFrame:
    """One row per complete period (gaps filled with 0): ``period, value``.

    ``attrs`` hold the outcome's ``definition``, the ``period`` and ``excluded_periods``: the last
    period is left out when it runs past the end of observation (a half-observed week would look
    like a collapse), and said so.

    Parameters
    ----------
    outcome : str
        One of :data:`OUTCOMES`. ``member_to_member_replies`` is the default because it is the one
        a brand cannot produce by posting more: conversation between members.
    period : {"day", "week", "month"}
        Weeks start on Monday, months on the 1st (UTC).
    end : timestamp, optional
        End of observation (e.g. when the export was taken); default the last post, reply or
        reaction in the log.
    """
    from communitylab.engagement.cadence import observation_window

    if outcome not in OUTCOMES:
        raise ParameterError(f"outcome must be one of {list(OUTCOMES)}")
    if outcome in ("active_members", "posts", "replies", "reactions"):
        col = {"active_members": "active"}.get(outcome, outcome)
        out = activity_by_period(community, period)[["period", col]].rename(columns={col: "value"})
    else:
        t = community.core
        if outcome == "member_posts":
            f = t.filter((t.kind == "post") & ~t.is_host)
        else:
            f = t.filter((t.kind == "reply") & ~t.is_host & t.to_member_key.notnull() & ~t.to_host)
        # the same span as activity_by_period: first to last period with a post, reply or reaction
        a = t.filter(t.kind.isin(list(ACTIVE_KINDS)))
        span = community.execute(a.aggregate(first=truncate_to_period(a.created_at.min(), period), last=truncate_to_period(a.created_at.max(), period)))
        counts = community.execute(f.group_by(period=truncate_to_period(f.created_at, period)).aggregate(value=f.count()))
        grid = period_grid(span["first"].iloc[0], span["last"].iloc[0], period)
        out = grid.merge(counts, on="period", how="left").fillna({"value": 0})
    out["value"] = out["value"].astype("int64")
    stop = pd.Timestamp(end) if end is not None else observation_window(community)[1]
    stop = stop.tz_localize("UTC") if stop.tzinfo is None else stop.tz_convert("UTC")
    period_end = out["period"] + {"day": pd.DateOffset(days=1), "week": pd.DateOffset(days=7), "month": pd.DateOffset(months=1)}[period]
    partial = period_end > stop + pd.Timedelta(seconds=1)
    excluded = [f"{t:%Y-%m-%d} ({period} not fully observed: observation ends {stop:%Y-%m-%d %H:%M} UTC)" for t in out.loc[partial, "period"]]
    out = out.loc[~partial].reset_index(drop=True)
    out.attrs.update(outcome=outcome, definition=OUTCOMES[outcome], period=period, excluded_periods=excluded)
    return out
