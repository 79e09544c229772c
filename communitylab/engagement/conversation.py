"""Conversation structure: who replies to whom, reciprocity, centralization, with and without the host.

A reply's direction is read from the author of the parent event (``to_member_id``, filled from the
parent by the validator, or given directly by edge lists): ``member->host`` is a member replying to
something a host wrote. Replies whose parent is outside the data and that name no addressee have
an unknown direction; they are counted, not guessed.
"""

from __future__ import annotations

import ibis
import numpy as np
import pandas as pd

from communitylab.community import Community, cached
from communitylab.errors import ParameterError

__all__ = [
    "reply_rows",
    "reply_pairs",
    "reply_edges",
    "reply_direction_matrix",
    "reciprocity",
    "degree_centralization",
    "conversation_structure",
    "engagement_mix",
    "thread_depth",
    "repeated_ties",
    "member_to_member_share",
    "reciprocity_counts",
]

DIRECTIONS = ("member->member", "member->host", "host->member", "host->host")


def _replies(community: Community):
    t = community.core
    return t.filter((t.kind == "reply") & t.member_key.notnull())


def _edges(community: Community):
    """The reply network as directed edges, read by every directed network metric: one row per
    directed pair ``src, dst`` (replies with a known author and addressee), its host flags and the
    number of replies ``n`` (64-bit); ``src`` and ``dst`` are member keys (:attr:`Community.core`).
    A view over the undirected pair table (:func:`reply_pairs`), which is what is built (once) in the
    engine, with 32-bit counts."""
    p = reply_pairs(community)
    ab = p.filter(p.n_ab > 0).select(src=p.a, dst=p.b, src_is_host=p.a_host, dst_is_host=p.b_host, n=p.n_ab.cast("int64"))
    ba = p.filter(p.n_ba > 0).select(src=p.b, dst=p.a, src_is_host=p.b_host, dst_is_host=p.a_host, n=p.n_ba.cast("int64"))
    return ab.union(ba, distinct=False)


def reply_rows(community: Community):
    """One row per reply with a known author and addressee: ``src, dst, src_is_host, dst_is_host``."""
    r = _replies(community)
    r = r.filter(r.to_member_key.notnull())
    return r.select(src=r.member_key, dst=r.to_member_key, src_is_host=r.is_host, dst_is_host=r.to_host)


def _member_pairs_only(e):
    return e.filter(~e.src_is_host & ~e.dst_is_host)


def _edges_without_hosts(community: Community):
    return _member_pairs_only(_edges(community))


