"""Member engagement levels per period (quiet, occasional, regular, core) and movement between them."""

from __future__ import annotations

from dataclasses import dataclass, field

import ibis
import pandas as pd

from communitylab.community import Community, cached
from communitylab.engagement.activity import COUNTED_KINDS, member_period_counts, truncate_to_period
from communitylab.engagement.periods import period_index, period_start

__all__ = ["LevelRules", "LEVELS", "engagement_levels", "level_transitions", "level_counts", "level_summary"]

LEVELS = ("quiet", "occasional", "regular", "core")


@dataclass(frozen=True)
class LevelRules:
    """Orbit-style weighting of activity and the score cut-offs of each level.

    A member's *score* in a period is the weighted sum of their events: a post (starting a
    conversation) weighs 3, a reply 2, a reaction 0.5 (passive). Levels:

    * ``quiet``: score below ``occasional``: a member who only reacts a little, or does nothing at
      all, in the period ("lurker" is kept for a member who never posts or replies, in
      :func:`~communitylab.engagement.participation_inequality`);
    * ``occasional``: score from ``occasional`` (default 2: one reply) up to ``regular``;
    * ``regular``: from ``regular`` (default 6: e.g. three replies);
    * ``core``: from ``core`` (default 20: e.g. ten replies in the period).

    Members count from the period they join (``joined_at``, or their first event).
    """

    weights: dict[str, float] = field(default_factory=lambda: {"post": 3.0, "reply": 2.0, "reaction": 0.5})
    occasional: float = 2.0
    regular: float = 6.0
    core: float = 20.0

    def level(self, score: pd.Series) -> pd.Series:
        cut = pd.cut(score, [-float("inf"), self.occasional, self.regular, self.core, float("inf")], right=False, labels=list(LEVELS))
        return cut.astype(pd.CategoricalDtype(list(LEVELS), ordered=True))


def engagement_levels(community: Community, period: str = "month", rules: LevelRules | None = None) -> pd.DataFrame:
    """Level of every (non-host) member in every period since they joined.

    Returns ``member_id, period, score, level``; the score is computed by an Ibis aggregation, the
    member-period grid in pandas.
    """
    rules = rules or LevelRules()
    t = community.core
    t = t.filter(~t.is_host & t.member_key.notnull())
    w = sum(((t.kind == k).cast("float64") * v for k, v in rules.weights.items()))
    per = t.group_by(member_key=t.member_key, period=truncate_to_period(t.created_at, period)).aggregate(score=w.sum())
    first = t.group_by("member_key").aggregate(first=truncate_to_period(t.created_at.min(), period))
    scores = community.execute(community.member_ids(per))
    starts = community.execute(community.member_ids(first)).set_index("member_id")["first"]
    if scores.empty:
        return pd.DataFrame(columns=["member_id", "period", "score", "level"])
    freq = {"day": "D", "week": "7D", "month": "MS"}[period]
    periods = pd.date_range(scores["period"].min(), scores["period"].max(), freq=freq, tz="UTC")
    grid = pd.MultiIndex.from_product([starts.index, periods], names=["member_id", "period"]).to_frame(index=False)
    grid = grid[grid["period"] >= grid["member_id"].map(starts)]
    out = grid.merge(scores, on=["member_id", "period"], how="left").fillna({"score": 0.0})
    out["level"] = rules.level(out["score"])
    return out.sort_values(["period", "member_id"]).reset_index(drop=True)


def level_transitions(levels: pd.DataFrame) -> pd.DataFrame:
    """Counts of members moving from each level to each level between consecutive periods."""
    lv = levels.sort_values(["member_id", "period"])
    nxt = lv.groupby("member_id")["level"].shift(-1)
    moved = pd.DataFrame({"from": lv["level"], "to": nxt}).dropna()
    return pd.crosstab(moved["from"], moved["to"]).reindex(index=list(LEVELS), columns=list(LEVELS), fill_value=0)


def level_counts(levels: pd.DataFrame, last: int | None = None) -> pd.DataFrame:
    """Members at each level in each period (``period`` and one column per level), the last ``last`` periods."""
    counts = pd.crosstab(levels["period"], levels["level"]).reindex(columns=list(LEVELS), fill_value=0)
    counts.columns = [str(c) for c in counts.columns]
    counts = counts.reset_index()
    return counts.tail(last).reset_index(drop=True) if last else counts


