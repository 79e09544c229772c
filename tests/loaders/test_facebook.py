"""Facebook Graph API feed JSON."""

from __future__ import annotations

from communitylab.loaders import load_facebook
from tests.loaders.exports import EXPORTS, NOW, adds_up, kinds


def test_facebook_follows_the_mapping():
    c = load_facebook(EXPORTS / "facebook-page.json", now=NOW)
    assert kinds(c) == {"post": 2, "reply": 3, "reaction": 2, "join": 0, "leave": 0}
    assert c.hosts == frozenset({"111"})  # the page
    r = c.report
    assert r.count("damaged reply (no readable created_time)") == 1
    assert r.count("comment without 'from' (the API hides its author; kept as an unknown member)") == 1
    assert any("3 comments are counted by the API" in n for n in r.notes)
    assert (r.rows_read, r.excluded) == (8, 1) and adds_up(r)
    f = c.frame.set_index("event_id")
    assert f.loc["201_302", "parent_id"] == "201_301" and f.loc["201_302", "thread_id"] == "111_201"
    assert f.loc["201_302", "to_member_id"] == "9001"
