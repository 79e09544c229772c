"""Results kept between sessions for an unchanged store (communitylab.result_cache)."""

from __future__ import annotations

import pandas as pd
import pytest

from communitylab import Engine
from communitylab import engagement as eng
from communitylab.community import _Deferred
from communitylab.loaders import open_store, write_store
from communitylab.simulate import simulate


@pytest.fixture
def kept(monkeypatch, tmp_path):
    """Every store keeps its results (the default keeps only stores of a million events or more)."""
    monkeypatch.setenv("COMMUNITYLAB_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("COMMUNITYLAB_CACHE_MIN_EVENTS", "0")
    return tmp_path / "cache"


@pytest.fixture(scope="module")
def log():
    community = simulate("brand_centric", seed=5, n_members=150, days=120).community()
    return community.frame, sorted(community.hosts)


def _session(store, hosts, **kw):
    """A new session: a fresh engine, nothing in memory."""
    return open_store(store, hosts=hosts, engine=Engine("duckdb"), **kw)


def _panel(c) -> dict:
    """Every event-log metric the community_health study shows, and the verdict."""
    return {
        "verdict": eng.health_verdict(c),
        "activity": eng.activity_by_period(c, "month", active_period_only=True),
        "directions": eng.reply_direction_matrix(c),
        "structure": eng.conversation_structure(c),
        "edges": (eng.reply_edges(c, top=400), eng.reply_edges(c, without_hosts=True, top=400)),
        "mix": eng.engagement_mix(c),
        "inequality": eng.participation_inequality(c, n_boot=200),
        "wait": eng.time_to_first_reply(c),
        "survival": eng.reply_survival_curve(c),
        "host_regularity": eng.host_regularity(c),
        "silences": eng.activity_during_silences(c, 14),
        "join": eng.join_ask_leave(c),
        "retention": eng.newcomer_retention(c),
        "levels": eng.level_summary(c, "month", last=6),
        "lorenz": eng.lorenz_curve(eng.contribution_counts(c)),
        "first": eng.first_replies(c),
        "reciprocity": eng.reciprocity(c),
    }


def _same(x, y) -> None:
    """The same numbers, compared exactly, through frames, tuples, dicts and dataclasses."""
    import dataclasses

    if isinstance(x, pd.DataFrame):
        pd.testing.assert_frame_equal(x, y)
    elif isinstance(x, pd.Series):
        pd.testing.assert_series_equal(x, y)
    elif dataclasses.is_dataclass(x):
        assert type(x) is type(y)
        for f in dataclasses.fields(x):
            _same(getattr(x, f.name), getattr(y, f.name))
    elif isinstance(x, dict):
        assert x.keys() == y.keys()
        for k in x:
            _same(x[k], y[k])
    elif isinstance(x, tuple | list):
        assert len(x) == len(y)
        for u, v in zip(x, y, strict=True):
            _same(u, v)
    else:
        assert x == y or (pd.isna(x) and pd.isna(y)), (x, y)


def _entries(folder) -> list:
    return sorted(p for p in folder.rglob("*.pkl")) if folder.exists() else []


def test_a_second_session_reads_the_kept_results_and_never_reads_the_log(tmp_path, kept, log):
    frame, hosts = log
    write_store(frame, tmp_path / "store")
    first = _panel(_session(tmp_path / "store", hosts))
    assert _entries(kept)
    again = _session(tmp_path / "store", hosts)
    assert isinstance(again.__dict__["_core"], _Deferred)  # the store's check was recorded: nothing read at open
    second = _panel(again)
    assert isinstance(again.__dict__["_core"], _Deferred)  # every number came from the kept results
    _same(first, second)
    fresh = _panel(_session(tmp_path / "store", hosts, cache=False))
    _same(first, fresh)


def test_kept_results_equal_a_computation_without_them_after_an_append(tmp_path, kept, log):
    frame, hosts = log
    cut = frame["created_at"].quantile(0.6)
    write_store(frame[frame["created_at"] < cut], tmp_path / "store")
    before = _panel(_session(tmp_path / "store", hosts))
    old = _entries(kept)
    write_store(frame[frame["created_at"] >= cut], tmp_path / "store")  # the store changed: its kept results are not read
    after = _panel(_session(tmp_path / "store", hosts))
    assert len(after["activity"]) > len(before["activity"])
    _same(after, _panel(_session(tmp_path / "store", hosts, cache=False)))
    assert not any(p.exists() for p in old)  # the earlier version's entries are deleted


def test_hosts_code_and_window_each_key_their_own_results(tmp_path, kept, log, monkeypatch):
    frame, hosts = log
    write_store(frame, tmp_path / "store")
    with_hosts = eng.reply_direction_matrix(_session(tmp_path / "store", hosts))
    without = eng.reply_direction_matrix(_session(tmp_path / "store", []))
    assert not with_hosts.equals(without)
    pd.testing.assert_frame_equal(without, eng.reply_direction_matrix(_session(tmp_path / "store", [], cache=False)))

    c = _session(tmp_path / "store", hosts)
    start = frame["created_at"].median()
    win = eng.activity_by_period(c.window(start=start), "month")
    pd.testing.assert_frame_equal(win, eng.activity_by_period(_session(tmp_path / "store", hosts, cache=False).window(start=start), "month"))
    assert not win.equals(eng.activity_by_period(c, "month"))
    # a kept window is read back by the same window in a new session
    again = _session(tmp_path / "store", hosts).window(start=start)
    pd.testing.assert_frame_equal(eng.activity_by_period(again, "month"), win)
    assert isinstance(again.__dict__["_core"], _Deferred)

    import communitylab.result_cache as rc

    n = len(_entries(kept))
    monkeypatch.setattr(rc, "code_digest", lambda: "other code")  # a result computed by other code is never read
    fresh = _session(tmp_path / "store", hosts)
    eng.reply_direction_matrix(fresh)
    assert not isinstance(fresh.__dict__["_core"], _Deferred) and len(_entries(kept)) < n  # computed; the old code's entries deleted


def test_an_unreadable_entry_is_computed_again(tmp_path, kept, log):
    frame, hosts = log
    write_store(frame, tmp_path / "store")
    expected = eng.activity_by_period(_session(tmp_path / "store", hosts), "month")
    for entry in _entries(kept):
        entry.write_bytes(b"not a pickle")
    pd.testing.assert_frame_equal(eng.activity_by_period(_session(tmp_path / "store", hosts), "month"), expected)
    pd.testing.assert_frame_equal(eng.activity_by_period(_session(tmp_path / "store", hosts), "month"), expected)  # rewritten


def test_small_stores_and_switched_off_caches_keep_nothing(tmp_path, monkeypatch, log):
    frame, hosts = log
    write_store(frame, tmp_path / "store")
    monkeypatch.setenv("COMMUNITYLAB_CACHE_DIR", str(tmp_path / "cache"))
    eng.health_verdict(_session(tmp_path / "store", hosts))  # below a million events (the default)
    assert not _entries(tmp_path / "cache")
    monkeypatch.setenv("COMMUNITYLAB_CACHE_MIN_EVENTS", "0")
    eng.health_verdict(_session(tmp_path / "store", hosts, cache=False))
    monkeypatch.setenv("COMMUNITYLAB_CACHE", "off")
    eng.health_verdict(_session(tmp_path / "store", hosts))
    assert not _entries(tmp_path / "cache")
    monkeypatch.delenv("COMMUNITYLAB_CACHE")
    eng.health_verdict(_session(tmp_path / "store", hosts))
    assert _entries(tmp_path / "cache")


def test_arguments_without_a_stable_text_are_not_kept(tmp_path):
    from communitylab.result_cache import ResultCache

    cache = ResultCache(tmp_path)
    calls = []

    def compute():
        calls.append(1)
        return pd.DataFrame({"x": [1]})

    key = ("m", "f", (("rule", compute),))  # a function prints with its address
    cache.fetch(key, compute)
    cache.fetch(key, compute)
    assert len(calls) == 2 and not _entries(tmp_path)
    stable = ("m", "f", (("period", "month"),))
    cache.fetch(stable, compute)
    cache.fetch(stable, compute)
    assert len(calls) == 3 and len(_entries(tmp_path)) == 1


def test_the_store_check_is_recorded_and_a_changed_store_is_checked_again(tmp_path, log):
    from communitylab.schema import DataValidationError

    frame, hosts = log
    write_store(frame, tmp_path / "store")
    first = _session(tmp_path / "store", hosts)
    assert not isinstance(first.__dict__["_core"], _Deferred)  # checked: the core table was read
    second = _session(tmp_path / "store", hosts)
    assert isinstance(second.__dict__["_core"], _Deferred)  # recorded: nothing read
    assert second.report.rows_loaded == first.report.rows_loaded == len(frame)
    assert second.last_event_at() == first.last_event_at() == frame["created_at"].max()
    write_store(frame.iloc[:1].assign(kind="like", event_id="new"), tmp_path / "store")
    with pytest.raises(DataValidationError, match="kind"):
        _session(tmp_path / "store", hosts)


def test_a_damaged_check_record_means_the_store_is_checked_again(tmp_path, log):
    frame, hosts = log
    write_store(frame, tmp_path / "store")
    _session(tmp_path / "store", hosts)
    record = tmp_path / "store" / "_communitylab_checked.json"
    for text in ('{"version": 2, "files": [], "rows": "many", "last_event_at": null}', "{not json", '{"version": 1, "files": []}'):
        record.write_text(text)
        c = _session(tmp_path / "store", hosts)
        assert not isinstance(c.__dict__["_core"], _Deferred) and c.report.rows_loaded == len(frame)  # checked, recorded anew
        assert isinstance(_session(tmp_path / "store", hosts).__dict__["_core"], _Deferred)