def level_summary(community: Community, period: str = "month", rules: LevelRules | None = None, *, last: int | None = None
                  ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Members at each level per period, and movements between levels, computed in the engine.

    The same definitions as :func:`engagement_levels` followed by :func:`level_counts` and
    :func:`level_transitions`, without building the member-period grid (every member in every
    period from their first) anywhere: a member absent from a period scores zero there, so only
    the (member, period) pairs with events are read, and the rest of the grid is counted, not
    listed: per period, the members who had joined by then minus those with events; between
    periods, all consecutive pairs minus those next to a period with events.

    Returns
    -------
    counts : DataFrame
        ``period`` and one column per level (the last ``last`` periods when given).
    transitions : DataFrame
        A level-by-level table of moves between consecutive periods (rows: from, columns: to).
    """
    rules = rules or LevelRules()
    counts, transitions = _level_tables(community, period, tuple(sorted(rules.weights.items())),
                                        (rules.occasional, rules.regular, rules.core))
    return (counts.tail(last).reset_index(drop=True) if last else counts), transitions


@cached
def _level_tables(community: Community, period: str, weights: tuple, cuts: tuple) -> tuple[pd.DataFrame, pd.DataFrame]:
    """:func:`level_summary`'s tables for every period, once per community and rule (the rule as
    hashable ``weights`` items and ``cuts``: occasional, regular, core)."""
    rules = LevelRules(dict(weights), *cuts)
    if set(rules.weights) <= set(COUNTED_KINDS):  # the shared member × period table has the counts the score weighs
        c = member_period_counts(community, period)
        per = c.select("member_key", "p", score=sum((c[f"n_{k}"].cast("float64") * v for k, v in rules.weights.items()), ibis.literal(0.0)))
    else:  # a rule weighing other kinds (joins, leaves): scored from the events, kept in the engine for the queries below
        t = community.core
        t = t.filter(~t.is_host & t.member_key.notnull())
        w = sum(((t.kind == k).cast("float64") * v for k, v in rules.weights.items()), ibis.literal(0.0))
        per = community.engine.materialize(t.group_by(member_key=t.member_key, p=period_index(t.created_at, period)).aggregate(score=w.sum()))

    def level(score):
        return ibis.cases((score < rules.occasional, "quiet"), (score < rules.regular, "occasional"), (score < rules.core, "regular"),
                          else_="core")

    # members by the period they start in: how many are counted in each period, and how many moves follow
    firsts = community.execute(per.group_by("member_key").aggregate(first=per.p.min()).group_by("first").aggregate(n=ibis._.count()))
    empty = pd.DataFrame(0, index=list(LEVELS), columns=list(LEVELS))
    if firsts.empty:
        return pd.DataFrame(columns=["period", *LEVELS]), empty
    present = community.execute(per.group_by("p", level=level(per.score)).aggregate(n=per.count()))
    periods = range(int(firsts["first"].min()), int(present["p"].max()) + 1)  # the first period is someone's first
    zero = str(rules.level(pd.Series([0.0])).iloc[0])  # the level of a period without events
    counted = firsts.set_index("first")["n"].reindex(periods, fill_value=0).cumsum()  # members from their first period on
    counts = present.pivot(index="p", columns="level", values="n").reindex(index=periods, columns=list(LEVELS)).fillna(0)
    counts[zero] += counted - counts.sum(axis=1)
    counts = counts.astype("int64")
    counts.insert(0, "period", period_start(counts.index, period).to_numpy())
    counts = counts.reset_index(drop=True)
    counts.columns = [str(c) for c in counts.columns]

    # moves, from each member's periods with events in order: into such a period from the one before
    # (its level, or a period without events), and out of one into a period without events
    end = periods[-1]
    win = ibis.window(group_by="member_key", order_by="p")
    seq = per.mutate(p_period=per.p.lag().over(win), p_score=per.score.lag().over(win), n_period=per.p.lead().over(win))
    before = ibis.ifelse(seq.p_period == seq.p - 1, seq.p_score, 0.0)
    into = seq.filter(seq.p_period.notnull()).select(prev=level(before), level=level(seq.score))
    out_of = seq.filter((seq.n_period.isnull() | (seq.n_period != seq.p + 1)) & (seq.p + 1 <= end))
    moves = into.union(out_of.select(prev=level(out_of.score), level=ibis.literal(zero)), distinct=False)
    moves = moves.group_by("prev", "level").aggregate(n=moves.count())
    m = community.execute(moves)
    transitions = m.pivot(index="prev", columns="level", values="n").reindex(index=list(LEVELS), columns=list(LEVELS)).fillna(0).astype("int64")
    all_pairs = int((firsts["n"] * (end - firsts["first"])).sum())  # a member's periods from their first, less one
    transitions.loc[zero, zero] += all_pairs - int(m["n"].sum())
    transitions.index.name, transitions.columns.name = "from", "to"
    return counts, transitions
