"""``communitylab inspect``: what a user runs first, on every export format."""

from __future__ import annotations

import json

import pytest

from communitylab.cli import main
from tests.loaders.exports import EXPORTS

CASES = [
    # source, -p options, counts (post, reply, reaction, join, leave), hosts
    ("slack", [], (4, 6, 3, 1, 1), 2),
    ("discord", ["-p", "hosts", "[Moderator]"], (4, 4, 3, 1, 0), 1),
    ("discourse", [], (2, 3, 0, 0, 0), 1),
    ("discourse-posts.csv", [], (2, 2, 0, 0, 0), 1),
    ("mailing-list.mbox", ["-p", "hosts", "'@project.org'"], (3, 3, 0, 0, 0), 1),
    ("github", [], (4, 7, 0, 0, 0), 2),
    ("reddit-acmemakers.ndjson", [], (2, 4, 0, 0, 0), 1),
    ("facebook-page.json", [], (2, 3, 2, 0, 0), 1),
    ("twitter-mentions.json", ["-p", "hosts", "'@AcmeBrand'"], (3, 3, 1, 0, 0), 1),
    ("forum-events.csv", ["-p", "format", "events", "-p", "columns",
                          "{event_id: id, member_id: author, kind: type, created_at: time, parent_id: reply_to, thread_id: topic}",
                          "-p", "kinds", "{question: post, answer: reply, like: reaction}", "-p", "hosts", "host_hana"], (2, 4, 1, 0, 0), 1),
    ("community.yml", [], (9, 12, 3, 1, 1), 4),
]


@pytest.mark.parametrize("source, options, counts, hosts", CASES, ids=[c[0] for c in CASES])
def test_inspect_json(source, options, counts, hosts, capsys):
    assert main(["inspect", str(EXPORTS / source), *options, "--json"]) == 0
    info = json.loads(capsys.readouterr().out)
    assert tuple(info["counts"][k] for k in ("post", "reply", "reaction", "join", "leave")) == counts
    assert info["hosts"] == hosts and info["rows_loaded"] == sum(counts)
    assert info["rows_read"] == info["rows_loaded"] + info["excluded"]
    assert info["format"] and info["host_rule"] and info["first_event"] <= info["last_event"]


def test_inspect_text(capsys):
    assert main(["inspect", str(EXPORTS / "slack")]) == 0
    out = capsys.readouterr().out
    assert "format:     slack" in out and "hosts:      2" in out and "bot message" in out


def test_inspect_unrecognized_file_exits_2_with_help(tmp_path, capsys):
    p = tmp_path / "x.json"
    p.write_text("[1, 2]")
    assert main(["inspect", str(p)]) == 2
    err = capsys.readouterr().err
    assert "Formats: slack, discord" in err and "Traceback" not in err


def test_inspect_refuses_unknown_options(capsys):
    assert main(["inspect", str(EXPORTS / "slack"), "-p", "colour", "red"]) == 2
    assert "inspect takes -p format" in capsys.readouterr().err
