"""IRC channel logs (timestamp / nick / message blocks)."""

from __future__ import annotations

import pytest

from communitylab import DataValidationError
from communitylab.loaders import load_chatlog, load_source, sniff_format
from tests.loaders.exports import NOW, adds_up, kinds

DAY1 = ("1507466702\npupp\nhow to compile zig on windows with msys2+clang?\n\n"
        "1507466884\nandrewrk\npupp: use the msvc build\nor wsl\n\n"
        "1507466900\nGitHub42\n[zig] andrewrk pushed 1 commit\n\n"
        "1507467000\npupp\nandrewrk, thanks!\n\n")
DAY2 = ("1507553102\nnewcomer\nhello: is anyone here?\n\n"
        "1507553200\nandrewrk\n@newcomer hi\n\n"
        "garbage\nno timestamp here\n\n")


@pytest.fixture
def logs(tmp_path):
    folder = tmp_path / "irc-zig"
    (folder / "2017").mkdir(parents=True)
    (folder / "2017" / "10-08.txt").write_text(DAY1)
    (folder / "2017" / "10-09.txt").write_text(DAY2)
    (folder / "README.md").write_text("# logs\n")
    return folder


def test_irc_logs_follow_the_mapping(logs):
    assert sniff_format(logs) == "chatlog"
    c = load_source(logs, now=NOW)
    assert c.format == "chatlog" and set(c.frame["channel"]) == {"irc-zig"}
    assert kinds(c) == {"post": 2, "reply": 3, "reaction": 0, "join": 0, "leave": 0}
    f = c.frame.set_index("event_id")
    first = "2017/10-08:1"
    assert f.loc["2017/10-08:5", "to_member_id"] == "pupp" and f.loc["2017/10-08:5", "parent_id"] == first
    assert f.loc["2017/10-08:14", "parent_id"] == "2017/10-08:5"  # "andrewrk, thanks!" answers his last message
    assert f.loc["2017/10-09:1", "kind"] == "post"  # "hello:" names nobody seen in the channel
    assert f.loc["2017/10-09:5", "to_member_id"] == "newcomer"
    r = c.report
    assert r.count("bot message (excluded)") == 1 and r.count("damaged block (no numeric timestamp and nick)") == 1
    assert adds_up(r) and r.rows_read == 7


def test_hosts_are_the_nicks_given(logs):
    assert load_chatlog(logs, hosts=["andrewrk"], now=NOW).hosts == frozenset({"andrewrk"})


def test_a_file_without_blocks_is_refused(tmp_path):
    p = tmp_path / "day.txt"
    p.write_text("no\nblocks\n")
    with pytest.raises(DataValidationError, match="IRC log blocks"):
        load_chatlog(p)
