"""Reply directions and reciprocity: hand-computed log, then KONECT's published figures."""

from __future__ import annotations

import pandas as pd
import pytest

from communitylab import Community
from communitylab.engagement import (
    conversation_structure,
    degree_centralization,
    engagement_mix,
    reciprocity,
    reply_direction_matrix,
    reply_edges,
    thread_depth,
)
from communitylab.loaders import load_edgelist, load_support_threads
from tests.conftest import NOW, real


def test_directions_on_the_tiny_log(tiny):
    d = reply_direction_matrix(tiny).set_index("direction")
    # r1 b->a, r4 b->a (parent r3 by a), r5 c->c: member->member; r3 a->h; r2 h->a
    assert d["replies"].to_dict() == {"member->member": 3, "member->host": 1, "host->member": 1, "host->host": 0, "unknown": 0}
    assert d.loc["member->member", "share"] == pytest.approx(0.6)


def test_reciprocity_definitions_on_the_tiny_log(tiny):
    # pairs (b,a), (h,a), (a,h), (c,c): KONECT counts the self-loop as reciprocated
    assert reciprocity(tiny) == pytest.approx(3 / 4)
    assert reciprocity(tiny, self_loops="exclude") == pytest.approx(2 / 3)
    assert reciprocity(tiny, without_hosts=True) == pytest.approx(1 / 2)  # (b,a) and (c,c)


def test_reciprocity_counts_without_a_self_join_match_pairs_and_their_reverses():
    """Every variant, from the replies or from the built reply network, equals a count of distinct
    directed pairs whose reverse exists (computed here in pandas)."""
    from communitylab.engagement import reciprocity_counts
    from communitylab.engagement.conversation import reply_pairs
    from communitylab.simulate import simulate

    sim = simulate("living", seed=11, n_members=150, days=90)
    events = sim.events.copy()
    author = events.set_index("event_id")["member_id"]
    replies = events.index[events["kind"] == "reply"][::40]  # some members answer themselves: self-loops
    events.loc[replies, "member_id"] = author.reindex(events.loc[replies, "parent_id"]).to_numpy()

    def community():
        return Community.from_frames(events, sim.members, hosts=sim.hosts, now=NOW)

    alone, shared = community(), community()
    reply_pairs(shared)
    ev = alone.frame
    ev = ev[(ev["kind"] == "reply") & ev["member_id"].notna() & ev["to_member_id"].notna()]
    ev = ev.assign(self_reply=ev["member_id"] == ev["to_member_id"])
    assert ev["self_reply"].any()  # the simulated log has self-replies, so the self-loop rules are exercised
    pairs = set(zip(ev["member_id"], ev["to_member_id"]))
    for loops in ("konect", "exclude"):
        for without_hosts in (False, True):
            keep = {(u, v) for u, v in pairs if (loops == "konect" or u != v)
                    and not (without_hosts and (u in sim.hosts or v in sim.hosts))}
            expected = (sum((v, u) in keep for u, v in keep), len(keep))
            assert reciprocity_counts(alone, self_loops=loops, without_hosts=without_hosts) == expected
            assert reciprocity_counts(shared, self_loops=loops, without_hosts=without_hosts) == expected
    assert not reply_pairs.computed(alone)
    # the directed edges, read back from the pair table, are the replies grouped by author and addressee
    edges = reply_edges(shared).set_index(["src", "dst"])
    expected = ev.groupby(["member_id", "to_member_id"]).size()
    assert edges["n"].to_dict() == expected.to_dict()
    assert edges["src_is_host"].to_dict() == {(u, v): u in sim.hosts for u, v in expected.index}
    assert edges["dst_is_host"].to_dict() == {(u, v): v in sim.hosts for u, v in expected.index}


def test_structure_with_and_without_host(tiny):
    s = conversation_structure(tiny).set_index("metric")
    assert s.loc["member_to_member_share", "with_host"] == pytest.approx(0.6)
    assert s.loc["members_in_conversation", "with_host"] == 3
    assert s.loc["members_in_conversation", "without_host"] == 3  # a, b, c still talk without h


