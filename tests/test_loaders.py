"""Every loader on real data; the sources' own counters are the oracle."""

from __future__ import annotations

import gzip
import shutil

import pandas as pd
import pytest

from communitylab import Community, DataValidationError
from communitylab.loaders import (
    load_edgelist,
    load_events,
    load_stackexchange,
    load_support_threads,
    open_store,
    read_stackexchange,
    write_store,
)
from communitylab.loaders.stackexchange import iter_rows
from tests.conftest import NOW, real, tiny_events


@pytest.mark.parametrize(
    "site, questions, answers, comments",
    [("stackexchange-beer", 591, 1398, 1860), ("stackexchange-quantumcomputing", 612, 1060, 3413)],
)
def test_stackexchange_matches_the_dump_counters(site, questions, answers, comments):
    c = load_stackexchange(real(site), now=NOW)
    f = c.frame
    assert (f["kind"] == "post").sum() == questions
    replies = f[f["kind"] == "reply"]
    assert replies["event_id"].str.startswith("p").sum() == answers
    assert replies["event_id"].str.startswith("c").sum() == comments
    # the dump's own counters: sum of AnswerCount and CommentCount
    posts = list(iter_rows(real(site, "Posts.xml")))
    assert sum(int(p.get("AnswerCount", 0)) for p in posts if p["PostTypeId"] == "1") == answers
    assert sum(int(p.get("CommentCount", 0)) for p in posts) == comments
    # nothing silently dropped
    r = c.report
    assert r.rows_read == r.rows_loaded + r.excluded


def test_stackexchange_beer_members_and_joins():
    c = load_stackexchange(real("stackexchange-beer"), now=NOW)
    assert len(c.members) == 3948
    assert (c.frame["kind"] == "join").sum() == 3948
    assert "display_name" in c.members.columns  # personal data stays in the members table only
    assert "display_name" not in c.frame.columns and "text" not in c.frame.columns
    # deleted authors are kept and counted (5 answers, 3 questions, 39 comments have no owner)
    assert c.report.count("author unknown (deleted or anonymous account; kept, left out of per-member metrics)") >= 47


def test_stackexchange_reads_gzip_like_plain_xml(tmp_path):
    for name in ("Posts", "Comments", "Users", "Votes"):
        with open(real("stackexchange-beer", f"{name}.xml"), "rb") as src, gzip.open(tmp_path / f"{name}.xml.gz", "wb") as dst:
            shutil.copyfileobj(src, dst)
    a, b = read_stackexchange(tmp_path).events, read_stackexchange(real("stackexchange-beer")).events
    pd.testing.assert_frame_equal(a.drop(columns="channel"), b.drop(columns="channel"))


@pytest.mark.parametrize(
    "path, rows, nodes, pairs",
    [("collegemsg", 59_835, 1_899, 20_296), ("digg-reply", 87_627, 30_398, 86_404)],
)
def test_edgelists_match_snap_and_konect_counts(path, rows, nodes, pairs):
    c = load_edgelist(real(path), now=NOW)
    f = c.frame
    assert len(f) == rows
    assert len(set(f["member_id"]) | set(f["to_member_id"])) == nodes
    assert len(f[["member_id", "to_member_id"]].drop_duplicates()) == pairs
    assert (f["kind"] == "reply").all() and f["created_at"].dt.tz is not None


def test_collegemsg_time_range_is_utc():
    f = load_edgelist(real("collegemsg"), now=NOW).frame
    assert f["created_at"].min() == pd.Timestamp("2004-04-15 14:56:01", tz="UTC")
    assert f["created_at"].max() == pd.Timestamp("2004-10-26 07:52:22", tz="UTC")


def test_edgelist_bad_lines_are_named(tmp_path):
    p = tmp_path / "edges.txt"
    p.write_text("% asym\n1 2 100\n3 x 200\n4 5\n")
    with pytest.raises(DataValidationError, match=r"edges.txt: column 'line': 2 row\(s\) invalid \(rows 3, 4\)"):
        load_edgelist(p)


def test_support_threads_report_broken_records_and_keep_dangling_parents():
    c = load_support_threads(real("twcs-sample"), now=NOW)
    r = c.report
    broken = [i for i in r.issues if i["rule"].startswith("malformed record")]
    assert broken and broken[0]["count"] == 3 and broken[0]["first_rows"] == [2589, 2590, 2591]  # physical lines: an unquoted line break splits tweet 3399
    assert r.rows_read == r.rows_loaded + r.excluded
    assert r.count("parent outside the data (kept)") > 0
    assert {"AppleSupport", "AmazonHelp", "sprintcare"} <= c.hosts
    assert not any(h.isdigit() for h in c.hosts)  # customers are anonymized numeric ids
    f = c.frame
    assert (f["kind"] == "reply").sum() + (f["kind"] == "post").sum() == len(f)
    outbound = f[f["member_id"].isin(c.hosts)]
    assert len(outbound) == 2222  # the README's count of brand tweets


