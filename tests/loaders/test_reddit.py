"""Reddit JSON Lines (Pushshift / Arctic Shift)."""

from __future__ import annotations

import gzip

import pytest

from communitylab import DataValidationError
from communitylab.loaders import load_reddit, load_source
from tests.loaders.exports import EXPORTS, NOW, adds_up, kinds


def test_reddit_follows_the_mapping():
    c = load_reddit(EXPORTS / "reddit-acmemakers.ndjson", now=NOW)
    assert kinds(c) == {"post": 2, "reply": 4, "reaction": 0, "join": 0, "leave": 0}
    assert c.hosts == frozenset({"mod_mo"})
    r = c.report
    assert r.count("bot account (AutoModerator)") == 1
    assert r.count("damaged line (not a Reddit submission or comment in JSON)") == 1
    assert r.issues[[i["rule"] for i in r.issues].index("damaged line (not a Reddit submission or comment in JSON)")]["first_rows"] == ["reddit-acmemakers.ndjson line 5"]
    assert r.count("author [deleted] or [removed] (kept as an unknown member)") == 1
    assert (r.rows_read, r.excluded) == (8, 2) and adds_up(r)
    f = c.frame.set_index("event_id")
    assert f.loc["t1_c2", "parent_id"] == "t1_c1" and f.loc["t1_c2", "thread_id"] == "t3_abc1"
    assert f.loc["t1_c1", "to_member_id"] == "zelda_q"
    assert set(c.frame["channel"]) == {"acmemakers"}


def test_reddit_gz_sniffed(tmp_path):
    p = tmp_path / "RC_acme.jsonl.gz"
    p.write_bytes(gzip.compress((EXPORTS / "reddit-acmemakers.ndjson").read_bytes()))
    assert load_source(p, now=NOW).format == "reddit"


def test_reddit_file_of_garbage_is_refused(tmp_path):
    p = tmp_path / "x.ndjson"
    p.write_text('{"a": 1}\nnot json\n')
    with pytest.raises(DataValidationError, match="Reddit submissions or comments"):
        load_reddit(p)


def _zst(data: bytes) -> bytes:
    import zstandard

    return zstandard.ZstdCompressor(level=3).compress(data)


@pytest.mark.parametrize("name, encode", [
    ("RC_2024-02", lambda b: b),            # a decompressed Pushshift dump: no extension
    ("acme_comments.json", lambda b: b),    # JSON Lines named .json
    ("RC_2024-02.zst", _zst),               # how Pushshift and Arctic Shift publish them
])
def test_pushshift_files_are_recognized_by_content(tmp_path, name, encode):
    p = tmp_path / name
    p.write_bytes(encode((EXPORTS / "reddit-acmemakers.ndjson").read_bytes()))
    c = load_source(p, now=NOW)
    assert c.format == "reddit" and kinds(c)["reply"] == 4 and c.report.rows_read == 8


def test_a_folder_of_zst_monthly_dumps(tmp_path):
    lines = (EXPORTS / "reddit-acmemakers.ndjson").read_bytes().splitlines(keepends=True)
    (tmp_path / "RS_2024-03.zst").write_bytes(_zst(b"".join(x for x in lines if b'"num_comments"' in x)))
    (tmp_path / "RC_2024-03.zst").write_bytes(_zst(b"".join(x for x in lines if b'"num_comments"' not in x)))
    (tmp_path / "README.md").write_text("# dumps\n")
    c = load_source(tmp_path, now=NOW)
    assert c.format == "reddit" and kinds(c) == {"post": 2, "reply": 4, "reaction": 0, "join": 0, "leave": 0}


def test_a_zst_bomb_stops_at_the_limit(tmp_path, monkeypatch):
    from communitylab.errors import InputTooLarge

    monkeypatch.setenv("COMMUNITYLAB_MAX_EXPANSION", "2")
    monkeypatch.setattr("communitylab.loaders._io.MIN_ALLOWANCE", 1 << 20)
    p = tmp_path / "RC_bomb.zst"
    p.write_bytes(_zst(b'{"id": "x", "created_utc": 1, "subreddit": "a", "body": "' + b"a" * (8 << 20) + b'"}\n'))
    with pytest.raises(InputTooLarge, match="RC_bomb.zst"):
        load_reddit(p)


def _both_readers(path, monkeypatch):
    import communitylab.loaders.reddit as reddit

    fast = reddit.read_reddit(path)
    with monkeypatch.context() as m:
        m.setattr(reddit, "_read_fast", lambda *a, **k: None)
        careful = reddit.read_reddit(path)
    return fast, careful


def _same(fast, careful):
    import pandas as pd

    pd.testing.assert_frame_equal(fast.events, careful.events)
    pd.testing.assert_frame_equal(fast.members, careful.members)
    assert fast.hosts == careful.hosts and fast.report.issues == careful.report.issues
    assert fast.report.rows_read == careful.report.rows_read


