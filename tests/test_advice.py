"""The health study's answer and actions (communitylab.engagement.advice) and the verdict's
minimum data: every verdict has a sentence, every rule a signal the verdict computes, no action
from a signal without enough data, and too little data said as such."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from communitylab import Community
from communitylab.engagement import VERDICTS, HealthThresholds, health_verdict
from communitylab.engagement.advice import ANSWERS, RULES, actions, answer
from communitylab.engagement.health import SIGNAL_STATUSES
from communitylab.simulate import SCENARIOS, simulate
from tests.conftest import NOW


@pytest.fixture(scope="module")
def verdicts():
    return {s: health_verdict(simulate(s, seed=0).community()) for s in SCENARIOS}


def test_every_verdict_has_an_answer():
    assert set(ANSWERS) == set(VERDICTS)
    assert all("{name}" in sentence for sentence in ANSWERS.values())


def test_every_rule_names_a_signal_the_verdict_computes(verdicts):
    ids = set().union(*(set(v.signals["id"]) for v in verdicts.values()))
    assert {r.signal for r in RULES} <= ids
    assert all(r.when in ("flagged", "strong", "always") for r in RULES)
    assert all(r.strong_at is not None for r in RULES if r.when == "strong" and not r.signal.startswith("trend_"))


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_three_to_five_actions_each_tied_to_a_voting_signal(verdicts, scenario):
    v = verdicts[scenario]
    todo = actions(v)
    assert 3 <= len(todo) <= 5, [a["signal"] for a in todo]
    status = dict(zip(v.signals["id"], v.signals["status"]))
    assert all(status[a["signal"]] == "ok" for a in todo)
    assert len({a["signal"] for a in todo}) == len(todo)
    flagged = set(v.signals.loc[v.signals["flag"], "id"])
    order = [a["signal"] in flagged for a in todo]
    assert order == sorted(order, reverse=True)  # what is flagged comes first
    assert all(a["because"] and "{" not in a["because"] and "nan" not in a["because"] for a in todo)


def test_the_answer_and_first_action_follow_the_evidence(verdicts):
    v = verdicts["brand_centric"]
    assert answer(v, "Acme") == "Acme is an audience that talks to the host, not a community whose members talk to each other."
    assert actions(v)[0]["signal"] == "member_to_member_share" and "Hand questions back to members" in actions(v)[0]["action"]
    assert actions(verdicts["lapsing_host"])[0]["signal"] == "host_silence_ratio"
    assert actions(verdicts["dormant"])[0]["signal"] == "member_contributions_per_week"


def _forum(n_topics: int, n_members: int, replies: int = 2) -> Community:
    rows = []
    for t in range(n_topics):
        day = pd.Timestamp("2024-03-01", tz="UTC") + pd.Timedelta(days=t)
        rows.append((f"t{t}", f"m{t % n_members}", "post", day, f"t{t}", None))
        for r in range(replies):
            rows.append((f"r{t}-{r}", f"m{(t + r + 1) % n_members}", "reply", day + pd.Timedelta(hours=r + 1), f"t{t}", f"t{t}"))
    ev = pd.DataFrame(rows, columns=["event_id", "member_id", "kind", "created_at", "thread_id", "parent_id"])
    return Community.from_frames(ev, name="forum", now=NOW)


def test_one_topic_and_eight_members_is_too_little_data_to_judge():
    v = health_verdict(_forum(1, 8, replies=7))
    assert v.label == "too little data to judge"
    assert "1 thread(s) and 8 contributing member(s)" in v.reasons[-1] and "at least 10 threads and 10 members" in v.reasons[-1]
    todo = actions(v)
    assert len(todo) == 1 and "longer period" in todo[0]["action"]
    assert health_verdict(_forum(1, 8, replies=7), HealthThresholds(min_threads=1, min_members=1)).label != "too little data to judge"


def test_a_signal_below_its_minimum_does_not_vote_or_show_a_number():
    v = health_verdict(_forum(12, 12, replies=1), HealthThresholds(min_signal_n=50))
    s = v.signals.set_index("id")
    assert s.loc["member_to_member_share", "status"] == "no host known"  # no host: every reply is member to member by construction
    assert s.loc["reciprocity", "status"] == "too little data" and not s.loc["reciprocity", "flag"]
    table = v.signal_table().set_index("Signal")
    assert table.loc["reciprocity", "Estimate (95% interval)"] == "too little data"
    assert set(v.signals["status"]) <= set(SIGNAL_STATUSES)
    assert all(f["figure"].lower() != "reciprocity" for f in v.key_figures())


def test_a_trend_needs_an_earlier_period_in_the_data():
    v = health_verdict(_forum(30, 12, replies=2))  # a month of data, 13-week trends
    trend = v.signals.set_index("id").loc["trend_active_members"]
    assert trend["status"] == "no earlier period in the data" and math.isnan(trend["value"])
    assert "∞" not in v.signal_table().to_string()


def test_key_figures_hold_no_infinite_or_missing_number(verdicts):
    for v in verdicts.values():
        for f in v.key_figures():
            assert all(math.isfinite(float(f[k])) for k in ("estimate", "low", "high") if f[k] is not None and not pd.isna(f[k])), f


def test_posts_without_replies_get_the_action_that_helps():
    rows = [(f"t{i}", f"m{i % 12}", "post", pd.Timestamp("2024-03-01", tz="UTC") + pd.Timedelta(days=i), f"t{i}", None) for i in range(30)]
    ev = pd.DataFrame(rows, columns=["event_id", "member_id", "kind", "created_at", "thread_id", "parent_id"])
    v = health_verdict(Community.from_frames(ev, name="posts only", now=NOW))
    assert v.label == "cannot judge"
    assert [a["signal"] for a in actions(v)] == ["linked_share"] and "includes the replies" in actions(v)[0]["action"]


def test_a_short_mailing_list_still_gets_three_actions():
    v = health_verdict(_forum(40, 15, replies=3))  # no host, about a month: no trend, no member-to-member share
    todo = actions(v)
    assert 3 <= len(todo) <= 5, [a["signal"] for a in todo]


def test_without_a_host_the_words_never_quote_the_member_to_member_share():
    v = health_verdict(_forum(40, 15, replies=3))  # no host: every reply is member to member by construction
    assert v.label == "thriving conversation"
    assert not any("member to member" in r for r in v.reasons), v.reasons
    assert "host" not in answer(v, "Forum")
