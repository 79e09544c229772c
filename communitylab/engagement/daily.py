"""Events per day by kind and host flag: one small table that day-aligned counts read.

The active period (:func:`~communitylab.engagement.cadence.observation_window`), events per
period, the engagement mix, the verdict's weekly contributions and the hosts' weekly cadence all
count events over whole days. They read this table (a few rows per day) instead of each scanning
the log. Windows of the active period are whole days too: its rule keeps or drops whole days,
so no post, reply or reaction of a kept day falls outside it (:func:`in_days`).
"""

from __future__ import annotations

import pandas as pd

from communitylab.community import Community, cached

__all__ = ["daily_counts", "in_days"]


@cached
def daily_counts(community: Community) -> pd.DataFrame:
    """Events per UTC day, kind, host flag and whether the author is known.

    Returns
    -------
    DataFrame
        ``day, kind, is_host, known_member, events, first_at, last_at``: ``first_at`` and
        ``last_at`` are the first and last of those events (UTC). One query over the log.
    """
    t = community.core
    g = t.group_by(day=t.created_at.truncate("D"), kind=t.kind, is_host=t.is_host, known_member=t.member_key.notnull())
    out = community.execute(g.aggregate(events=t.count(), first_at=t.created_at.min(), last_at=t.created_at.max()))
    out["kind"] = out["kind"].astype("string")
    out["is_host"] = out["is_host"].fillna(False).astype(bool)
    out["known_member"] = out["known_member"].astype(bool)
    out["events"] = out["events"].astype("int64")
    return out.sort_values(["day", "kind", "is_host", "known_member"], ignore_index=True)


def in_days(days: pd.Series, lo: pd.Timestamp, hi: pd.Timestamp) -> pd.Series:
    """Whether each day lies in the days of ``lo`` to ``hi`` (both included): for the bounds of the
    active period, the same events as ``lo <= created_at <= hi`` (no post, reply or reaction of
    those days lies outside them). Without a period (``lo`` missing: no post, reply or reaction),
    every day."""
    if pd.isna(lo):
        return pd.Series(True, index=days.index)
    return (days >= lo.floor("D")) & (days <= hi.floor("D"))
