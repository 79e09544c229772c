"""The damaged-file table: each broken input, the loader that meets it, and the message it gets.

Every case ends in a :class:`DataValidationError` naming the file (and the line, entry or column),
or loads with the problem counted in the load report; never a bare exception, never silence.
"""

from __future__ import annotations

import gzip
import shutil

import pytest

from communitylab import DataValidationError
from communitylab.loaders import load_source
from tests.conftest import NOW, real
from tests.loaders.exports import EXPORTS

POSTS_HEAD = '<?xml version="1.0" encoding="utf-8"?>\n'
ROWS = '<posts>\n  <row Id="1" PostTypeId="1" CreationDate="2020-01-01T00:00:00.000" OwnerUserId="1" />\n</posts>\n'


def se_dump(tmp_path, posts: str):
    """A Stack Exchange dump folder whose Posts.xml is ``posts`` (the other tables from beer)."""
    folder = tmp_path / "dump"
    folder.mkdir()
    for name in ("Comments", "Users", "Votes"):
        shutil.copy(real("stackexchange-beer", f"{name}.xml"), folder)
    (folder / "Posts.xml").write_text(posts)
    return folder


def events_csv(tmp_path, rows: str, name="events.csv"):
    p = tmp_path / name
    p.write_text("event_id,member_id,kind,created_at,thread_id,parent_id\n" + rows)
    return p


FATAL = [
    # (case, make(tmp_path) -> path, load options, message pattern)
    ("csv.gz that is not gzip", lambda t: (t / "events.csv.gz").write_bytes(b"event_id,kind\n1,post\n") and t / "events.csv.gz", {},
     r"events\.csv\.gz: \(file\): expected a readable (csv )?file \(BadGzipFile"),
    ("twcs csv.gz that is not gzip",
     lambda t: (t / "twcs.csv.gz").write_bytes(b"tweet_id,author_id,inbound,created_at,text,response_tweet_id,in_response_to_tweet_id\n") and t / "twcs.csv.gz",
     {"format": "twcs"}, r"twcs\.csv\.gz: \(file\): expected a readable file \(BadGzipFile"),
    ("edge list gz that is not gzip", lambda t: (t / "edges.txt.gz").write_bytes(b"1 2 3\n") and t / "edges.txt.gz", {"format": "edgelist"},
     r"edges\.txt\.gz: \(file\): expected a readable file"),
    ("Posts.xml with an external entity",
     lambda t: se_dump(t, POSTS_HEAD + '<!DOCTYPE posts [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n' + ROWS), {},
     r"Posts\.xml: line 2: expected an XML dump without entity declarations"),
    ("Posts.xml with nested entities",
     lambda t: se_dump(t, POSTS_HEAD + '<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;">]>\n' + ROWS.replace('OwnerUserId="1"', 'OwnerUserId="&lol2;"')), {},
     r"Posts\.xml: line 2: expected an XML dump without entity declarations"),
    ("Posts.xml cut off", lambda t: se_dump(t, POSTS_HEAD + ROWS[:90]), {}, r"Posts\.xml: line 3, column \d+: expected well-formed XML"),
    ("events CSV with a bad kind on line 3", lambda t: events_csv(t, "p1,a,post,2024-01-01,,\nr1,b,like,2024-01-02,p1,p1\n"), {},
     r"events\.csv: column 'kind': 1 row\(s\) invalid \(lines 3; event_id r1\)"),
    ("events CSV with a quoted line break, bad time after it",
     lambda t: events_csv(t, 'p1,"a\nb",post,2024-01-01,,\nr1,b,reply,yesterday,p1,p1\n'), {},
     r"column 'created_at': 1 row\(s\) invalid \(lines 4; event_id r1\)"),
    ("events CSV without kind", lambda t: (t / "e.csv").write_text("event_id,member_id,created_at\n1,a,2024-01-01\n") and t / "e.csv", {"format": "events"},
     r"e\.csv: \(columns\): expected the column\(s\) \['kind'\] of the event-log contract; found \['event_id', 'member_id', 'created_at', 'thread_id', 'parent_id'\]"),
    ("mapped column not in the file", lambda t: events_csv(t, "p1,a,post,2024-01-01,,\n"), {"columns": {"member_id": "author"}},
     r"events\.csv: \(columns\): expected the mapped column\(s\) \['author'\] in the file; found \['event_id'"),
    ("Slack zip without users.json", lambda t: shutil.make_archive(str(t / "s"), "zip", EXPORTS / "slack", "general") and t / "s.zip", {"format": "slack"},
     r"s\.zip!(general/)?users\.json: \(file\): expected a Slack export with users\.json and channels\.json"),
    ("Discord JSON truncated", lambda t: (t / "d.json").write_text((next((EXPORTS / "discord").glob("*.json"))).read_text()[:500]) and t / "d.json",
     {"format": "discord"}, r"d\.json: line \d+, column \d+: expected a DiscordChatExporter channel export; the JSON is invalid or truncated"),
    ("mbox without a From line", lambda t: (t / "m.mbox").write_text("Subject: x\n\nbody\n") and t / "m.mbox", {},
     r"m\.mbox: line 1: expected an mbox archive"),
    ("a folder mixing formats", lambda t: (shutil.copy(EXPORTS / "facebook-page.json", t), shutil.copy(EXPORTS / "reddit-acmemakers.ndjson", t)) and t, {},
     r"one export format in a folder; this one mixes facebook: facebook-page\.json; reddit: reddit-acmemakers\.ndjson"),
    ("a file of no known format", lambda t: (t / "x.json").write_text('{"a": 1}') and t / "x.json", {},
     r"x\.json: \(format\): expected a known export format.*Formats: slack, discord"),
]


