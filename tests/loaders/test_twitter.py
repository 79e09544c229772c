"""Twitter/X API v2 JSON."""

from __future__ import annotations

import json

from communitylab.loaders import load_source, load_twitter
from tests.loaders.exports import EXPORTS, NOW, adds_up, kinds


def test_twitter_follows_the_mapping():
    c = load_twitter(EXPORTS / "twitter-mentions.json", hosts=["@acmebrand"], now=NOW)
    assert kinds(c) == {"post": 3, "reply": 3, "reaction": 1, "join": 0, "leave": 0}
    assert c.hosts == frozenset({"100"})  # @username resolved through includes.users
    r = c.report
    assert r.count("damaged tweet (no readable created_at)") == 1
    assert r.count("tweet without author_id (kept as an unknown member)") == 1
    assert (r.rows_read, r.excluded) == (8, 1) and adds_up(r)
    f = c.frame.set_index("event_id")
    t = lambda k: f"17000000000000000{k:02d}"  # noqa: E731
    assert f.loc[t(3), "parent_id"] == t(2) and f.loc[t(3), "thread_id"] == t(1)
    assert f.loc[t(4), "kind"] == "reaction" and f.loc[t(4), "thread_id"] == t(1)  # a retweet joins the retweeted thread
    assert f.loc[t(6), "to_member_id"] == "100"  # parent outside: in_reply_to_user_id


def test_twitter_json_lines_of_tweets(tmp_path):
    doc = json.loads((EXPORTS / "twitter-mentions.json").read_text())
    p = tmp_path / "tweets.jsonl"
    p.write_text("\n".join(json.dumps(t) for t in doc["data"]) + "\n")
    c = load_source(p, now=NOW)
    assert c.format == "twitter" and kinds(c)["reply"] == 3


def test_twarc2_responses_longer_than_the_sniffers_first_read(tmp_path):
    """twarc2 writes one API response per line, often over 64 KB: the format is still recognized."""
    doc = json.loads((EXPORTS / "twitter-mentions.json").read_text())
    doc["__twarc"] = {"url": "https://api.twitter.com/2/tweets/search/all", "padding": "x" * 200_000}
    p = tmp_path / "search.jsonl"
    p.write_text(json.dumps(doc) + "\n" + json.dumps(doc) + "\n")
    assert len(p.read_text().splitlines()[0]) > 65536
    c = load_source(p, now=NOW)
    assert c.format == "twitter" and c.report.rows_loaded > 0