def test_degree_centralization_of_a_star_and_a_ring():
    star = pd.DataFrame({"src": ["hub"] * 4, "dst": ["a", "b", "c", "d"]})
    ring = pd.DataFrame({"src": ["a", "b", "c", "d"], "dst": ["b", "c", "d", "a"]})
    assert degree_centralization(star) == pytest.approx(1.0)
    assert degree_centralization(ring) == pytest.approx(0.0)


def test_engagement_mix_and_thread_depth(tiny):
    mix = engagement_mix(tiny).set_index("kind")["events"].to_dict()
    assert mix == {"post": 3, "reply": 5, "reaction": 1}
    depth = thread_depth(tiny).set_index("thread_id")
    assert depth.loc["t1", "depth"] == 1 and depth.loc["t2", "depth"] == 2 and depth.loc["t2", "replies"] == 2


@pytest.mark.parametrize(
    "path, konect, no_loops",
    [("collegemsg", 0.636, 0.6364), ("digg-reply", 0.0155, 0.00216)],
)
def test_reciprocity_matches_konect(path, konect, no_loops):
    """KONECT opsahl-ucsocial: reciprocity 63.6 %; munmun_digg_reply: 1.55 % (self-loops reciprocated)."""
    c = load_edgelist(real(path), now=NOW)
    assert reciprocity(c) == pytest.approx(konect, abs=5e-4 if konect > 0.1 else 5e-5)
    assert reciprocity(c, self_loops="exclude") == pytest.approx(no_loops, abs=5e-5)


def test_support_threads_are_hub_and_spoke():
    c = load_support_threads(real("twcs-sample"), now=NOW)
    d = reply_direction_matrix(c).set_index("direction")
    assert d.loc["member->member", "share"] < 0.2
    assert d.loc["host->member", "share"] > 0.5
    edges = reply_edges(c, without_hosts=True)
    assert not edges["src_is_host"].any() and not edges["dst_is_host"].any()


def _ratio_community():
    """Six replying members (ids 1..6) with m_i replies of known addressee, y_i of them to another
    member (the rest to the host ``h``), under one host post."""
    from communitylab.community import Community

    m, y = [10, 3, 7, 1, 4, 6], [8, 0, 6, 1, 1, 3]
    rows = [("p0", "h", "post", "2024-01-01 00:00", "p0", None), ("p1", "z", "post", "2024-01-01 00:01", "p1", None)]
    k = 0
    for member, (mi, yi) in enumerate(zip(m, y), start=1):
        for j in range(mi):
            k += 1
            rows.append((f"r{k}", str(member), "reply", f"2024-01-02 {k // 60:02d}:{k % 60:02d}", *(("p1", "p1") if j < yi else ("p0", "p0"))))
    df = pd.DataFrame(rows, columns=["event_id", "member_id", "kind", "created_at", "thread_id", "parent_id"])
    df["created_at"] = pd.to_datetime(df["created_at"], utc=True)
    return Community.from_frames(df, hosts=["h"], name="ratio")


def test_member_to_member_share_matches_r_svyratio_clustered_by_member():
    """R 4.2, survey 4.1.1: d <- data.frame(id=1:6, m=c(10,3,7,1,4,6), y=c(8,0,6,1,1,3));
    svyratio(~y, ~m, svydesign(ids=~id, data=d, weights=~1)) -> 0.612903225806, SE 0.125036309548."""
    from scipy import stats

    from communitylab.engagement import member_to_member_share

    out = member_to_member_share(_ratio_community())
    assert out["share"] == pytest.approx(0.612903225806, abs=1e-12)
    assert out["replies"] == 31 and out["members"] == 6
    half = stats.t.ppf(0.975, 5) * 0.125036309548
    assert out["ci_low"] == pytest.approx(0.612903225806 - half, abs=1e-9)
    assert out["ci_high"] == pytest.approx(min(1.0, 0.612903225806 + half), abs=1e-9)