@pytest.mark.parametrize("case, make, options, message", FATAL, ids=[c[0] for c in FATAL])
def test_damaged_input_gets_a_typed_error_naming_where(case, make, options, message, tmp_path):
    path = make(tmp_path)
    with pytest.raises(DataValidationError, match=message):
        load_source(path, now=NOW, **options)


COUNTED = [
    # (case, rows of an events CSV, rule in the load report, action, count)
    ("reply later than... its parent is later", "p1,a,post,2024-01-02,,\nr1,b,reply,2024-01-01,p1,p1\n",
     "reply or reaction earlier than its parent (excluded)", "excluded", 1),
    ("replies whose parents form a cycle", "p1,a,post,2024-01-01,,\nr1,b,reply,2024-01-02,,r2\nr2,c,reply,2024-01-02,,r1\n",
     "replies whose parents form a cycle (excluded)", "excluded", 2),
    ("reply whose parent is in another thread", "p1,a,post,2024-01-01,p1,\np2,a,post,2024-01-01,p2,\nr1,b,reply,2024-01-02,p2,p1\n",
     "reply in another thread than its parent (thread repaired to the parent's)", "repaired", 1),
    ("repeated event id", "p1,a,post,2024-01-01,,\np1,a,post,2024-01-01,,\n", "repeated event_id (first kept)", "excluded", 1),
]


@pytest.mark.parametrize("case, rows, rule, action, count", COUNTED, ids=[c[0] for c in COUNTED])
def test_contract_breaks_are_counted_with_their_lines(case, rows, rule, action, count, tmp_path):
    c = load_source(events_csv(tmp_path, rows), now=NOW)
    issue = next(i for i in c.report.issues if i["rule"] == rule)
    assert (issue["action"], issue["count"]) == (action, count)
    assert all(str(r).startswith("line ") for r in issue["first_rows"]) or action == "repaired"
    assert c.report.rows_read == c.report.rows_loaded + c.report.excluded


def test_a_real_gzip_still_loads(tmp_path):
    p = tmp_path / "events.csv.gz"
    p.write_bytes(gzip.compress(b"event_id,member_id,kind,created_at,thread_id,parent_id\np1,a,post,2024-01-01,,\n"))
    assert load_source(p, now=NOW).report.rows_loaded == 1


@pytest.mark.parametrize("doctype", ["<!DOCTYPE posts SYSTEM 'posts.dtd'>", '<!DOCTYPE posts SYSTEM "http://127.0.0.1:9/posts.dtd">'])
def test_a_bare_doctype_line_as_older_dumps_have_is_read_past(tmp_path, doctype):
    """Older Stack Exchange dumps name a DTD they do not ship; it is never fetched or read."""
    from communitylab.loaders.stackexchange import read_stackexchange

    events = read_stackexchange(se_dump(tmp_path, POSTS_HEAD + doctype + "\n" + ROWS)).events
    assert (events["kind"] == "post").sum() == 1
