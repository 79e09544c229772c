"""One Ibis definition, two engines: DuckDB (default) and a local Spark session must agree."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from communitylab import Engine
from communitylab.engagement import (
    activity_by_period,
    contributions_per_member,
    conversation_structure,
    degree_gini,
    first_replies,
    health_verdict,
    join_ask_leave,
    member_to_member_share,
    newcomer_retention,
    reciprocity,
    repeated_ties,
    reply_direction_matrix,
)
from communitylab.simulate import simulate


def test_timestamps_come_back_utc_aware(tiny):
    out = tiny.execute(tiny.events.select("created_at"))
    assert str(out["created_at"].dt.tz) == "UTC"
    assert out["created_at"].min() == pd.Timestamp("2024-01-01", tz="UTC")


def test_engine_rejects_unknown_backend():
    with pytest.raises(ValueError, match="duckdb"):
        Engine("sqlite")


def test_duckdb_memory_limit_is_applied():
    e = Engine("duckdb", memory_limit="512MB", threads=1)
    assert e.con.raw_sql("SELECT current_setting('memory_limit')").fetchone()[0] in ("512.0 MiB", "488.2 MiB", "512.0 MB")


def test_duckdb_hands_freed_memory_back_in_the_background():
    """The engine's DuckDB runs its allocator's background thread (a lower peak between queries)
    and does not keep insertion order (large aggregations stream)."""
    con = Engine("duckdb").con
    settings = dict(con.raw_sql("SELECT name, value FROM duckdb_settings() WHERE name IN "
                                "('allocator_background_threads', 'preserve_insertion_order')").fetchall())
    assert settings == {"allocator_background_threads": "true", "preserve_insertion_order": "false"}


def test_duckdb_groups_by_member_keys_into_an_array():
    """A grouping on a store's integer member keys (here a million of them) runs as DuckDB's
    perfect hash aggregate, read from DuckDB's own query profile; a key range beyond 2**22 keeps
    the hash table."""
    import json

    con = Engine("duckdb").con.con
    con.execute("CREATE TEMPORARY TABLE keyed AS SELECT (range % 1000000)::INTEGER AS k, range AS v FROM range(2000000)")
    con.execute("SET enable_profiling = 'no_output'")

    def grouping_of(key: str) -> str:
        con.execute(f"SELECT {key} AS g, count(*), min(v) FROM keyed GROUP BY g").fetchall()
        found = []

        def walk(node: dict) -> None:
            found.append(node["name"])
            for child in node.get("children", []):
                walk(child)

        for node in json.loads(con.get_profiling_information(format="json"))["operator"]:
            walk(node)
        return next(n for n in found if n.endswith("GROUP_BY"))

    assert grouping_of("k") == "PERFECT_HASH_GROUP_BY"
    assert grouping_of("k * 8") == "HASH_GROUP_BY"  # 8M apart: 23 bits


def _panel(c) -> dict[str, pd.DataFrame | float]:
    return {
        "activity": activity_by_period(c, "month"),
        "directions": reply_direction_matrix(c),
        "reciprocity": reciprocity(c),
        "reciprocity_no_loops": reciprocity(c, self_loops="exclude", without_hosts=True),
        "degree_gini": degree_gini(c),
        "contributions": contributions_per_member(c),
        "first_replies": first_replies(c).drop(columns="first_replier_is_host"),
        "first_host": first_replies(c)["first_replier_is_host"],
        "structure": conversation_structure(c),
        "join_ask_leave": join_ask_leave(c).drop(columns="method"),
        "newcomer_retention": newcomer_retention(c),
        "repeated_ties": repeated_ties(c).to_frame("value").reset_index(),
        "member_to_member": member_to_member_share(c).to_frame("value").reset_index(),
        "verdict": health_verdict(c).signals.drop(columns=["flag"]),
    }


@pytest.fixture(scope="module")
def spark_engine():
    pytest.importorskip("pyspark")
    from communitylab.engine import spark_session

    session = spark_session("local[2]")
    yield Engine("pyspark", session=session)
    session.stop()


@pytest.mark.spark
def test_spark_agrees_with_duckdb(spark_engine):
    community = simulate("brand_centric", seed=2, n_members=150, days=120).community()
    duck = _panel(community)
    spark = _panel(community.on(spark_engine))
    for key in duck:
        a, b = duck[key], spark[key]
        if isinstance(a, float):
            assert a == pytest.approx(b, rel=1e-12), key
        elif isinstance(a, pd.Series):
            # ties at the same instant follow a stated rule (a member's reply first), so the engines agree
            assert a.fillna(False).astype(bool).tolist() == b.fillna(False).astype(bool).tolist(), key
        else:
            sort = list(a.columns[:1]) if key != "contributions" else ["member_id"]
            a2 = a.sort_values(sort).reset_index(drop=True)
            b2 = b.sort_values(sort).reset_index(drop=True)
            pd.testing.assert_frame_equal(a2, b2, check_dtype=False, check_exact=False, rtol=1e-9, obj=key)
    assert np.isfinite(duck["degree_gini"])


def test_conversation_table_carries_parent_and_root(tiny):
    import pandas as pd

    conv = tiny.execute(tiny.conversation()).set_index("event_id")
    r4 = conv.loc["r4"]  # b answers r3 (by a) in thread t2 (started by the host h)
    assert (r4["parent_author"], r4["root_author"], bool(r4["root_is_host"]), bool(r4["parent_is_host"])) == ("a", "h", True, False)
    assert r4["parent_at"] == pd.Timestamp("2024-01-03 09:30", tz="UTC") and r4["root_at"] == pd.Timestamp("2024-01-03 09:00", tz="UTC")
    assert pd.isna(conv.loc["t1", "parent_author"]) and conv.loc["t1", "root_author"] == "a"
    assert tiny.conversation() is tiny.conversation()  # built once
    assert "conversation" not in tiny.window(start="2024-01-03")._cache  # a new window builds its own


def test_metrics_are_computed_once_per_community(tiny):
    from communitylab.engagement import reply_direction_matrix

    a = reply_direction_matrix(tiny)
    a.loc[0, "replies"] = -1  # callers get copies
    b = reply_direction_matrix(tiny)
    assert b.loc[0, "replies"] != -1 and sum(1 for k in tiny._cache if "reply_direction_matrix" in k[1]) == 1


def test_a_metric_is_cached_once_however_its_arguments_are_spelled(tiny):
    from communitylab.engagement import first_replies
    from communitylab.engagement.responsiveness import first_replies_expr

    first_replies(tiny)
    first_replies(tiny, exclude_self=True)
    assert first_replies_expr(tiny) is first_replies_expr(tiny, exclude_self=True)  # one engine table
    assert sum(1 for k in tiny._cache if k[1] == "first_replies") == 1
    assert sum(1 for k in tiny._cache if k[1] == "first_replies_expr") == 1


@pytest.mark.spark
def test_spark_reads_a_keyed_store_as_duckdb_does(spark_engine, tmp_path):
    from communitylab.loaders import open_store, write_store

    community = simulate("brand_centric", seed=3, n_members=120, days=90).community()
    half = len(community.frame) // 2
    write_store(community.frame.iloc[:half], tmp_path / "store")  # two appends: keys kept across them
    write_store(community.frame.iloc[half:], tmp_path / "store")
    hosts = sorted(community.hosts)
    duck = _panel(open_store(tmp_path / "store", hosts=hosts))
    spark = _panel(open_store(tmp_path / "store", hosts=hosts, engine=spark_engine))
    memory = _panel(community)
    for key in ("activity", "directions", "contributions", "first_replies", "structure", "repeated_ties"):
        for other in (spark, memory):
            a = duck[key].sort_values(list(duck[key].columns[:1])).reset_index(drop=True)
            b = other[key].sort_values(list(other[key].columns[:1])).reset_index(drop=True)
            pd.testing.assert_frame_equal(a, b, check_dtype=False, check_exact=False, rtol=1e-9, obj=key)
    assert duck["reciprocity"] == pytest.approx(spark["reciprocity"]) == pytest.approx(memory["reciprocity"])
    assert duck["first_host"].fillna(False).tolist() == spark["first_host"].fillna(False).tolist()


def test_a_store_opened_on_a_database_file_leaves_the_file_as_it_was(tmp_path, tiny):
    """The views and tables the kit keeps in the engine are temporary: a user's DuckDB file gains
    nothing, and the metrics give the numbers of the in-memory engine."""
    from communitylab.loaders import open_store, write_store

    write_store(tiny.frame, tmp_path / "store")
    engine = Engine("duckdb", database=str(tmp_path / "user.duckdb"))
    for materialize in (False, True):
        c = open_store(tmp_path / "store", hosts=tiny.hosts, engine=engine, materialize=materialize)
        assert reciprocity(c) == reciprocity(tiny) and degree_gini(c) == degree_gini(tiny)
        pd.testing.assert_frame_equal(reply_direction_matrix(c), reply_direction_matrix(tiny))
    kept = engine.con.raw_sql(
        "SELECT count(*) FROM (SELECT view_name FROM duckdb_views() WHERE NOT temporary AND NOT internal "
        "UNION ALL SELECT table_name FROM duckdb_tables() WHERE NOT temporary)").fetchone()[0]
    assert kept == 0
