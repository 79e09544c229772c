"""Participation inequality: who speaks, how unequally, and how concentrated contributions are."""

from __future__ import annotations

from collections.abc import Sequence

import ibis
import numpy as np
import pandas as pd

from communitylab.bootstrap import bootstrap_tied, estimate_row
from communitylab.community import Community, cached
from communitylab.errors import ParameterError

__all__ = [
    "gini",
    "lorenz_curve",
    "top_share",
    "contributions_per_member",
    "contribution_counts",
    "participation_inequality",
    "degree_gini",
]

CONTRIBUTIONS: tuple[str, ...] = ("post", "reply")


def gini(values: Sequence[float] | np.ndarray) -> float:
    """Gini coefficient of non-negative values (0 = equal, 1 = one holds all).

    Uses the sorted-values formula ``G = sum((2i - n - 1) x_i) / (n sum x)`` (i = 1..n), the
    definition KONECT uses for its degree Gini.
    """
    x = np.sort(np.asarray(values, dtype=float))
    if (x < 0).any():
        raise ParameterError("gini needs non-negative values")
    n = len(x)
    if n == 0 or x.sum() == 0:
        return float("nan")
    i = np.arange(1, n + 1)
    return float(np.sum((2 * i - n - 1) * x) / (n * x.sum()))


def lorenz_curve(values: Sequence[float] | np.ndarray) -> pd.DataFrame:
    """Lorenz curve: ``share_of_members`` (poorest first) against ``share_of_contributions``."""
    x = np.sort(np.asarray(values, dtype=float))
    cum = np.concatenate([[0.0], np.cumsum(x)])
    return pd.DataFrame(
        {"share_of_members": np.linspace(0, 1, len(x) + 1), "share_of_contributions": cum / cum[-1] if cum[-1] else cum}
    )


def top_share(values: Sequence[float] | np.ndarray, fraction: float) -> float:
    """Share of the total held by the top ``fraction`` of units (at least one unit)."""
    x = np.sort(np.asarray(values, dtype=float))[::-1]
    k = max(1, int(np.ceil(fraction * len(x))))
    return float(x[:k].sum() / x.sum()) if x.sum() else float("nan")


@cached
def contributions_per_member(
    community: Community, kinds: Sequence[str] = CONTRIBUTIONS, *, include_hosts: bool = False
) -> pd.DataFrame:
    """Count events of ``kinds`` per member, with every known member present (zeros included).

    The member base is every member id that appears in the log (any kind, joins and reactions
    included) plus the members table when given; events with an unknown author are left out.
    Hosts are left out unless ``include_hosts``.

    Returns
    -------
    DataFrame
        Columns ``member_id, contributions, is_host``.
    """
    # the host flag is a function of the id: without a members table, hosts are left out in the engine
    counts = _contributions(community, kinds, include_hosts=include_hosts or community.members is not None)
    counts = counts.mutate(is_host=community.is_host_key(counts.member_key))  # a function of the key: not grouped by
    named = community.member_ids(counts)
    if community.members is None:  # ordered in the engine (ids compare by code point there as in Python)
        out = community.execute(named.order_by([ibis.desc("contributions"), "member_id"]))
        out["is_host"] = out["is_host"].astype(bool)
        return out[["member_id", "contributions", "is_host"]]
    out = community.execute(named)
    extra = community.members.loc[~community.members["member_id"].isin(out["member_id"]), ["member_id", "is_host"]]
    out = pd.concat([out, extra.assign(contributions=0)], ignore_index=True)
    out["is_host"] = out["is_host"].astype(bool) | out["member_id"].isin(community.hosts)
    out = out.groupby("member_id", as_index=False).agg(contributions=("contributions", "sum"), is_host=("is_host", "max"))
    if not include_hosts:
        out = out[~out["is_host"]]
    return out.sort_values(["contributions", "member_id"], ascending=[False, True]).reset_index(drop=True)


@cached
def contribution_counts(community: Community, kinds: Sequence[str] = CONTRIBUTIONS, *, include_hosts: bool = False) -> pd.Series:
    """The ``contributions`` column of :func:`contributions_per_member` alone, largest first: what
    inequality figures and the Lorenz curve read. Counted in the engine per member key; no member
    id is looked up or leaves the engine (unless a members table adds members without events)."""
    if community.members is not None:
        counts = contributions_per_member(community, kinds, include_hosts=include_hosts)["contributions"]
        return counts.reset_index(drop=True)
    counts = community.execute(_contributions(community, kinds, include_hosts=include_hosts).contributions)
    return pd.Series(np.sort(counts.to_numpy("int64"))[::-1], name="contributions")


def _contributions(community: Community, kinds: Sequence[str], *, include_hosts: bool):
    """In the engine: ``member_key, contributions`` for every member with a known id in the log
    (from the shared member × period counts when another metric built them)."""
    from communitylab.engagement.activity import COUNTED_KINDS, PERIODS, member_period_counts

    built = [p for p in PERIODS if member_period_counts.computed(community, p)]
    if built and not include_hosts and set(kinds) <= set(COUNTED_KINDS):
        c = member_period_counts(community, built[0])
        return c.group_by("member_key").aggregate(contributions=sum((c[f"n_{k}"] for k in kinds), ibis.literal(0, "int64")).sum())
    t = community.core.filter(community.core.member_key.notnull())
    t = t if include_hosts else t.filter(~t.is_host)
    return t.group_by("member_key").aggregate(contributions=t.count(where=t.kind.isin(list(kinds))))