def test_generic_csv_with_column_mapping(tmp_path):
    df = tiny_events().rename(columns={"member_id": "author", "created_at": "ts", "kind": "type"})
    df["type"] = df["type"].replace({"reaction": "like"})
    path = tmp_path / "export.csv"
    df.to_csv(path, index=False)
    c = load_events(path, {"member_id": "author", "created_at": "ts", "kind": "type"}, kinds={"like": "reaction"}, hosts=["h"], now=NOW)
    assert len(c.frame) == 11 and c.hosts == frozenset({"h"})
    with pytest.raises(DataValidationError, match="'writer'"):
        load_events(path, {"member_id": "writer"})


@pytest.mark.parametrize("fmt", ["parquet", "jsonl"])
def test_generic_parquet_and_jsonl(tmp_path, fmt):
    df = tiny_events()
    path = tmp_path / f"events.{fmt}"
    if fmt == "parquet":
        df.to_parquet(path)
    else:
        df.assign(created_at=df["created_at"].astype(str)).to_json(path, orient="records", lines=True)
    c = load_events(path, hosts=["h"], now=NOW)
    assert len(c.frame) == 11


def test_parquet_store_is_queried_without_loading(tmp_path, tiny):
    write_store(tiny.frame, tmp_path / "store")
    c = open_store(tmp_path / "store", hosts=["h"])
    assert c.frame is None and c.report.rows_loaded == 11
    n = c.execute(c.events.filter(c.events.is_host).count())
    assert n == 2


def test_parquet_store_rejects_bad_kinds(tmp_path, tiny):
    write_store(tiny.frame.assign(kind="like"), tmp_path / "store")
    with pytest.raises(DataValidationError, match="kind"):
        open_store(tmp_path / "store")


@pytest.mark.parametrize("materialize", [False, True])
def test_parquet_store_rejects_repeated_event_ids(tmp_path, tiny, materialize):
    frame = tiny.frame.copy()
    frame.loc[frame.index[-1], "event_id"] = "t1"  # the last event reuses the id of the first post
    write_store(frame, tmp_path / "store")
    with pytest.raises(DataValidationError, match="event_id") as err:
        open_store(tmp_path / "store", materialize=materialize)
    assert "t1" in str(err.value)


def test_parquet_store_rechecks_ids_when_its_files_change(tmp_path, tiny):
    write_store(tiny.frame, tmp_path / "store")
    assert open_store(tmp_path / "store").report.rows_loaded == 11  # checked, and the check recorded
    assert (tmp_path / "store" / "_communitylab_checked.json").exists()
    assert open_store(tmp_path / "store").report.rows_loaded == 11  # the record matches: still opens
    # appends a file repeating the first event id (a chunk with no thread or parent id in it)
    write_store(tiny.frame.iloc[:1].assign(thread_id=None, parent_id=None), tmp_path / "store")
    import pyarrow as pa
    import pyarrow.parquet as pq

    assert {pq.read_schema(f).field("parent_id").type for f in (tmp_path / "store").rglob("*.parquet")} == {pa.string()}
    with pytest.raises(DataValidationError, match="event_id"):
        open_store(tmp_path / "store")


def test_parquet_store_is_read_into_the_engine_when_it_fits(tmp_path, tiny):
    write_store(tiny.frame, tmp_path / "store")
    import ibis

    def in_engine(c):  # the metrics read a temporary engine table, or a query over the Parquet scan's view
        op = c.core.op()
        if not isinstance(op, ibis.expr.operations.DatabaseTable):
            return False
        found = c.engine.con.raw_sql(f"SELECT count(*) FROM duckdb_tables() WHERE table_name = '{op.name}' AND temporary").fetchall()
        return found[0][0] == 1

    materialized = open_store(tmp_path / "store", materialize="auto")
    assert in_engine(materialized) and materialized.execute(materialized.core.count()) == 11
    assert not in_engine(open_store(tmp_path / "store", materialize=False))