CLEAN = [
    {"id": "abc1", "author": "ann", "created_utc": 1714557600, "subreddit": "acme", "num_comments": 2},
    {"id": "t3_abc2", "author": " [deleted] ", "created_utc": "1714557601", "subreddit": "acme", "link_id": None},
    {"id": "c1", "author": "bob", "created_utc": 1714557602.0, "subreddit": "acme", "link_id": "t3_abc1", "parent_id": "t3_abc1"},
    {"id": 77, "author": "AutoModerator", "created_utc": 1714557603, "subreddit": "acme", "link_id": "t3_abc1",
     "parent_id": "t3_abc1"},
    {"id": "t1_c3", "author": "mod_mo", "created_utc": 1714557604, "subreddit": "acme", "link_id": "t3_abc1",
     "parent_id": None, "distinguished": "moderator"},
    {"id": "c4", "author": None, "created_utc": 1714557605, "subreddit": " ", "link_id": "t3_gone", "parent_id": "t1_c1"},
]


def test_the_duckdb_reader_maps_exactly_as_the_careful_one(tmp_path, monkeypatch):
    import json

    path = tmp_path / "RC_2024-05"
    path.write_text("\n".join(json.dumps(r) for r in CLEAN[:3]) + "\n\n" + "\n".join(json.dumps(r) for r in CLEAN[3:]) + "\n")
    fast, careful = _both_readers(path, monkeypatch)
    assert any("read by DuckDB" in n for n in fast.report.notes)
    assert not any("read by DuckDB" in n for n in careful.report.notes)
    _same(fast, careful)
    e = fast.events.set_index("event_id")
    assert e.loc["t3_abc2", "kind"] == "post"  # an explicit null link_id is no thread: a submission
    assert e.loc["t1_c3", "parent_id"] == "t3_abc1" and pd_isna(e.loc["t1_c4", "member_id"])
    assert fast.hosts == frozenset({"mod_mo"})
    bots = [i for i in fast.report.issues if i["rule"].startswith("bot account")][0]
    assert bots["first_rows"] == ["RC_2024-05 line 5"]  # the blank line counts in the line numbers


def test_a_damaged_line_sends_the_file_to_the_careful_reader(tmp_path, monkeypatch):
    import json

    path = tmp_path / "mixed.jsonl"
    path.write_text(json.dumps(CLEAN[0]) + "\n{not json\n" + json.dumps({**CLEAN[2], "created_utc": "soon"}) + "\n")
    fast, careful = _both_readers(path, monkeypatch)
    assert not any("read by DuckDB" in n for n in fast.report.notes)
    _same(fast, careful)
    assert fast.report.excluded == 2


def pd_isna(value) -> bool:
    import pandas as pd

    return bool(pd.isna(value))


@pytest.mark.parametrize("suffix, compress", [(".gz", None), (".zst", _zst)])
def test_a_compressed_dump_takes_the_duckdb_path_with_the_same_result(tmp_path, monkeypatch, suffix, compress):
    """Pushshift and Arctic Shift publish .zst (Pushshift with long windows): decompressed once by
    the bounded reader, then read by DuckDB; the same events, hosts and counts as line by line."""
    import gzip
    import json

    import zstandard

    data = ("\n".join(json.dumps(r) for r in CLEAN[:3]) + "\n\n" + "\n".join(json.dumps(r) for r in CLEAN[3:]) + "\n").encode()
    path = tmp_path / f"RC_2024-05{suffix}"
    if compress is None:
        path.write_bytes(gzip.compress(data))
    else:  # a long window, as `zstd --long=31` writes
        params = zstandard.ZstdCompressionParameters.from_level(3, window_log=27, enable_ldm=True)
        path.write_bytes(zstandard.ZstdCompressor(compression_params=params).compress(data))
    fast, careful = _both_readers(path, monkeypatch)
    assert any("read by DuckDB" in n for n in fast.report.notes)
    _same(fast, careful)
    bots = [i for i in fast.report.issues if i["rule"].startswith("bot account")][0]
    assert bots["first_rows"] == [f"RC_2024-05{suffix} line 5"]  # named as the user's file, not the temporary one


def test_a_damaged_compressed_dump_is_read_line_by_line(tmp_path, monkeypatch):
    import gzip
    import json

    path = tmp_path / "RC_2024-05.gz"
    path.write_bytes(gzip.compress(("\n".join(json.dumps(r) for r in CLEAN) + "\n").encode())[:-12])  # truncated
    from communitylab.schema import DataValidationError

    with pytest.raises(DataValidationError, match="RC_2024-05.gz: \\(file\\): expected a readable file \\(Compressed file ended"):
        _both_readers(path, monkeypatch)
