"""Several communities or channels side by side on the same metrics (as a community manager
puts it: "first find where your community really interacts")."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from communitylab.community import Community, cached
from communitylab.engagement.conversation import reciprocity, reply_direction_matrix
from communitylab.engagement.inequality import contribution_counts, gini, top_share
from communitylab.engagement.responsiveness import time_to_first_reply

__all__ = ["reply_earning_share", "compare_communities", "comparison_panel", "split_by_channel"]


@cached
def reply_earning_share(community: Community) -> dict[str, float]:
    """Share of contributions (posts and replies) that earn at least one reply from someone else."""
    t = community.events
    contrib = t.filter(t.kind.isin(["post", "reply"]))
    replies = t.filter((t.kind == "reply") & t.parent_id.notnull()).select(p=t.parent_id, ra=t.member_id)
    j = contrib.left_join(replies, (contrib.event_id == replies.p) & (replies.ra.isnull() | contrib.member_id.isnull() | (replies.ra != contrib.member_id)))
    per = j.group_by(contrib.event_id).aggregate(earned=j.p.notnull().any())
    df = community.execute(per.aggregate(n=per.count(), k=per.earned.cast("int64").sum()))
    n, k = int(df["n"].iloc[0]), int(df["k"].fillna(0).iloc[0])
    return {"n": n, "earned": k, "share": k / n if n else np.nan}


def split_by_channel(community: Community) -> dict[str, Community]:
    """One community per value of ``channel`` (same engine and hosts)."""
    from dataclasses import replace

    from communitylab.community import core_of

    t = community.events
    channels = community.execute(t.select("channel").distinct())["channel"].dropna().sort_values()
    out = {}
    for ch in channels:
        frame = community.frame[community.frame["channel"] == ch] if community.frame is not None else None
        part = t.filter(t.channel == ch)
        out[str(ch)] = replace(community, name=str(ch), events=part, core=core_of(part), frame=frame)
    return out


def comparison_panel(community: Community, others: Mapping[str, Community] | None = None) -> dict[str, Community]:
    """The community being studied first, then each of its channels when it has several (the
    sources of a ``community.yml``, the channels of a Slack workspace), then ``others``.

    A name already in the panel is not repeated (the studied community may also be one of
    ``others``).
    """
    panel: dict[str, Community] = {community.name: community}
    channels = split_by_channel(community) if "channel" in community.events.columns else {}
    if len(channels) > 1:
        for ch, part in channels.items():
            panel.setdefault(f"{community.name} / {ch}", part)
    for name, other in (others or {}).items():
        if name not in panel and other.name not in panel:
            panel[name] = other
    return panel


def compare_communities(communities: Mapping[str, Community] | Sequence[Community], *,
                        rank_by: str | None = "reply_earning_share") -> pd.DataFrame:
    """The same panel for each community, ranked (unless ``rank_by`` is None).

    Columns: ``community, members_contributing, posts, replies, reactions,
    reply_earning_share (ci_low, ci_high: Wilson), member_to_member_share, reciprocity,
    median_hours_to_first_reply, answered_share, gini, top_10pct_share, rank``. Rank 1 is the
    highest ``rank_by``. A measure that does not apply to a community is missing, never 0: the
    thread measures (``reply_earning_share``, ``median_hours_to_first_reply``,
    ``answered_share``) for a reply network without posts, ``member_to_member_share`` where no
    host is known (every reply would be member to member by construction).
    """
    from statsmodels.stats.proportion import proportion_confint

    items = communities.items() if isinstance(communities, Mapping) else ((c.name, c) for c in communities)
    rows = []
    for name, c in items:
        t = c.core
        kinds = c.execute(t.group_by("kind").aggregate(n=t.count())).set_index("kind")["n"]
        earn = reply_earning_share(c)
        lo, hi = proportion_confint(earn["earned"], earn["n"], method="wilson") if earn["n"] else (np.nan, np.nan)
        threads = bool(kinds.get("post", 0))
        ttfr = time_to_first_reply(c).set_index("metric")["estimate"] if threads else pd.Series(dtype=float)
        if not threads:
            earn, lo, hi = {**earn, "share": np.nan}, np.nan, np.nan
        contrib = contribution_counts(c).to_numpy()
        rows.append({
            "community": name,
            "members_contributing": int((contrib > 0).sum()),
            "posts": int(kinds.get("post", 0)), "replies": int(kinds.get("reply", 0)), "reactions": int(kinds.get("reaction", 0)),
            "reply_earning_share": earn["share"], "ci_low": lo, "ci_high": hi,
            "member_to_member_share": reply_direction_matrix(c).set_index("direction").loc["member->member", "share"] if c.hosts else np.nan,
            "reciprocity": reciprocity(c),
            "median_hours_to_first_reply": ttfr.get("median_hours_to_first_reply", np.nan),
            "answered_share": ttfr.get("answered_share", np.nan),
            "gini": gini(contrib) if contrib.sum() else np.nan,
            "top_10pct_share": top_share(contrib[contrib > 0], 0.10) if (contrib > 0).any() else np.nan,
        })
    columns = ["community", "members_contributing", "posts", "replies", "reactions", "reply_earning_share", "ci_low", "ci_high",
               "member_to_member_share", "reciprocity", "median_hours_to_first_reply", "answered_share", "gini", "top_10pct_share"]
    df = pd.DataFrame(rows, columns=columns)
    if rank_by is None:
        return df
    df["rank"] = df[rank_by].rank(ascending=False, method="min").astype("Int64")
    return df.sort_values("rank").reset_index(drop=True)
