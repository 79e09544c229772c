"""Periods as integers, and a large store's log cut into parts of whole periods (communitylab.engagement.periods)."""

from __future__ import annotations

import pandas as pd
import pytest

from communitylab import Engine
from communitylab import engagement as eng
from communitylab.community import Community
from communitylab.engagement import periods
from communitylab.engagement.activity import member_period_counts
from communitylab.engagement.daily import daily_counts
from communitylab.engagement.periods import period_index_of, period_parts, period_start
from communitylab.loaders import open_store, write_store
from communitylab.simulate import simulate


@pytest.fixture(scope="module")
def log():
    community = simulate("living", seed=11, n_members=200, days=150).community()
    return community.frame, sorted(community.hosts)


@pytest.fixture
def store(log, tmp_path):
    frame, _ = log
    return write_store(frame, tmp_path / "store")


def _open(store, hosts):
    return open_store(store, hosts=hosts, engine=Engine("duckdb"), cache=False)


def _table(c, period: str) -> pd.DataFrame:
    m = member_period_counts(c, period)
    out = c.execute(c.member_ids(m))
    return out.sort_values(["member_id", "p"], ignore_index=True)


@pytest.mark.parametrize("period", ["day", "week", "month"])
def test_period_start_inverts_period_index(period):
    times = pd.Series(pd.to_datetime(["1969-12-31 23:59:59", "2024-02-29 12:00:00", "2024-03-04 00:00:00", "2031-12-31 23:00:00"], utc=True))
    index = period_index_of(times, period)
    start = period_start(index, period)
    assert (start <= times).all() and (period_index_of(start, period) == index).all()
    assert (period_index_of(start - pd.Timedelta("1us"), period) == index - 1).all()  # the period's very first instant


@pytest.mark.parametrize("period", ["day", "week", "month"])
def test_parts_are_whole_periods_covering_every_event(log, store, monkeypatch, period):
    _, hosts = log
    c = _open(store, hosts)
    assert c.time_ordered  # write_store's files each hold one month
    n = int(daily_counts(c)["events"].sum())
    monkeypatch.setattr(periods, "PART_EVENTS", n // 7)
    parts = period_parts(c, period)
    assert len(parts) >= 4
    assert parts[0][0] is None and parts[-1][1] is None
    for (_, hi), (lo, _) in zip(parts[:-1], parts[1:], strict=True):
        assert hi == lo  # consecutive, no gap and no overlap
    cuts = pd.Series([lo for lo, _ in parts[1:]]).dt.tz_localize("UTC")
    assert (period_start(period_index_of(cuts, period), period) == cuts).all()  # each cut is a period's start
    # each part holds at least PART_EVENTS events, but the last
    t = c.core
    held = [c.execute(t.filter(t.created_at >= (lo if lo is not None else pd.Timestamp("1900-01-01")),
                               t.created_at < (hi if hi is not None else pd.Timestamp("2200-01-01"))).count()) for lo, hi in parts]
    assert sum(held) == n
    assert min(held[:-1]) >= periods.PART_EVENTS


def test_one_part_unless_a_large_time_ordered_store_on_duckdb(log, store, monkeypatch):
    frame, hosts = log
    c = _open(store, hosts)
    assert period_parts(c, "month") == [(None, None)]  # under twice PART_EVENTS
    monkeypatch.setattr(periods, "PART_EVENTS", 100)
    assert len(period_parts(c, "month")) > 1
    in_memory = Community.from_frames(frame, hosts=hosts)
    assert not in_memory.time_ordered and period_parts(in_memory, "month") == [(None, None)]
    single = write_store(frame, store.parent / "single", partition="none")  # one file in no stated order
    assert not _open(single, hosts).time_ordered


@pytest.mark.parametrize("period", ["day", "week", "month"])
def test_counts_in_parts_equal_counts_in_one(log, store, monkeypatch, period):
    _, hosts = log
    whole = _table(_open(store, hosts), period)
    monkeypatch.setattr(periods, "PART_EVENTS", 500)
    c = _open(store, hosts)
    assert len(period_parts(c, period)) >= 5  # 150 days: five months
    parted = _table(c, period)
    pd.testing.assert_frame_equal(parted, whole)
    assert int(whole[["n_post", "n_reply", "n_reaction"]].to_numpy().sum()) > 0


def test_metrics_over_parts_equal_metrics_over_one(log, store, monkeypatch):
    _, hosts = log
    c = _open(store, hosts)
    before = (eng.activity_by_period(c, "week"), eng.level_summary(c, "month", last=3), eng.contribution_counts(c))
    monkeypatch.setattr(periods, "PART_EVENTS", 500)
    c = _open(store, hosts)
    after = (eng.activity_by_period(c, "week"), eng.level_summary(c, "month", last=3), eng.contribution_counts(c))
    pd.testing.assert_frame_equal(after[0], before[0])
    for a, b in zip(after[1], before[1], strict=True):
        pd.testing.assert_frame_equal(a, b)
    pd.testing.assert_series_equal(after[2], before[2])
