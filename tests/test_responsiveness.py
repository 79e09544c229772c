"""Time to first reply: censoring on a hand log; Stack Exchange's own figures on real data."""

from __future__ import annotations

import pandas as pd
import pytest

from communitylab import Community
from communitylab.engagement import answered_within, first_replies, reply_survival_curve, time_to_first_reply
from communitylab.loaders import read_stackexchange
from tests.conftest import NOW, real


def test_first_replies_censor_unanswered_threads(tiny):
    f = first_replies(tiny).set_index("thread_id")
    assert f.loc["t1", "hours"] == pytest.approx(2.0) and f.loc["t1", "answered"]
    assert f.loc["t2", "hours"] == pytest.approx(0.5) and not f.loc["t2", "first_replier_is_host"]
    # t3: c's own reply does not count; censored at the last event (2024-02-10 00:00)
    assert not f.loc["t3", "answered"] and f.loc["t3", "hours"] == pytest.approx(208.0)
    assert len(f) == 3  # never dropped


def test_kaplan_meier_by_hand(tiny):
    curve = reply_survival_curve(first_replies(tiny))
    assert curve["waiting"].tolist()[:2] == pytest.approx([2 / 3, 1 / 3])
    within = answered_within(first_replies(tiny), [1, 24]).set_index("metric")["estimate"]
    assert within["answered_within_1h"] == pytest.approx(1 / 3) and within["answered_within_24h"] == pytest.approx(2 / 3)
    t = time_to_first_reply(tiny).set_index("metric")
    assert t.loc["median_hours_to_first_reply", "estimate"] == pytest.approx(2.0)
    assert t.loc["answered_share", "estimate"] == pytest.approx(2 / 3)
    assert t.loc["first_answer_by_host_share", "estimate"] == 0.0


def test_censored_thread_near_the_end_is_not_counted_as_slow():
    ev = pd.DataFrame({
        "event_id": ["p1", "r1", "p2", "p3", "r3"], "member_id": ["a", "b", "c", "d", "e"],
        "kind": ["post", "reply", "post", "post", "reply"],
        "created_at": pd.to_datetime(["2024-01-01 00:00", "2024-01-01 01:00", "2024-01-01 02:00", "2024-01-10 00:00", "2024-01-10 00:30"], utc=True),
        "thread_id": ["p1", "p1", "p2", "p3", "p3"], "parent_id": [None, "p1", None, None, "p3"],
    })
    f = first_replies(Community.from_frames(ev, now=NOW))
    assert f["answered"].sum() == 2 and len(f) == 3


def test_stackexchange_time_to_first_answer_matches_the_readme():
    """The stackexchange-beer data set's provenance (README in ../shared/data): 576 questions answered; median 6.04 h; p25 0.97 h;
    answered within 1 h 25.2 %, within 24 h 72.1 % (answers only, self-answers included)."""
    raw = read_stackexchange(real("stackexchange-beer"), include_votes=False)
    ev, mem = raw.events, raw.members
    answers_only = ev[~ev["event_id"].str.startswith("c")]
    f = first_replies(Community.from_frames(answers_only, mem, now=NOW), exclude_self=False)
    h = f.loc[f["answered"], "hours"]
    assert len(h) == 576
    assert h.median() == pytest.approx(6.04, abs=0.005)
    assert h.quantile(0.25) == pytest.approx(0.97, abs=0.005)
    assert (h <= 1).mean() == pytest.approx(0.252, abs=0.0005)
    assert (h <= 24).mean() == pytest.approx(0.721, abs=0.001)  # 415/576 = 0.72049; README prints 72.1 %


@pytest.mark.parametrize("day", ["2024-01-01", "1969-12-31"])  # either side of the epoch the integers behind the rule are signed
def test_a_member_reply_counts_first_when_a_host_replies_at_the_same_instant(day, monkeypatch):
    monkeypatch.setenv("COMMUNITYLAB_EARLIEST", "1900-01-01")  # dates before 1990 are outside the default range
    t0 = pd.Timestamp(f"{day} 10:00", tz="UTC")
    ev = pd.DataFrame({
        "event_id": ["p1", "rh", "rm", "p2", "rh2", "rm2"], "member_id": ["a", "h", "b", "c", "h", "d"],
        "kind": ["post", "reply", "reply", "post", "reply", "reply"],
        "created_at": [t0, t0 + pd.Timedelta("1h"), t0 + pd.Timedelta("1h"), t0, t0 + pd.Timedelta("30min"), t0 + pd.Timedelta("2h")],
        "thread_id": ["p1", "p1", "p1", "p2", "p2", "p2"], "parent_id": [None, "p1", "p1", None, "p2", "p2"],
    })
    f = first_replies(Community.from_frames(ev, hosts=["h"], now=NOW)).set_index("thread_id")
    assert f.loc["p1", "hours"] == pytest.approx(1.0) and not f.loc["p1", "first_replier_is_host"]  # the tie: b's reply
    assert f.loc["p2", "hours"] == pytest.approx(0.5) and f.loc["p2", "first_replier_is_host"]  # h alone was first


