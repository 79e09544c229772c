"""Discourse topic JSON and posts CSV."""

from __future__ import annotations

import pytest

from communitylab import DataValidationError
from communitylab.loaders import load_discourse
from tests.loaders.exports import EXPORTS, NOW, adds_up, kinds


def test_discourse_topics_follow_the_mapping():
    c = load_discourse(EXPORTS / "discourse", now=NOW)
    assert kinds(c) == {"post": 2, "reply": 3, "reaction": 0, "join": 0, "leave": 0}
    assert c.hosts == frozenset({"staffer_sam"})
    r = c.report
    for rule in ("post type 3: small action (closed, pinned, ...)", "post type 4: whisper (visible to staff only)",
                 "post by the system user or a bot (user_id <= 0)", "deleted post"):
        assert r.count(rule) == 1, rule
    assert r.count("reply without reply_to_post_number (a reply to the topic's first post)") == 1
    assert r.count("parent outside the data (kept)") == 1  # zelda's reply to discobot's excluded post
    assert any("1 posts are listed in post_stream.stream" in n for n in r.notes)
    assert (r.rows_read, r.excluded) == (9, 4) and adds_up(r)
    f = c.frame.set_index("event_id")
    assert f.loc["101#3", "parent_id"] == "101#2" and f.loc["101#2", "parent_id"] == "101#1"
    assert f.loc["101#3", "to_member_id"] == "staffer_sam"
    assert str(f.loc["102#1", "created_at"]) == "2024-03-03 10:00:00+00:00"  # +02:00 converted


def test_discourse_posts_csv():
    c = load_discourse(EXPORTS / "discourse-posts.csv", now=NOW)
    assert kinds(c)["post"] == 2 and kinds(c)["reply"] == 2
    assert c.hosts == frozenset({"bob"})
    r = c.report
    assert r.count("damaged post (no topic_id or post_number)") == 1 and r.count("deleted post") == 1
    assert (r.rows_read, r.excluded) == (7, 3) and adds_up(r)


def test_discourse_csv_without_columns_lists_them(tmp_path):
    p = tmp_path / "posts.csv"
    p.write_text("topic_id,post_number,user\n1,1,a\n")
    with pytest.raises(DataValidationError, match=r"missing \['reply_to_post_number', 'username', 'created_at'\]"):
        load_discourse(p)