def participation_inequality(
    community: Community,
    kinds: Sequence[str] = CONTRIBUTIONS,
    *,
    top: Sequence[float] = (0.01, 0.025, 0.10),
    super_threshold: float = 0.01,
    n_boot: int = 1000,
    seed: int = 0,
) -> pd.DataFrame:
    """Headline inequality figures over members (hosts excluded), with bootstrap intervals.

    Rows: ``share_contributing`` (members with at least one contribution, "only ~5% dare to
    speak"), ``lurker_share`` / ``contributor_share`` / ``super_contributor_share`` (the 90-9-1
    split: super contributors are the top ``super_threshold`` of contributors by count), ``gini``
    of contributions over all members, and ``top_X_share`` of contributions from the top X of
    members. Intervals resample members (seeded percentile bootstrap).

    Returns
    -------
    DataFrame
        ``metric, estimate, ci_low, ci_high, n, method``.
    """
    counts = contribution_counts(community, kinds).to_numpy(dtype=float)
    n = len(counts)
    # members with the same count are exchangeable for every statistic here: resample the
    # multiplicities of the distinct counts (bootstrap_tied), not the members one by one
    stats = {"share_contributing": _share_positive_tied, "gini": _gini_tied}
    stats.update({f"top_{f * 100:g}pct_share": (lambda v, W, f=f: _top_share_tied(v, W, f)) for f in top})
    boot = bootstrap_tied(counts, stats, n_boot=n_boot, seed=seed)
    rows = [estimate_row("share_contributing", *boot["share_contributing"], n, "bootstrap over members")]
    contributors = np.sort(counts[counts > 0])[::-1]
    k_super = max(1, int(np.ceil(super_threshold * len(contributors)))) if len(contributors) else 0
    for name, value in (
        ("lurker_share", (n - len(contributors)) / n if n else np.nan),
        ("contributor_share", (len(contributors) - k_super) / n if n else np.nan),
        ("super_contributor_share", k_super / n if n else np.nan),
    ):
        rows.append(estimate_row(name, value, np.nan, np.nan, n, "count"))
    rows.append(estimate_row("gini", *boot["gini"], n, "bootstrap over members"))
    for f in top:
        name = f"top_{f * 100:g}pct_share"
        rows.append(estimate_row(name, *boot[name], n, "bootstrap over members"))
    return pd.DataFrame(rows)


def _share_positive_tied(v: np.ndarray, W: np.ndarray) -> np.ndarray:
    return W[:, v > 0].sum(axis=1) / W.sum(axis=1)


def _gini_tied(v: np.ndarray, W: np.ndarray) -> np.ndarray:
    """:func:`gini` of the values ``v`` (ascending) held ``W`` times: the sorted-values formula with
    the ranks of each tied group summed in closed form."""
    n = W.sum(axis=1, keepdims=True)
    before = np.cumsum(W, axis=1) - W
    total = (W * v).sum(axis=1)
    return (W * v * (2 * before + W - n)).sum(axis=1) / (n[:, 0] * total)


def _top_share_tied(v: np.ndarray, W: np.ndarray, fraction: float) -> np.ndarray:
    """:func:`top_share` of the values ``v`` (ascending) held ``W`` times."""
    n = W.sum(axis=1, keepdims=True)
    k = np.maximum(1, np.ceil(fraction * n))
    vd, Wd = v[::-1], W[:, ::-1]
    before = np.cumsum(Wd, axis=1) - Wd
    taken = np.clip(k - before, 0, Wd)
    return (taken * vd).sum(axis=1) / (Wd * vd).sum(axis=1)


@cached
def degree_gini(community: Community) -> float:
    """KONECT's degree Gini: Gini of total degree (in + out, repeated edges counted) over nodes.

    Edges are replies (and messages) with both author and addressee known; nodes are the members
    that appear on at least one such edge. CollegeMsg gives 0.754 and Digg 0.632 (KONECT).
    """
    from communitylab.engagement.conversation import reply_pairs, reply_rows

    # each reply adds one to its author's degree and one to its addressee's (a self-reply two)
    if reply_pairs.computed(community):  # the reply network is already in the engine: read it
        p = reply_pairs(community)
        d = p.n.cast("int64")  # summed in 64 bits
        ends = p.select(node=p.a, d=d).union(p.select(node=p.b, d=d), distinct=False)
        deg = ends.group_by("node").aggregate(degree=ends.d.sum())
    else:  # else one aggregate over the replies' two ends (the network is not built for one metric)
        r = reply_rows(community)
        ends = r.select(node=r.src).union(r.select(node=r.dst), distinct=False)
        deg = ends.group_by("node").aggregate(degree=ends.count())
    return gini(community.execute(deg)["degree"].to_numpy())
