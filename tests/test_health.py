"""Each synthetic scenario gets the verdict it was built to show; cadence signals behave."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from communitylab import Community
from communitylab.engagement import (
    HealthThresholds,
    activity_during_silences,
    health_verdict,
    host_regularity,
    host_silences,
    reciprocity,
)
from communitylab.simulate import SCENARIOS, simulate


@pytest.mark.parametrize("seed", [0, 1])
@pytest.mark.parametrize("scenario", SCENARIOS)
def test_scenarios_get_their_verdict(scenario, seed):
    sim = simulate(scenario, seed=seed)
    verdict = health_verdict(sim.community())
    assert verdict.label == sim.truth["expected_verdict"], str(verdict)
    assert list(verdict.signals.columns) == ["id", "signal", "value", "ci_low", "ci_high", "threshold", "flag", "n", "share", "status"]


def test_revitalized_is_thriving_after_the_seventh_milestone():
    sim = simulate("revitalized", seed=0)
    seventh = sim.truth["milestones"]["date"].iloc[6]
    assert health_verdict(sim.community().window(start=seventh)).label == sim.truth["expected_verdict_after_milestones"]


def test_thresholds_are_parameters():
    c = simulate("living", seed=0).community()
    assert health_verdict(c, HealthThresholds(min_weekly_contributions=1e6)).label == "dormant"


def test_lapsing_host_silences_and_member_drop():
    sim = simulate("lapsing_host", seed=0)
    c = sim.community()
    sil = host_silences(c, 14)
    assert len(sil) >= sim.truth["host_silences"] - 1
    r = activity_during_silences(c, 14).iloc[0]
    assert r["ci_high"] < 1 and r["ci_low"] < r["rate_ratio"] < r["ci_high"]
    assert host_regularity(c)["cv_per_week"].iloc[0] > 1


def test_living_community_has_no_long_host_silence_effect():
    r = activity_during_silences(simulate("living", seed=0).community(), 14).iloc[0]
    assert r["rate_ratio"] != r["rate_ratio"] or r["ci_low"] < 1 < r["ci_high"] or r["rate_ratio"] > 0.5


@pytest.mark.parametrize("name", sorted(__import__("communitylab.datasets", fromlist=["DATASETS"]).DATASETS))
def test_every_bundled_dataset_gets_a_verdict_and_panel(name):
    from communitylab import engagement as eng
    from communitylab.datasets import load_community

    c = load_community(name)
    v = health_verdict(c)
    assert v.label in eng.VERDICTS and v.reasons
    assert len(eng.conversation_structure(c)) == 6
    assert len(eng.join_ask_leave(c)) == 5 and len(eng.newcomer_retention(c)) == 3
    assert len(eng.activity_by_period(c, "month")) > 0


def test_support_sample_is_an_audience_and_stack_exchange_is_not_brand_centric():
    from communitylab.datasets import load_community

    assert health_verdict(load_community("twcs-sample")).label == "brand-centric audience"
    assert health_verdict(load_community("stackexchange-beer")).label != "brand-centric audience"


# ---- a verdict about the active period and about now


def test_digg_is_a_transient_crowd_and_collegemsg_is_declining():
    from communitylab import datasets

    digg = health_verdict(datasets.load_community("digg-reply"))
    assert digg.label == "transient crowd", str(digg)
    s = digg.signals.set_index("signal")
    assert s.loc["reciprocity", "value"] == pytest.approx(0.00216, abs=5e-5)  # self-replies excluded from the headline
    assert reciprocity(datasets.load_community("digg-reply")) == pytest.approx(0.01552, abs=5e-5)  # KONECT's figure, its convention
    assert s.loc["pairs that exchange more than once", "ci_high"] < 0.05
    college = health_verdict(datasets.load_community("collegemsg"))
    assert college.label == "declining", str(college)
    trend = college.trajectory.set_index("measure")
    assert trend.loc["active members", "ci_high"] < 1 and trend.loc["member-to-member replies", "ci_high"] < 1


def test_stray_events_do_not_stretch_the_window():
    from communitylab import datasets
    from communitylab.engagement import observation_window

    c = datasets.load_community("twcs-sample")
    lo, hi = observation_window(c)
    assert lo.year == 2017 and observation_window(c, robust=False)[0].year == 2011
    assert c.report.count(next(i["rule"] for i in c.report.issues if i["rule"].startswith("isolated stray event"))) == 3
    v = health_verdict(c)
    assert "2017-08-08 to 2017-12-03" in v.window and "327 weeks" not in str(v)
    # the host's cadence is read within the active period too: no silence starts before it, and the
    # days outside silences are a part of the active period, never negative
    from communitylab.engagement import activity_during_silences

    sil = host_silences(c, 14)
    assert (sil["start"] >= lo).all() and (sil["end"] <= hi).all()
    during = activity_during_silences(c, 14).iloc[0]
    assert 0 < during["days_other"] and during["days_silent"] + during["days_other"] == pytest.approx((hi - lo).total_seconds() / 86_400)


def test_unlinked_replies_cannot_be_judged(tmp_path):
    from communitylab.loaders import load_source
    from tests.conftest import NOW

    p = tmp_path / "forum.csv"
    rows = ["event_id,member_id,kind,created_at,thread_id,parent_id"]
    for i in range(60):  # a mapping mistake: parent ids are post numbers, event ids are not
        rows.append(f"p{i},m{i % 7},post,2024-01-{1 + i % 28:02d} 10:00,p{i},")
        rows.append(f"r{i},m{(i + 3) % 7},reply,2024-01-{1 + i % 28:02d} 12:00,p{i},{i}")
    p.write_text("\n".join(rows) + "\n")
    v = health_verdict(load_source(p, now=NOW))
    assert v.label == "cannot judge" and "known addressee" in str(v) and "nan%" not in str(v)


@pytest.mark.parametrize("pair", [["73", "112"], ["27", "5064"], ["4", "8"]])
def test_ordinary_members_named_as_hosts_are_not_a_fragile_host(pair):
    from communitylab import datasets

    v = health_verdict(datasets.load_community("stackexchange-beer", hosts=pair))
    assert v.label == "thriving conversation", str(v)


def test_trajectory_reads_a_halving_and_a_steady_log():
    import numpy as np
    import pandas as pd

    from communitylab import Community
    from communitylab.engagement import trajectory
    from tests.conftest import NOW

    def log(rate_before, rate_after, seed=0):
        rng = np.random.default_rng(seed)
        start = pd.Timestamp("2024-01-01", tz="UTC")
        rows = []
        for day in range(27 * 7):
            lam = rate_before if day < 14 * 7 else rate_after
            for j in range(rng.poisson(lam)):
                ts = start + pd.Timedelta(days=day, hours=12, minutes=j)
                rows.append((f"p{day}-{j}", f"m{rng.integers(500)}", "post", ts, f"p{day}-{j}", None))
                rows.append((f"r{day}-{j}", f"m{rng.integers(500)}", "reply", ts + pd.Timedelta(minutes=30), f"p{day}-{j}", f"p{day}-{j}"))
        return Community.from_frames(pd.DataFrame(rows, columns=["event_id", "member_id", "kind", "created_at", "thread_id", "parent_id"]), now=NOW)

    halving = trajectory(log(20, 10)).set_index("measure")
    r = halving.loc["member-to-member replies"]
    assert r["label"] == "declining" and r["ci_low"] < 0.5 < r["ci_high"]
    steady = trajectory(log(20, 20)).set_index("measure")
    assert steady.loc["member-to-member replies", "label"] == "stable"


def test_trajectory_counts_the_active_members_of_each_period_by_hand():
    import pandas as pd

    from communitylab.engagement import trajectory
    from communitylab.engagement.cadence import observation_window
    from communitylab.simulate import simulate

    c = simulate("living", seed=3, n_members=300, days=240).community()
    out = trajectory(c, weeks=8).set_index("measure")
    lo, hi = observation_window(c)
    mid, start = hi - pd.Timedelta(weeks=8), hi - pd.Timedelta(weeks=16)
    e = c.to_pandas()
    e = e[~e["member_id"].isin(c.hosts) & e["kind"].isin(["post", "reply", "reaction"]) & e["member_id"].notna()]
    before = e.loc[(e["created_at"] > start) & (e["created_at"] <= mid), "member_id"].nunique()
    recent = e.loc[(e["created_at"] > mid) & (e["created_at"] <= hi), "member_id"].nunique()
    assert before > 0 and recent > 0
    assert (out.loc["active members", "before"], out.loc["active members", "recent"]) == (before, recent)


def test_repeated_ties_by_hand(tiny):
    from communitylab.engagement import repeated_ties

    # member pairs linked by replies (self-replies left out): (a,b): r1 b->a, r4 b->a => 2; (a,h): r2, r3 => 2; (b,h): none
    out = repeated_ties(tiny)
    assert (out["pairs"], out["repeated"]) == (2, 2) and out["share"] == 1.0


def test_repeated_ties_read_the_reply_network_once_it_is_built():
    from communitylab.engagement import repeated_ties
    from communitylab.engagement.conversation import reply_pairs
    from communitylab.simulate import simulate

    sim = simulate("living", seed=4, n_members=120, days=60)
    alone, shared = sim.community(), sim.community()
    reply_pairs(shared)  # the reply network, as the network metrics build it
    assert reply_pairs.computed(shared) and not reply_pairs.computed(alone)
    for without_hosts in (False, True):
        a, b = repeated_ties(alone, without_hosts=without_hosts), repeated_ties(shared, without_hosts=without_hosts)
        assert a.equals(b) and a["pairs"] > 0
    assert not reply_pairs.computed(alone)  # one aggregate over the replies, no network built for one metric


def test_active_span_rule():
    import pandas as pd

    from communitylab.window import active_span

    days = pd.to_datetime(["2011-08-29", "2016-08-06"] + [f"2017-10-{d:02d}" for d in range(1, 29)] * 10)
    span = active_span(days)
    assert (span.stray_before, span.stray_after, str(span.first_day.date())) == (2, 0, "2017-10-01")
    assert active_span(pd.to_datetime(["2020-01-01", "2020-06-01"])).stray == 0  # two stretches of one event each: both kept


def test_activity_during_silences_counts_what_pandas_counts():
    from communitylab.engagement import activity_during_silences, observation_window

    c = simulate("lapsing_host", seed=1).community()
    sil = host_silences(c, 14)
    lo, hi = observation_window(c)
    ev = c.to_pandas()
    m = ev[~ev["member_id"].isin(c.hosts) & ev["kind"].isin(["post", "reply"]) & (ev["created_at"] >= lo) & (ev["created_at"] <= hi)]
    inside = sum(((m["created_at"] > s) & (m["created_at"] < e)).sum() for s, e in zip(sil["start"], sil["end"]))
    got = activity_during_silences(c, 14).iloc[0]
    assert len(sil) >= 2 and got["events_silent"] == inside and got["events_other"] == len(m) - inside


def test_host_regularity_of_a_log_without_conversation():
    """Only joins: no active period, so no weeks to count (not an error)."""
    from communitylab.engagement import host_regularity

    ev = pd.DataFrame({"event_id": ["j1", "j2"], "member_id": ["a", "b"], "kind": ["join", "join"],
                       "created_at": pd.to_datetime(["2024-01-01", "2024-03-01"], utc=True), "thread_id": [None, None],
                       "parent_id": [None, None]})
    row = host_regularity(Community.from_frames(ev, name="joins")).iloc[0]
    assert row["weeks"] == 0 and np.isnan(row["cv_per_week"])


def test_a_community_that_has_gone_quiet_is_dormant_now_whatever_its_past():
    sim = simulate("living", days=730, seed=0)
    ev = sim.events
    t = pd.to_datetime(ev["created_at"], utc=True)
    last = t.max()
    member_talk = ev["kind"].isin(["post", "reply"]) & ~ev["member_id"].isin(sim.hosts)
    recent = t > last - pd.Timedelta(weeks=13)
    keep = ~(recent & member_talk) | (np.arange(len(ev)) % 100 == 0)  # the last 13 weeks keep one member post in 100
    quiet = Community.from_frames(ev[keep].reset_index(drop=True), sim.members, hosts=sim.hosts, name="quiet")
    v = health_verdict(quiet)
    row = v.signals.set_index("id").loc["recent_contributions_per_week"]
    n_recent = int((recent & member_talk & keep).sum())
    assert row["n"] == n_recent and row["value"] == pytest.approx(n_recent / 13)
    assert row["value"] < 3 and v.label == "dormant", str(v)
    assert any("has gone quiet" in r for r in v.reasons)
    assert health_verdict(sim.community()).label == "thriving conversation"  # the same community, still talking
