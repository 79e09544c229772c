"""Events per day: the table equals pandas' counts, and the counts read from it equal counting by instants."""

from __future__ import annotations

import pandas as pd
import pytest

from communitylab import datasets
from communitylab.engagement import activity_by_period, engagement_mix, observation_window
from communitylab.engagement.daily import daily_counts, in_days
from communitylab.engagement.periods import period_of_day
from communitylab.window import active_span

ACTIVE = ["post", "reply", "reaction"]


@pytest.fixture(scope="module", params=["twcs-sample", "stackexchange-beer"])
def community(request):
    return datasets.load_community(request.param)


def _events(c) -> pd.DataFrame:
    ev = c.to_pandas()
    return ev.assign(is_host=ev["member_id"].isin(c.hosts), day=ev["created_at"].dt.floor("D"))


def test_daily_counts_equal_pandas(community):
    ev = _events(community)
    keys = [ev["day"], ev["kind"].astype("string"), ev["is_host"], ev["member_id"].notna().rename("known_member")]
    ref = ev.groupby(keys)["created_at"].agg(events="size", first_at="min", last_at="max").reset_index()
    got = daily_counts(community)
    assert len(got) == len(ref) and got["events"].sum() == len(ev)
    m = got.merge(ref, on=["day", "kind", "is_host", "known_member"], suffixes=("", "_ref"), validate="1:1")
    assert len(m) == len(ref)
    assert (m["events"] == m["events_ref"]).all() and (m["first_at"] == m["first_at_ref"]).all() and (m["last_at"] == m["last_at_ref"]).all()


def test_observation_window_equals_the_rule_on_instants(community):
    ev = _events(community)
    a = ev[ev["kind"].isin(ACTIVE)]
    assert observation_window(community, robust=False) == (a["created_at"].min(), a["created_at"].max())
    span = active_span(a["created_at"])
    inside = a[(a["created_at"] >= span.first_day) & (a["created_at"] < span.last_day + pd.Timedelta(days=1))]
    assert observation_window(community) == (inside["created_at"].min(), inside["created_at"].max())


@pytest.mark.parametrize("period", ["day", "week", "month"])
def test_counts_over_the_active_days_equal_counts_between_the_instants(community, period):
    """The active period keeps whole days: counting its days counts the events from lo to hi."""
    ev = _events(community)
    lo, hi = observation_window(community)
    a = ev[ev["kind"].isin(ACTIVE)]
    assert in_days(a["day"], lo, hi).equals((a["created_at"] >= lo) & (a["created_at"] <= hi))
    a = a[(a["created_at"] >= lo) & (a["created_at"] <= hi)]
    freq = {"day": "D", "week": "W-SUN", "month": "M"}[period]
    start = a["created_at"].dt.tz_localize(None).dt.to_period(freq).dt.start_time.dt.tz_localize("UTC")
    assert period_of_day(a["day"], period).equals(start)
    ref = a.assign(period=start).groupby("period").agg(
        posts=("kind", lambda k: (k == "post").sum()), replies=("kind", lambda k: (k == "reply").sum()),
        reactions=("kind", lambda k: (k == "reaction").sum()),
        host_posts=("kind", lambda k: ((k == "post") & a.loc[k.index, "is_host"]).sum()),
        host_replies=("kind", lambda k: ((k == "reply") & a.loc[k.index, "is_host"]).sum()))
    got = activity_by_period(community, period, active_period_only=True).set_index("period")
    got.index = got.index.as_unit("ns")
    ref.index = ref.index.as_unit("ns")
    cols = ["posts", "replies", "reactions", "host_posts", "host_replies"]
    pd.testing.assert_frame_equal(got.loc[ref.index, cols], ref[cols], check_dtype=False, check_names=False)
    assert got[cols].sum().sum() == ref[cols].sum().sum()  # the other periods have none


def test_engagement_mix_equals_value_counts(community):
    ev = _events(community)
    counts = ev["kind"].value_counts().reindex(ACTIVE, fill_value=0)
    assert engagement_mix(community)["events"].tolist() == counts.tolist()