def _pair_rows(community: Community):
    """Each unordered pair {a, b} (a <= b) of members linked by replies, once: the replies a -> b
    (``n_ab``; a self-loop a = b counts here) and b -> a (``n_ba``), all of them (``n``), each end's
    host flag and ``nh`` (neither end a host). One aggregate over the replies."""
    r = reply_rows(community)
    a, b = ibis.least(r.src, r.dst), ibis.greatest(r.src, r.dst)
    # 32-bit counts (a pair's replies): a narrower table to keep (32.5M pairs on the 100M-event
    # benchmark); what reads them sums them in 64 bits (see _edges)
    counts = {"n": r.count().cast("int32"), "n_ab": r.count(where=r.src <= r.dst).cast("int32")}
    if community.keys is not None:  # the store's 32-bit keys, non-negative: the pair packed in one 64-bit key hashes faster
        p = r.group_by(k=a.cast("int64") * 2**32 + b.cast("int64")).aggregate(**counts)
        p = p.select(a=(p.k // 2**32).cast("int32"), b=(p.k % 2**32).cast("int32"), n=p.n, n_ab=p.n_ab)
    else:
        p = r.group_by(a=a, b=b).aggregate(**counts)
    a_host, b_host = community.is_host_key(p.a), community.is_host_key(p.b)  # a function of the key: not aggregated
    return p.mutate(n_ba=(p.n - p.n_ab).cast("int32"), a_host=a_host, b_host=b_host, nh=~a_host & ~b_host)


@cached
def reply_pairs(community: Community):
    """The reply network, built once in the engine (a DuckDB temporary table, or Parquet on Spark)
    as undirected pairs with their replies each way (see :func:`_pair_rows`): reciprocity,
    repeated ties and degree centralization read it as it is, the directed metrics through
    :func:`_edges`."""
    return community.engine.materialize(_pair_rows(community))


@cached
def reply_edges(community: Community, *, without_hosts: bool = False, top: int | None = None) -> pd.DataFrame:
    """Directed reply edges with counts: ``src, dst, n, src_is_host, dst_is_host``.

    ``without_hosts`` drops every edge touching a host ("does a community remain?"). ``top`` keeps
    only the ``top`` heaviest edges between two different members (ties by ids), chosen in the
    engine, for drawing; ``attrs["pairs"]`` is then the number of all edges.
    """
    e = _edges_without_hosts(community) if without_hosts else _edges(community)
    e = e.select("src", "dst", "n", "src_is_host", "dst_is_host")

    def ids(x):
        return community.member_ids(community.member_ids(x, "src", "src"), "dst", "dst")

    if top is None:
        return community.execute(ids(e)).sort_values(["src", "dst"]).reset_index(drop=True)
    heavy = e.filter(e.src != e.dst).order_by([ibis.desc("n"), "src", "dst"]).limit(top)
    out = community.execute(ids(heavy)).sort_values(["src", "dst"]).reset_index(drop=True)
    out.attrs["pairs"] = int(community.execute(e.count()))
    return out


@cached
def reply_direction_matrix(community: Community) -> pd.DataFrame:
    """Replies by direction: ``direction, replies, share`` (share of replies whose direction is known).

    Rows are the four directions plus ``unknown`` (parent outside the data and no addressee; its
    share is NaN). Self-replies (a member answering their own post) count as member->member or
    host->host.
    """
    r = _replies(community)
    # grouped by the flags (a handful of rows), named in pandas: no string built per reply
    agg = r.group_by(known=r.to_member_key.notnull(), src=r.is_host, dst=r.to_host).aggregate(replies=r.count())
    counts = community.execute(agg)
    name = {(False, False): "member->member", (False, True): "member->host", (True, False): "host->member", (True, True): "host->host"}
    counts["direction"] = [name[(bool(s), bool(d))] if k else "unknown" for k, s, d in zip(counts["known"], counts["src"], counts["dst"])]
    df = counts.groupby("direction")["replies"].sum().reindex([*DIRECTIONS, "unknown"], fill_value=0).rename_axis("direction").reset_index()
    total_known = df.loc[df["direction"] != "unknown", "replies"].sum()
    df["share"] = np.where(df["direction"] == "unknown", np.nan, df["replies"] / total_known if total_known else np.nan)
    df["replies"] = df["replies"].astype("int64")
    return df


@cached
def member_to_member_share(community: Community, *, level: float = 0.95) -> pd.Series:
    """Share of replies with a known addressee that go from one member to another, with an interval
    clustered by replying member.

    Replies by the same member are not independent, so the interval treats each replying member as
    a cluster: the share is a ratio of totals, its variance the linearized (sandwich) variance over
    clusters with the small-sample factor c/(c-1), as R ``survey::svyratio`` computes for a
    one-stage cluster sample; the interval uses the t distribution on c-1 degrees of freedom.

    Returns
    -------
    Series
        ``share, ci_low, ci_high, replies, members`` (NaN without replies of known direction).
    """
    from scipy import stats

    e = _edges(community)
    per = e.group_by("src").aggregate(m=e.n.sum(), y=(~e.src_is_host & ~e.dst_is_host).ifelse(e.n, 0).sum())
    df = community.execute(per.select("m", "y"))
    c, total = len(df), float(df["m"].sum()) if len(df) else 0.0
    if not total:
        return pd.Series({"share": np.nan, "ci_low": np.nan, "ci_high": np.nan, "replies": 0, "members": c})
    p = float(df["y"].sum()) / total
    if c < 2:
        return pd.Series({"share": p, "ci_low": np.nan, "ci_high": np.nan, "replies": int(total), "members": c})
    resid = df["y"].to_numpy(float) - p * df["m"].to_numpy(float)
    # summed in sorted order: the members come back from the engine in any order, the same numbers every run
    se = float(np.sqrt(c / (c - 1) * np.sum(np.sort(resid**2))) / total)
    q = stats.t.ppf(0.5 + level / 2, c - 1)
    return pd.Series({"share": p, "ci_low": max(0.0, p - q * se), "ci_high": min(1.0, p + q * se), "replies": int(total), "members": c})


@cached
def reciprocity(community: Community, *, self_loops: str = "konect", without_hosts: bool = False) -> float:
    """Share of distinct directed pairs (u, v) whose reverse pair (v, u) also exists.

    Parameters
    ----------
    self_loops : {"konect", "exclude"}
        ``konect`` (default) matches KONECT: a self-loop (u, u) is its own reverse and counts as
        reciprocated (Digg: 1.55 %). ``exclude`` drops self-loops from numerator and denominator
        (Digg: 0.22 %). CollegeMsg has no self-loops: 0.636 either way.
    without_hosts : bool
        Compute it on member-to-member edges only.
    """
    matched, pairs = reciprocity_counts(community, self_loops=self_loops, without_hosts=without_hosts)
    return float(matched / pairs) if pairs else float("nan")


@cached
def reciprocity_counts(community: Community, *, self_loops: str = "konect", without_hosts: bool = False) -> tuple[int, int]:
    """(reciprocated pairs, distinct directed pairs) behind :func:`reciprocity` (same options)."""
    if self_loops not in ("konect", "exclude"):
        raise ParameterError("self_loops must be 'konect' or 'exclude'")
    return _reciprocity_table(community)[(self_loops, without_hosts)]


@cached
def _reciprocity_table(community: Community) -> dict[tuple[str, bool], tuple[int, int]]:
    """Every variant of the reciprocity counts from one pass, without joining the pairs to their
    reverses: each unordered pair {a, b} once, with whether replies went a -> b and b -> a (a
    self-loop is one directed pair, its own reverse under KONECT's rule). Counted with and without
    self-loops and host edges (a pair's host flag is the same both ways)."""
    if reply_pairs.computed(community):  # the reply network is already in the engine: read it
        p = reply_pairs(community)
        fwd, bwd, nh = p.n_ab > 0, p.n_ba > 0, p.nh
    else:  # else the pairs in this query alone, from the replies (the network is not built for one metric)
        r = reply_rows(community)
        p = r.group_by(a=ibis.least(r.src, r.dst), b=ibis.greatest(r.src, r.dst)).aggregate(
            fwd=(r.src < r.dst).any(), bwd=(r.src > r.dst).any(), nh=(~r.src_is_host & ~r.dst_is_host).any())
        fwd, bwd, nh = p.fwd, p.bwd, p.nh
    loop = p.a == p.b
    counts = community.execute(p.group_by(loop=loop, nh=nh).aggregate(
        directed=ibis.ifelse(loop, 1, fwd.cast("int64") + bwd.cast("int64")).sum(),  # distinct directed pairs
        reciprocated=ibis.ifelse(fwd & bwd & ~loop, 2, 0).sum(),  # of which with their reverse (self-loops apart)
    ))
    counts = counts.astype({"loop": bool, "nh": bool, "directed": "int64", "reciprocated": "int64"})
    out = {}
    for hosts in (False, True):
        c = counts[counts["nh"]] if hosts else counts
        loops = int(c.loc[c["loop"], "directed"].sum())  # a self-loop is its own reverse under KONECT's rule
        out[("konect", hosts)] = (int(c["reciprocated"].sum()) + loops, int(c["directed"].sum()))
        out[("exclude", hosts)] = (int(c.loc[~c["loop"], "reciprocated"].sum()), int(c.loc[~c["loop"], "directed"].sum()))
    return out


@cached
def _network_shape(community: Community) -> dict[bool, tuple[float, int]]:
    """``{without_hosts: (degree centralization, members in conversation)}`` of the reply network,
    with and without the hosts, in one query: the same definitions as :func:`degree_centralization`
    and ``conversation_structure``."""
    p = reply_pairs(community)
    # each pair's two ends: a node's degree counts its pairs with another member (self-loops apart),
    # among all pairs and among pairs without a host
    side = {"loop": p.a == p.b, "nh": p.nh}
    ends = p.select(node=p.a, host=p.a_host, **side).union(p.select(node=p.b, host=p.b_host, **side), distinct=False)
    one = ibis.literal(1, "int64")
    nodes = ends.group_by("node").aggregate(
        d=ibis.ifelse(ends.loop, 0, one).sum(), d_nh=ibis.ifelse(ends.loop | ~ends.nh, 0, one).sum(),
        host=ends.host.max(), in_nh=ends.nh.max(),
    )
    row = community.execute(nodes.aggregate(
        n=(nodes.d > 0).cast("int64").sum(), top=nodes.d.max(), total=nodes.d.sum(), members=(~nodes.host).cast("int64").sum(),
        n_nh=(nodes.d_nh > 0).cast("int64").sum(), top_nh=nodes.d_nh.max(), total_nh=nodes.d_nh.sum(), members_nh=nodes.in_nh.cast("int64").sum(),
    )).iloc[0]

    def shape(suffix: str) -> tuple[float, int]:
        k = int(row["n" + suffix]) if pd.notna(row["n" + suffix]) else 0
        central = float((k * row["top" + suffix] - row["total" + suffix]) / ((k - 1) * (k - 2))) if k >= 3 else float("nan")
        members = row["members" + suffix]
        return central, int(members) if pd.notna(members) else 0

    return {False: shape(""), True: shape("_nh")}


def degree_centralization(edges: pd.DataFrame) -> float:
    """Freeman degree centralization of the simple undirected graph of ``edges`` (``src, dst``).

    ``sum(max_deg - deg_i) / ((n - 1)(n - 2))``: 1 for a star (everyone talks to one hub, the
    "hub-and-spoke" audience), near 0 when degrees are even. Self-loops are ignored.
    """
    e = edges.loc[edges["src"] != edges["dst"], ["src", "dst"]]
    if e.empty:
        return float("nan")
    src, dst = e["src"].astype(str), e["dst"].astype(str)
    first = src < dst
    und = pd.DataFrame({"a": src.where(first, dst), "b": dst.where(first, src)}).drop_duplicates()
    deg = pd.concat([und["a"], und["b"]]).value_counts()
    n = len(deg)
    if n < 3:
        return float("nan")
    return float((deg.max() - deg).sum() / ((n - 1) * (n - 2)))


def conversation_structure(community: Community) -> pd.DataFrame:
    """The conversation panel, with and without the host.

    Rows: ``member_to_member_share`` (of replies with a known direction), ``host_involved_share``
    (replies by or to a host), ``reciprocity`` (KONECT definition), ``reciprocity_no_self_loops``,
    ``degree_centralization``, ``members_in_conversation`` (members on at least one reply edge).
    Columns: ``metric, with_host, without_host``.
    """
    dm = reply_direction_matrix(community).set_index("direction")["share"]
    shape = _network_shape(community)
    (central, members), (central_nh, members_nh) = shape[False], shape[True]

    rows = [
        ("member_to_member_share", dm.get("member->member", np.nan), 1.0 if dm.get("member->member", 0) > 0 else np.nan),
        ("host_involved_share", 1 - dm.get("member->member", np.nan), 0.0),
        ("reciprocity", reciprocity(community), reciprocity(community, without_hosts=True)),
        (
            "reciprocity_no_self_loops",
            reciprocity(community, self_loops="exclude"),
            reciprocity(community, self_loops="exclude", without_hosts=True),
        ),
        ("degree_centralization", central, central_nh),
        ("members_in_conversation", float(members), float(members_nh)),
    ]
    return pd.DataFrame(rows, columns=["metric", "with_host", "without_host"])


@cached
def engagement_mix(community: Community) -> pd.DataFrame:
    """Conversation versus passive reactions: ``kind, events, share`` over posts, replies, reactions.

    "Engagement rate is too often just clicks, likes and shares", as users say: a high reaction share
    with few replies is an audience, not a conversation.
    """
    from communitylab.engagement.daily import daily_counts

    d = daily_counts(community)
    df = d[d["kind"].isin(["post", "reply", "reaction"])].groupby("kind")["events"].sum().to_frame()
    df = df.reindex(["post", "reply", "reaction"], fill_value=0).reset_index()
    df["share"] = df["events"] / df["events"].sum() if df["events"].sum() else np.nan
    return df


def thread_depth(community: Community) -> pd.DataFrame:
    """Replies per thread and depth (longest parent chain), one row per thread started by a post.

    Depth is 0 for an unanswered post, 1 when every reply answers the post directly.
    Computed in pandas from the thread's reply edges (threads are small).
    """
    t = community.events
    r = t.filter(t.kind.isin(["post", "reply"]) & t.thread_id.notnull()).select("event_id", "parent_id", "thread_id", "kind")
    df = community.execute(r)
    parent = dict(zip(df["event_id"], df["parent_id"]))
    depth: dict[str, int] = {}

    def d(eid: str) -> int:
        chain = []
        cur = eid
        while cur not in depth:
            p = parent.get(cur)
            if p is None or pd.isna(p) or p not in parent or len(chain) > 10_000:
                depth[cur] = 0 if p is None or pd.isna(p) else 1
                break
            chain.append(cur)
            cur = p
        base = depth[cur]
        for node in reversed(chain):
            base += 1
            depth[node] = base
        return depth[eid]

    df["depth"] = [d(e) for e in df["event_id"]]
    posts = df[df["kind"] == "post"]["thread_id"]
    g = df.groupby("thread_id").agg(replies=("kind", lambda k: int((k == "reply").sum())), depth=("depth", "max"))
    return g.loc[g.index.isin(posts)].reset_index()


@cached
def repeated_ties(community: Community, *, without_hosts: bool = False, level: float = 0.95) -> pd.Series:
    """Share of member pairs that exchange more than once, with a Wilson interval.

    A pair is two distinct members linked by at least one reply (either direction); it is
    *repeated* when the two exchanged two replies or more in all. A crowd whose members reply once
    and never meet again (Digg: 1 %) is an aggregation, not a conversation; a
    community of people who talk (CollegeMsg: 62 %) repeats its ties.

    Returns
    -------
    Series
        ``share, ci_low, ci_high, pairs, repeated``.
    """
    from statsmodels.stats.proportion import proportion_confint

    if reply_pairs.computed(community):  # the reply network is already in the engine: read it
        pairs = reply_pairs(community)
        pairs = pairs.filter(pairs.a != pairs.b)
        pairs = pairs.filter(pairs.nh) if without_hosts else pairs
    else:  # else one aggregate over the replies, as a single query would (the network is not built for one metric)
        r = reply_rows(community)
        r = _member_pairs_only(r) if without_hosts else r
        r = r.filter(r.src != r.dst)
        pairs = r.group_by(a=ibis.least(r.src, r.dst), b=ibis.greatest(r.src, r.dst)).aggregate(n=r.count())
    df = community.execute(pairs.aggregate(pairs=pairs.count(), repeated=(pairs.n >= 2).cast("int64").sum()))
    n, k = int(df["pairs"].iloc[0]), int(df["repeated"].fillna(0).iloc[0])
    if n == 0:
        return pd.Series({"share": np.nan, "ci_low": np.nan, "ci_high": np.nan, "pairs": 0, "repeated": 0})
    lo, hi = proportion_confint(k, n, alpha=1 - level, method="wilson")
    return pd.Series({"share": k / n, "ci_low": lo, "ci_high": hi, "pairs": n, "repeated": k})