def test_store_keys_are_assigned_once_and_kept_across_appends(tmp_path, tiny):
    import pyarrow.parquet as pq

    from communitylab import engagement as eng

    store = tmp_path / "store"
    first, second = tiny.frame.iloc[:6], tiny.frame.iloc[6:]
    write_store(first, store)
    write_store(second, store)
    members = pq.read_table(store / "_keys" / "members.pq").to_pandas()
    ids = pd.concat([tiny.frame["member_id"], tiny.frame["to_member_id"]]).dropna().astype(str)
    assert sorted(members["id"]) == sorted(ids.unique()) and members["key"].tolist() == list(range(len(members)))
    c = open_store(store, hosts=["h"])
    assert c.keys is not None and str(c.core.schema()["member_key"]) == "int32"
    # every key in the files names the id beside it
    for f in store.rglob("*.parquet"):
        part = pq.read_table(f).to_pandas()
        lookup = dict(zip(members["key"], members["id"]))
        for key, col in (("member_key", "member_id"), ("to_member_key", "to_member_id")):
            known = part[col].notna()
            assert part.loc[known, key].map(lookup).tolist() == part.loc[known, col].tolist()
            assert part.loc[~known, key].isna().all()
    # the same numbers as the same events in memory (ids, not keys, come out)
    mem = Community.from_frames(tiny.frame, hosts=["h"])
    assert c.keys is not None and mem.keys is None
    pd.testing.assert_frame_equal(eng.contributions_per_member(c), eng.contributions_per_member(mem))
    pd.testing.assert_frame_equal(eng.reply_edges(c), eng.reply_edges(mem))
    pd.testing.assert_frame_equal(eng.first_replies(c), eng.first_replies(mem))
    pd.testing.assert_frame_equal(eng.activity_by_period(c), eng.activity_by_period(mem))
    pd.testing.assert_frame_equal(eng.first_contributions(c), eng.first_contributions(mem))
    for fn in (eng.join_ask_leave, eng.newcomer_retention):
        pd.testing.assert_frame_equal(fn(c), fn(mem))


def test_store_without_keys_in_every_file_is_read_by_ids(tmp_path, tiny):
    from communitylab import engagement as eng

    store = tmp_path / "store"
    write_store(tiny.frame, store)
    # a file added by hand, without keys: the store is read by its ids, with the same numbers
    import pyarrow as pa
    import pyarrow.parquet as pq

    from communitylab.engine import naive_utc

    extra = tiny.frame.iloc[[2]].assign(event_id="z1")
    table = pa.Table.from_pandas(naive_utc(extra), preserve_index=False)
    table = table.cast(pa.schema([pa.field(f.name, pa.string()) if f.type == pa.null() else f for f in table.schema]))
    for folder in ("month=2000-01", "month=2099-01"):  # first and last: DuckDB reads the first file's schema by default
        (store / folder).mkdir()
        pq.write_table(table.set_column(0, "event_id", pa.array([f"z-{folder}"])), store / folder / "hand.parquet")
    c = open_store(store, hosts=["h"])
    assert c.keys is None and str(c.core.schema()["member_key"]) == "string"
    assert c.report.rows_loaded == 13
    both = [extra.assign(event_id=f"z-month={m}") for m in ("2000-01", "2099-01")]
    mem = Community.from_frames(pd.concat([tiny.frame, *both], ignore_index=True), hosts=["h"], now=pd.Timestamp("2100-01-01", tz="UTC"))
    pd.testing.assert_frame_equal(eng.contributions_per_member(c), eng.contributions_per_member(mem))


def test_a_folder_of_edge_lists_is_one_network_each_file_a_channel(tmp_path):
    """SNAP's sx-* networks come as layers (answers to questions, comments on answers) beside a README."""
    from communitylab.loaders import load_source, sniff_format

    (tmp_path / "sx-a2q.txt").write_text("1 4 1254192988\n3 4 1254194656\n")
    (tmp_path / "sx-c2a.txt").write_text("4 1 1254200000\n")
    (tmp_path / "README.md").write_text("# layers\n")
    assert sniff_format(tmp_path) == "edgelist"
    c = load_source(tmp_path, now=NOW)
    assert c.report.rows_read == 3 and set(c.frame["channel"]) == {"sx-a2q", "sx-c2a"}
    assert c.frame["event_id"].is_unique


def test_a_signed_rating_network_is_one_event_per_rating(tmp_path):
    """SNAP's soc-sign-bitcoin: headerless SOURCE,TARGET,RATING,TIME; a negative weight is a rating, not a count."""
    from communitylab.loaders import load_source, sniff_format

    p = tmp_path / "soc-sign.csv"
    p.write_text("7188,1,10,1407470400\n430,1,-10,1376539200\n3134,1,2,1369713600\n")
    assert sniff_format(p) == "edgelist"
    c = load_source(p, now=NOW)
    assert c.report.rows_loaded == 3 and any("rating or sign" in n for n in c.report.notes)
    counts = tmp_path / "counts.txt"
    counts.write_text("1 2 3 1407470400\n")  # positive weights are message counts: one line must be one message
    with pytest.raises(DataValidationError, match=r"weight.*weights='rating'"):
        load_edgelist(counts)
    assert load_edgelist(counts, weights="rating").report.rows_loaded == 1


def test_a_dump_without_comments_loads_and_says_so(tmp_path):
    for name in ("Posts", "Users"):
        shutil.copy(real("stackexchange-beer", f"{name}.xml"), tmp_path)
    c = load_stackexchange(tmp_path, now=NOW)
    assert (c.frame["kind"] == "post").sum() == 591 and not c.frame["event_id"].str.startswith("c").any()
    assert any("no Comments.xml" in n for n in c.report.notes)
