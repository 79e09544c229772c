"""Slack export: the fixture's 20 records map to 15 events by the module's stated rules."""

from __future__ import annotations

import shutil
import zipfile

import pandas as pd
import pytest

from communitylab import DataValidationError
from communitylab.loaders import load_slack, load_source
from tests.loaders.exports import EXPORTS, NOW, adds_up, kinds


def test_slack_folder_follows_the_mapping():
    c = load_slack(EXPORTS / "slack", now=NOW)
    # posts: welcome, edited question, printer post, widget question; replies: 2 + broadcast +
    # orphan + 2 in #help; reactions: 2 listed wave users + 1 human +1 (the bot's is excluded)
    assert kinds(c) == {"post": 4, "reply": 6, "reaction": 3, "join": 1, "leave": 1}
    assert c.hosts == frozenset({"U01ADMIN", "U02OWNER"})
    r = c.report
    assert r.count("bot message") == 2  # deploybot's message and Slackbot's tombstone
    assert r.count("message subtype 'channel_topic' is not a member's message") == 1
    assert r.count("damaged message (no readable ts)") == 1
    assert r.count("reaction by a bot") == 1
    assert r.count("edited message (kept at its original time)") == 1
    assert r.count("parent outside the data (kept)") == 1  # the reply to a root before the export
    assert (r.rows_read, r.rows_loaded, r.excluded) == (20, 15, 5) and adds_up(r)
    f = c.frame.set_index("event_id")
    reply = f.loc["general/1709287200.000300"]
    assert reply["parent_id"] == "general/1709283600.000200" and reply["thread_id"] == reply["parent_id"]
    assert reply["to_member_id"] == "U01ADMIN"
    # ts is exact to the microsecond and UTC
    assert f.loc["general/1709280000.000100", "created_at"] == pd.Timestamp("2024-03-01 08:00:00.000100", tz="UTC")
    assert set(c.frame["channel"]) == {"general", "help"}
    assert "text" not in c.frame.columns  # message texts are not read unless asked for


def test_slack_zip_equals_folder(tmp_path):
    archive = shutil.make_archive(str(tmp_path / "acme-slack"), "zip", EXPORTS / "slack")
    a = load_slack(EXPORTS / "slack", now=NOW).frame
    b = load_source(archive, now=NOW)
    assert b.format == "slack"
    pd.testing.assert_frame_equal(a, b.frame)


def test_slack_zip_of_a_folder_is_read_from_the_folder(tmp_path):
    with zipfile.ZipFile(tmp_path / "x.zip", "w") as z:
        for p in (EXPORTS / "slack").rglob("*.json"):
            z.write(p, "Acme Slack export/" + p.relative_to(EXPORTS / "slack").as_posix())
    assert kinds(load_source(tmp_path / "x.zip", now=NOW))["post"] == 4


def test_slack_hosts_given_replace_the_admin_rule():
    c = load_slack(EXPORTS / "slack", hosts="U03MEMBER", now=NOW)
    assert c.hosts == frozenset({"U03MEMBER"})


def test_slack_without_users_json_is_refused(tmp_path):
    shutil.copytree(EXPORTS / "slack", tmp_path / "s")
    (tmp_path / "s" / "users.json").unlink()
    with zipfile.ZipFile(tmp_path / "s.zip", "w") as z:
        for p in (tmp_path / "s").rglob("*.json"):
            z.write(p, p.relative_to(tmp_path / "s").as_posix())
    with pytest.raises(DataValidationError, match=r"s\.zip!users\.json.*users\.json and channels\.json"):
        load_slack(tmp_path / "s.zip")


def test_slack_truncated_day_file_names_file_and_spot(tmp_path):
    shutil.copytree(EXPORTS / "slack", tmp_path / "s")
    day = tmp_path / "s" / "general" / "2024-03-02.json"
    day.write_text(day.read_text()[:300])
    with pytest.raises(DataValidationError, match=r"general/2024-03-02\.json: line \d+, column \d+: .*invalid or truncated"):
        load_slack(tmp_path / "s")


def test_a_user_listed_twice_on_a_reaction_reacted_once_and_the_report_says_so(tmp_path):
    import json

    shutil.copytree(EXPORTS / "slack", tmp_path / "s")
    day = tmp_path / "s" / "general" / "2024-03-01.json"
    before = load_slack(tmp_path / "s", now=NOW)
    messages = json.loads(day.read_text())
    reacted = next(m for m in messages if m.get("reactions"))
    reacted["reactions"][0]["users"].append(reacted["reactions"][0]["users"][0])
    day.write_text(json.dumps(messages))
    after = load_slack(tmp_path / "s", now=NOW)
    assert kinds(after) == kinds(before)
    assert after.report.count("reaction user listed twice on one reaction (counted once)") == 1
    assert after.report.count("repeated event_id (first kept)") == before.report.count("repeated event_id (first kept)")
    assert adds_up(after.report)
