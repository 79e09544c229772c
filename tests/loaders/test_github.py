"""GitHub REST issues, comments, review comments and GraphQL discussions."""

from __future__ import annotations

import json

import pytest

from communitylab import DataValidationError
from communitylab.loaders import load_github
from tests.loaders.exports import EXPORTS, NOW, adds_up, kinds


def test_github_follows_the_mapping():
    c = load_github(EXPORTS / "github", now=NOW)
    # posts: issue 1, PR 2, ghost's issue 3, discussion 5; replies: 3 issue comments, 2 review
    # comments, a discussion comment and its reply
    assert kinds(c) == {"post": 4, "reply": 7, "reaction": 0, "join": 0, "leave": 0}
    assert c.hosts == frozenset({"maint-mia", "collab-cal"})
    r = c.report
    assert r.count("bot account") == 2
    assert r.count("deleted account ('ghost' or no user; kept as an unknown member)") == 1
    assert r.count("parent outside the data (kept)") == 1  # comment on issue 99
    assert (r.rows_read, r.excluded) == (13, 2) and adds_up(r)
    f = c.frame.set_index("event_id")
    assert f.loc["review/22", "parent_id"] == "review/21" and f.loc["review/22", "thread_id"] == "issue/2"
    assert f.loc["dcomment/DR_1", "parent_id"] == "dcomment/DC_1"
    assert f.loc["issue/2", "channel"] == "pull requests"


def test_github_unknown_json_in_folder_is_refused(tmp_path):
    (tmp_path / "issues.json").write_text((EXPORTS / "github" / "issues.json").read_text())
    (tmp_path / "stars.json").write_text(json.dumps([{"starred_at": "2024-01-01"}]))
    with pytest.raises(DataValidationError, match=r"stars\.json.*GitHub API response"):
        load_github(tmp_path)