@pytest.mark.parametrize("name", ["twcs-sample", "stackexchange-beer"])
def test_network_shape_in_the_engine_matches_the_pandas_definition(name):
    from communitylab import datasets
    from communitylab.engagement import conversation_structure, degree_centralization, reply_edges

    c = datasets.load_community(name)
    panel = conversation_structure(c).set_index("metric")
    edges = reply_edges(c)
    member_edges = edges[~edges["src_is_host"] & ~edges["dst_is_host"]]
    assert panel.loc["degree_centralization", "with_host"] == pytest.approx(degree_centralization(edges), rel=1e-12)
    assert panel.loc["degree_centralization", "without_host"] == pytest.approx(degree_centralization(member_edges), rel=1e-12)
    members = set(edges.loc[~edges["src_is_host"], "src"]) | set(edges.loc[~edges["dst_is_host"], "dst"])
    assert panel.loc["members_in_conversation", "with_host"] == len(members)
    assert panel.loc["members_in_conversation", "without_host"] == len(set(member_edges["src"]) | set(member_edges["dst"]))


def test_the_heaviest_edges_are_chosen_in_the_engine():
    from communitylab import datasets
    from communitylab.engagement import reply_edges

    c = datasets.load_community("twcs-sample")
    every = reply_edges(c)
    top = reply_edges(c, top=50)
    expected = every[every["src"] != every["dst"]].sort_values(["n", "src", "dst"], ascending=[False, True, True]).head(50)
    assert top.attrs["pairs"] == len(every)
    pd.testing.assert_frame_equal(top, expected.sort_values(["src", "dst"]).reset_index(drop=True), check_dtype=False)


def test_member_to_member_interval_does_not_depend_on_the_order_members_come_back_in():
    """The engine may return the members in any order (it runs on several threads): the same interval
    to the last digit whatever the order."""
    from communitylab import datasets
    from communitylab.engagement import member_to_member_share

    runs = set()
    for seed in range(8):
        c = datasets.load_community("twcs-sample")
        execute = c.execute
        c.execute = lambda expr, execute=execute, seed=seed: execute(expr).sample(frac=1.0, random_state=seed)  # a shuffled arrival
        runs.add(tuple(member_to_member_share(c).to_numpy()))
    assert len(runs) == 1


def test_the_reply_network_keeps_32_bit_counts_and_reads_out_64_bit_totals():
    """The shared pair table is kept with 32-bit counts; the edges, degrees and totals read from it
    come out in 64 bits and equal counts over the replies themselves."""
    from communitylab import datasets
    from communitylab.engagement import degree_gini, member_to_member_share
    from communitylab.engagement.conversation import reply_pairs
    from communitylab.engagement.inequality import gini

    c = datasets.load_community("twcs-sample")
    schema = reply_pairs(c).schema()
    assert [str(schema[k]) for k in ("n", "n_ab", "n_ba")] == ["int32"] * 3
    ev = c.to_pandas()
    r = ev[(ev["kind"] == "reply") & ev["member_id"].notna() & ev["to_member_id"].notna()]
    edges = reply_edges(c)
    assert edges["n"].dtype == "int64"
    by_hand = r.groupby(["member_id", "to_member_id"]).size().rename("n").reset_index()
    by_hand = by_hand.rename(columns={"member_id": "src", "to_member_id": "dst"}).sort_values(["src", "dst"])
    pd.testing.assert_frame_equal(edges[["src", "dst", "n"]], by_hand.reset_index(drop=True), check_dtype=False)
    degree = pd.concat([r["member_id"], r["to_member_id"]]).value_counts()
    assert degree_gini(c) == pytest.approx(gini(degree.to_numpy()), rel=1e-12)
    assert member_to_member_share(c)["replies"] == len(r)
