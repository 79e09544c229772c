"""Reply directions and reciprocity: hand-computed log, then KONECT's published figures."""

from __future__ import annotations

import pandas as pd
import pytest

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
from tests.conftest import DATA, NOW


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
    [("collegemsg/CollegeMsg.txt.gz", 0.636, 0.6364), ("digg-reply/munmun_digg_reply.txt.gz", 0.0155, 0.00216)],
)
def test_reciprocity_matches_konect(path, konect, no_loops):
    """KONECT opsahl-ucsocial: reciprocity 63.6 %; munmun_digg_reply: 1.55 % (self-loops reciprocated)."""
    c = load_edgelist(DATA / path, now=NOW)
    assert reciprocity(c) == pytest.approx(konect, abs=5e-4 if konect > 0.1 else 5e-5)
    assert reciprocity(c, self_loops="exclude") == pytest.approx(no_loops, abs=5e-5)


def test_support_threads_are_hub_and_spoke():
    c = load_support_threads(DATA / "twcs-sample/twcs_head.csv.gz", now=NOW)
    d = reply_direction_matrix(c).set_index("direction")
    assert d.loc["member->member", "share"] < 0.2
    assert d.loc["host->member", "share"] > 0.5
    edges = reply_edges(c, without_hosts=True)
    assert not edges["src_is_host"].any() and not edges["dst_is_host"].any()