def test_waits_counted_in_the_engine_give_the_per_thread_numbers():
    """The survival curve and the headline figures from threads counted by wait in the engine equal
    statsmodels' Kaplan–Meier over one row per thread (the rows of first_replies)."""
    import numpy as np
    from statsmodels.duration.survfunc import SurvfuncRight

    from communitylab.engagement import waiting_times
    from communitylab.simulate import simulate

    c = simulate("living", seed=5, n_members=200, days=120).community()
    f = first_replies(c)
    counted = waiting_times(c)
    assert counted["threads"].sum() == len(f) and counted["answered"].sum() < len(counted)  # some waits censored
    assert counted.loc[counted["answered"], "threads"].sum() == f["answered"].sum()
    pd.testing.assert_frame_equal(reply_survival_curve(c), reply_survival_curve(f))
    sf = SurvfuncRight(f["hours"].clip(lower=0).to_numpy(float), f["answered"].to_numpy(int))
    np.testing.assert_allclose(reply_survival_curve(c)["waiting"], sf.surv_prob, rtol=1e-12)
    t = time_to_first_reply(c).set_index("metric")
    assert t.loc["median_hours_to_first_reply", "estimate"] == sf.quantile(0.5)
    assert (t.loc["median_hours_to_first_reply", "ci_low"], t.loc["median_hours_to_first_reply", "ci_high"]) == pytest.approx(sf.quantile_ci(0.5))
    assert t.loc["first_answer_by_host_share", "estimate"] == pytest.approx(f.loc[f["answered"], "first_replier_is_host"].astype(bool).mean())
    pd.testing.assert_frame_equal(answered_within(c), answered_within(f))


def _first_replies_by_hand(ev: pd.DataFrame, hosts) -> pd.DataFrame:
    """Each post's first reply by someone else, not before it, in plain pandas (a member first at a tie)."""
    ev = ev.assign(is_host=ev["member_id"].isin(hosts))
    posts = ev.loc[(ev["kind"] == "post") & ev["thread_id"].notna(), ["thread_id", "member_id", "created_at", "is_host"]]
    replies = ev.loc[(ev["kind"] == "reply") & ev["thread_id"].notna(), ["thread_id", "member_id", "created_at", "is_host"]]
    j = posts.merge(replies, on="thread_id", suffixes=("", "_r"))
    j = j[(j["member_id_r"].isna() | j["member_id"].isna() | (j["member_id_r"] != j["member_id"])) & (j["created_at_r"] >= j["created_at"])]
    first = j.sort_values(["created_at_r", "is_host_r"]).drop_duplicates("thread_id").set_index("thread_id")
    out = posts.set_index("thread_id").join(first[["created_at_r", "is_host_r"]])
    return out.rename(columns={"created_at": "posted_at", "created_at_r": "first_reply_at", "is_host_r": "first_replier_is_host"})


def test_first_replies_equal_pandas_on_ids_and_store_keys(tmp_path):
    """Self-replies, replies older than their post and host/member ties, with ids and with keys."""
    from communitylab.loaders import open_store, write_store
    from communitylab.simulate import simulate_large_log

    ev = simulate_large_log(30_000, n_members=200, days=60, seed=7)
    replies = ev.index[ev["kind"] == "reply"]
    ev.loc[replies[:50], "created_at"] -= pd.Timedelta(days=5)  # some replies older than their thread's post
    write_store(ev, tmp_path / "store")
    hosts = {f"host{i}" for i in range(5)}
    ref = _first_replies_by_hand(ev, hosts)
    assert ((ref["first_reply_at"].notna()) & (ref["first_replier_is_host"] == True)).any()  # noqa: E712
    for c in (Community.from_frames(ev, hosts=hosts), open_store(tmp_path / "store", hosts=hosts)):
        got = first_replies(c).set_index("thread_id")
        exp = ref.loc[got.index]
        assert len(got) == len(ref) and got["posted_at"].equals(exp["posted_at"].astype(got["posted_at"].dtype))
        assert got["first_reply_at"].equals(exp["first_reply_at"].astype(got["first_reply_at"].dtype))
        assert (got["first_replier_is_host"].fillna(False).astype(bool) == exp["first_replier_is_host"].fillna(False).astype(bool)).all()
