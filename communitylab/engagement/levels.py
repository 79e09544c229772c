"""Member engagement levels per period (lurker, occasional, regular, core) and movement between them."""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from communitylab.community import Community
from communitylab.engagement.activity import _truncate

__all__ = ["LevelRules", "LEVELS", "engagement_levels", "level_transitions", "level_counts", "level_summary"]

LEVELS = ("lurker", "occasional", "regular", "core")


@dataclass(frozen=True)
class LevelRules:
    """Orbit-style weighting of activity and the score cut-offs of each level.

    A member's *score* in a period is the weighted sum of their events: a post (starting a
    conversation) weighs 3, a reply 2, a reaction 0.5 (passive). Levels:

    * ``lurker``: score below ``occasional`` (a member who only reads or reacts a little);
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
    per = t.group_by(member_key=t.member_key, period=_truncate(t.created_at, period)).aggregate(score=w.sum())
    first = t.group_by("member_key").aggregate(first=_truncate(t.created_at.min(), period))
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
    :func:`level_transitions`, without bringing the member-period grid into pandas: the grid
    (every member in every period from their first) is built in the engine and only the counts
    come out.

    Returns
    -------
    (counts, transitions): ``period`` and one column per level (the last ``last`` periods when
    given); a level-by-level table of moves between consecutive periods (rows: from, columns: to).
    """
    import ibis

    rules = rules or LevelRules()
    t = community.core
    t = t.filter(~t.is_host & t.member_key.notnull())
    w = sum(((t.kind == k).cast("float64") * v for k, v in rules.weights.items()))
    # each stage is kept in the engine once (a temporary table) and read by the queries after it
    per = community.engine.materialize(t.group_by(member_key=t.member_key, period=_truncate(t.created_at, period)).aggregate(score=w.sum()))
    bounds = community.execute(per.aggregate(lo=per.period.min(), hi=per.period.max()))
    empty = pd.DataFrame(0, index=list(LEVELS), columns=list(LEVELS))
    if bounds.empty or pd.isna(bounds["lo"].iloc[0]):
        return pd.DataFrame(columns=["period", *LEVELS]), empty
    freq = {"day": "D", "week": "7D", "month": "MS"}[period]
    periods = pd.date_range(bounds["lo"].iloc[0].tz_localize(None), bounds["hi"].iloc[0].tz_localize(None), freq=freq)
    grid_periods = ibis.memtable(pd.DataFrame({"g_period": periods.astype("datetime64[us]")}))
    first = per.group_by(f_member="member_key").aggregate(first=per.period.min())
    grid = first.cross_join(grid_periods).filter(lambda g: g.g_period >= g.first)
    scored = grid.left_join(per, (grid.f_member == per.member_key) & (grid.g_period == per.period))
    score = scored.score.fill_null(0.0)
    level = ibis.cases((score < rules.occasional, "lurker"), (score < rules.regular, "occasional"), (score < rules.core, "regular"),
                       else_="core")
    lv = community.engine.materialize(scored.select(member=scored.f_member, period=scored.g_period, level=level))
    counts = community.execute(lv.group_by("period", "level").aggregate(n=lv.count()))
    counts = counts.pivot(index="period", columns="level", values="n").reindex(columns=list(LEVELS)).fillna(0).astype("int64")
    counts.columns = [str(c) for c in counts.columns]
    counts = counts.sort_index().reset_index()
    win = ibis.window(group_by="member", order_by="period")
    moves = lv.mutate(prev=lv.level.lag().over(win))
    moves = moves.filter(moves.prev.notnull())
    moves = moves.group_by("prev", "level").aggregate(n=moves.count())
    m = community.execute(moves)
    transitions = m.pivot(index="prev", columns="level", values="n").reindex(index=list(LEVELS), columns=list(LEVELS)).fillna(0).astype("int64")
    transitions.index.name, transitions.columns.name = "from", "to"
    return (counts.tail(last).reset_index(drop=True) if last else counts), transitions

