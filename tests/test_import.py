"""communitylab import SOURCE STORE: an export appended to a store, twice without duplicates, hosts kept."""

from __future__ import annotations

from communitylab.cli import main
from communitylab.loaders import load_source, open_store
from communitylab.simulate import simulate


def test_import_appends_skips_what_is_there_and_keeps_the_hosts(tmp_path, capsys):
    sim = simulate("brand_centric")
    export = sim.write_support_export(tmp_path / "support.csv")
    store = tmp_path / "store"
    assert main(["import", str(export), str(store)]) == 0
    first = capsys.readouterr().out
    direct = load_source(export)
    assert f"{direct.report.rows_loaded:,} events written" in first
    assert main(["import", str(export), str(store)]) == 0  # the same export again: nothing new
    assert f"0 events written to {store}, {direct.report.rows_loaded:,} already in it" in capsys.readouterr().out
    opened = open_store(store)
    assert opened.hosts == direct.hosts and len(opened.hosts) > 0  # no hosts given: the import kept the brands
    assert len(opened.to_pandas()) == direct.report.rows_loaded
    assert any("kept by the import" in n for n in opened.report.notes)
    # the export's format is kept too: a store of support threads is compared with support communities
    from communitylab.engagement.peers import kind_of

    assert (opened.format, opened.origin_format, kind_of(opened)) == ("store", "twcs", "support")
    assert opened.host_rule == f"kept by the import: {direct.host_rule}"
    assert load_source(store).origin_format == "twcs"  # as the studies open it


def test_import_refuses_what_it_cannot_read(tmp_path, capsys):
    bad = tmp_path / "x.csv"
    bad.write_text("a,b\n1,2\n")
    assert main(["import", str(bad), str(tmp_path / "store")]) == 2
    assert "communitylab:" in capsys.readouterr().err
    assert main(["import", str(bad), str(tmp_path / "store"), "-p", "name", "x"]) == 2


def _reddit_dump(path, n_threads: int = 30, seed: int = 3):
    """A time-ordered Pushshift-style dump: submissions, comments on them and on each other, a
    deleted author, AutoModerator, a moderator, a repeated id, a reply dated before its parent."""
    import json
    import random

    rng = random.Random(seed)
    t, lines, comments = 1_700_000_000, [], []
    for i in range(n_threads):
        t += rng.randint(60, 3600)
        lines.append({"id": f"s{i}", "author": f"u{rng.randint(0, 15)}", "created_utc": t, "subreddit": "acme", "num_comments": 3})
        for j in range(rng.randint(0, 6)):
            t += rng.randint(1, 600)
            parent = rng.choice([f"t3_s{i}"] + [f"t1_{c}" for c in comments[-3:]])
            author = rng.choice([f"u{rng.randint(0, 15)}", "[deleted]", "AutoModerator", "mod_mo"])
            rec = {"id": f"c{i}_{j}", "author": author, "created_utc": t, "subreddit": "acme", "link_id": f"t3_s{i}",
                   "parent_id": parent}
            if author == "mod_mo":
                rec["distinguished"] = "moderator"
            lines.append(rec)
            comments.append(f"c{i}_{j}")
    lines.insert(40, dict(lines[39]))  # the same record twice, next to each other
    lines.append(dict(lines[5]))  # and far apart (in another part)
    lines.append({"id": "late", "author": "u1", "created_utc": 1_600_000_000, "subreddit": "acme", "link_id": "t3_s5",
                  "parent_id": "t3_s5"})  # dated before its parent
    path.write_text("\n".join(json.dumps(r) for r in lines) + "\n")
    return path


def _stored(store):
    import pandas as pd

    frame = open_store(store, cache=False).to_pandas()
    cols = ["event_id", "member_id", "kind", "created_at", "thread_id", "parent_id", "to_member_id", "channel"]
    return frame[cols].sort_values("event_id").reset_index(drop=True).astype({c: "string" for c in cols if c != "created_at"}), pd


def test_a_dump_imported_in_parts_equals_it_imported_whole(tmp_path):
    """Parts of a few lines each: replies to parents in earlier parts get their addressee and
    thread from the store; counts and line numbers are the whole file's."""
    from communitylab.loaders.importing import import_source

    dump = _reddit_dump(tmp_path / "RC_acme.jsonl")
    whole = import_source(dump, tmp_path / "whole", part_mb=1024)
    parts = import_source(dump, tmp_path / "parts", part_mb=0.0006)  # about 600 bytes: a few lines a part
    import re

    n_parts = [int(m.group(1)) for n in parts.report.notes if (m := re.search(r"\((\d+) part\(s\)\)", n))]
    assert n_parts and n_parts[0] > 10, parts.report.notes
    a, pd = _stored(tmp_path / "whole")
    b, _ = _stored(tmp_path / "parts")
    pd.testing.assert_frame_equal(a, b)
    assert b["to_member_id"].notna().sum() > 20  # addressees resolved across parts
    assert (whole.written, whole.already_in_store, whole.hosts) == (parts.written, parts.already_in_store, parts.hosts)
    counts = lambda r: sorted((i["rule"], i["action"], i["count"]) for i in r.issues)  # noqa: E731
    assert counts(whole.report) == counts(parts.report)
    assert (whole.report.rows_read, whole.report.rows_loaded) == (parts.report.rows_read, parts.report.rows_loaded)
    bots = lambda r: next(i["first_rows"] for i in r.issues if i["rule"].startswith("bot account"))  # noqa: E731
    assert bots(whole.report) == bots(parts.report)  # line numbers of the whole file


def test_a_damaged_part_names_the_users_file(tmp_path):
    from communitylab.loaders.importing import import_source
    from communitylab.schema import DataValidationError

    dump = tmp_path / "RC_acme.jsonl"
    dump.write_text('{"id": "s1", "author": "a", "created_utc": 1700000000, "subreddit": "x", "num_comments": 0}\n'
                    + "not json at all\n" * 40)
    import pytest

    with pytest.raises(DataValidationError, match=r"RC_acme.jsonl \(lines \d+ to \d+\): \(file\): expected JSON Lines of Reddit"):
        import_source(dump, tmp_path / "store", part_mb=0.0001)


def test_a_zst_dump_imported_in_parts_equals_the_plain_one(tmp_path):
    import zstandard

    from communitylab.loaders.importing import import_source

    dump = _reddit_dump(tmp_path / "RC_acme.jsonl")
    zst = tmp_path / "RC_acme.zst"
    zst.write_bytes(zstandard.ZstdCompressor().compress(dump.read_bytes()))
    import_source(dump, tmp_path / "plain", part_mb=1024)
    parts = import_source(zst, tmp_path / "zst", part_mb=0.001)
    a, pd = _stored(tmp_path / "plain")
    b, _ = _stored(tmp_path / "zst")
    pd.testing.assert_frame_equal(a, b)
    assert any(str(r).startswith("RC_acme.zst line ") for i in parts.report.issues for r in i["first_rows"])
