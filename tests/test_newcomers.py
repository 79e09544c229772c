"""Join–ask–leave and newcomer retention on the hand log and on the scenarios built to show them."""

from __future__ import annotations

import pandas as pd
import pytest

from communitylab import Community
from communitylab.engagement import (
    first_contributions,
    join_ask_leave,
    newcomer_retention,
    observation_window,
)
from communitylab.simulate import simulate


def test_join_ask_leave_by_hand(tiny):
    # askers: a (t1, answered by member b, came back in t2) and c (t3, only answered itself: left)
    j = join_ask_leave(tiny, min_followup_days=0).set_index("group")
    assert j.loc["all answered", ["askers", "left"]].tolist() == [1, 0]
    assert j.loc["answered by member", "askers"] == 1 and j.loc["answered by host", "askers"] == 0
    assert j.loc["unanswered", ["askers", "left"]].tolist() == [1, 1]
    short = join_ask_leave(tiny, min_followup_days=5).set_index("group")
    assert short.loc["excluded (short follow-up)", "askers"] == 1  # c posted an hour before the data ends


def test_newcomer_retention_by_hand(tiny):
    r = newcomer_retention(tiny, reply_within_days=7, return_within_days=20).set_index("group")
    assert r.loc["replied", ["newcomers", "returned"]].tolist() == [1, 1]
    assert r.loc["not replied", "newcomers"] == 0
    assert r.loc["difference", "excluded"] == 1


def test_brand_centric_askers_leave_more_than_in_a_living_community():
    brand = join_ask_leave(simulate("brand_centric", seed=0).community()).set_index("group")
    living = join_ask_leave(simulate("living", seed=0).community()).set_index("group")
    assert brand.loc["all answered", "ci_low"] > living.loc["all answered", "ci_high"]
    assert brand.loc["answered by host", "askers"] == brand.loc["all answered", "askers"]


def test_retention_difference_has_an_interval():
    r = newcomer_retention(simulate("living", seed=1).community()).set_index("group")
    d = r.loc["difference"]
    assert d["ci_low"] <= d["share"] <= d["ci_high"] and 0 <= d["p_value"] <= 1
    assert d["share"] == pytest.approx(r.loc["replied", "share"] - r.loc["not replied", "share"])


def test_first_contribution_at_one_instant_follows_the_stated_rule():
    t0 = pd.Timestamp("2024-03-01 09:00", tz="UTC")
    ev = pd.DataFrame({
        "event_id": ["a0", "p9", "r1", "p2", "r2", "z1"], "member_id": ["x", "a", "a", "b", "b", "c"],
        "kind": ["post", "post", "reply", "reply", "reply", "reaction"],
        "created_at": [t0, t0 + pd.Timedelta("1h")] + [t0 + pd.Timedelta("1h")] * 3 + [t0],
        "thread_id": ["a0", "p9", "a0", "a0", "p9", "a0"], "parent_id": [None, None, "a0", "a0", "p9", "a0"],
    })
    fc = first_contributions(Community.from_frames(ev)).set_index("member_id")
    assert fc.loc["a", ["first_kind", "first_thread"]].tolist() == ["post", "p9"]  # a post before a reply at the same instant
    assert fc.loc["b", ["first_kind", "first_thread"]].tolist() == ["reply", "a0"]  # two replies: the lower thread id
    assert "c" not in fc.index  # reactions only: no first contribution


def test_coming_back_equals_pandas_on_a_keyed_store(tmp_path):
    """Who came back (after the answer, outside the first thread) and who returned within the
    span, counted in pandas from each asker's events, on a store with integer keys."""
    from communitylab.engagement.newcomers import _askers
    from communitylab.loaders import open_store, write_store

    sim = simulate("living", seed=3)
    write_store(sim.events, tmp_path / "store")
    c = open_store(tmp_path / "store", hosts=sim.hosts)
    ev = sim.events
    act = ev[ev["kind"].isin(["post", "reply", "reaction"]) & ev["member_id"].notna() & ~ev["member_id"].isin(sim.hosts)]
    askers = _askers(c)
    assert len(askers) > 50
    j = askers[["member_id", "first_at", "first_thread", "answered", "answered_at"]].merge(act, on="member_id")
    outside = j["thread_id"].isna() | j["first_thread"].isna() | (j["thread_id"] != j["first_thread"])
    ref = j["answered_at"].where(j["answered"], j["first_at"])
    back = set(j.loc[outside & (j["created_at"] > ref), "member_id"])
    within = outside & (j["created_at"] > j["first_at"]) & (j["created_at"] <= j["first_at"] + pd.Timedelta(days=90))
    returned = set(j.loc[within, "member_id"])

    end = observation_window(c)[1]
    kept = askers[(end - askers["answered_at"].where(askers["answered"], askers["first_at"])).dt.total_seconds() / 86_400 >= 60]
    jal = join_ask_leave(c).set_index("group")
    assert jal.loc["all answered", "left"] == (kept["answered"] & ~kept["member_id"].isin(back)).sum()
    assert jal.loc["unanswered", "left"] == (~kept["answered"] & ~kept["member_id"].isin(back)).sum()
    new = askers[(end - askers["first_at"]).dt.total_seconds() / 86_400 >= 90]
    r = newcomer_retention(c).set_index("group")
    assert r.loc["difference", "returned"] == new["member_id"].isin(returned).sum()
    assert r.loc["difference", "newcomers"] == len(new)


def test_askers_none_of_whom_came_back():
    """No asker has any activity outside their first thread: every one left, none returned."""
    ev = pd.DataFrame({
        "event_id": ["p1", "r1", "p2"], "member_id": ["a", "b", "c"], "kind": ["post", "reply", "post"],
        "created_at": pd.to_datetime(["2024-01-01", "2024-01-02", "2024-01-03"], utc=True),
        "thread_id": ["p1", "p1", "p2"], "parent_id": [None, "p1", None],
    })
    c = Community.from_frames(ev, name="gone")
    jal = join_ask_leave(c, min_followup_days=0).set_index("group")
    assert (jal.loc["all answered", "askers"], jal.loc["all answered", "left"]) == (1, 1)
    assert (jal.loc["unanswered", "askers"], jal.loc["unanswered", "left"]) == (1, 1)
    r = newcomer_retention(c, return_within_days=0).set_index("group")
    assert (r.loc["difference", "newcomers"], r.loc["difference", "returned"]) == (2, 0)
