"""DiscordChatExporter JSON: replies by reference, joins, reactions by listed users, hosts by role."""

from __future__ import annotations

import json
import shutil

import pandas as pd
import pytest

from communitylab import DataValidationError
from communitylab.loaders import load_discord
from tests.loaders.exports import EXPORTS, NOW, adds_up, kinds


def test_discord_follows_the_mapping():
    c = load_discord(EXPORTS / "discord", hosts=["moderator"], now=NOW)  # role names match case-insensitively
    # posts: welcome, deleted user's, reply without reference, forward; replies: 1003, 1004, 1008, 1011
    assert kinds(c) == {"post": 4, "reply": 4, "reaction": 3, "join": 1, "leave": 0}
    assert c.hosts == frozenset({"2002"})
    r = c.report
    assert r.count("bot message") == 1 and r.count("message type 'ChannelPinnedMessage' is not a member's message") == 1
    assert r.count("Reply without a reference (taken as a post)") == 1
    assert r.count("author is Discord's 'Deleted User' (kept as an unknown member)") == 1
    assert (r.rows_read, r.excluded) == (14, 2) and adds_up(r)
    f = c.frame.set_index("event_id")
    assert f.loc["1004", "thread_id"] == "1002" and f.loc["1004", "parent_id"] == "1003"  # root of the reply chain
    assert f.loc["1011", "created_at"] == pd.Timestamp("2024-03-02 15:00", tz="UTC")  # -05:00 converted
    assert f.loc["1001", "created_at"] == pd.Timestamp("2024-03-01 08:00", tz="UTC")  # +01:00 converted
    assert pd.isna(f.loc["1007", "member_id"])
    assert f.loc["1011", "to_member_id"] is pd.NA or pd.isna(f.loc["1011", "to_member_id"])  # replied to the deleted user


def test_discord_without_hosts_says_there_is_no_rule():
    c = load_discord(EXPORTS / "discord", now=NOW)
    assert not c.hosts and "no host rule" in c.host_rule


def test_discord_folder_with_another_json_is_refused(tmp_path):
    shutil.copytree(EXPORTS / "discord", tmp_path / "d")
    (tmp_path / "d" / "notes.json").write_text(json.dumps({"hello": 1}))
    with pytest.raises(DataValidationError, match=r"notes\.json.*DiscordChatExporter"):
        load_discord(tmp_path / "d")
