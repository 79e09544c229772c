"""Mailing-list archives (mbox)."""

from __future__ import annotations

import gzip

import pandas as pd
import pytest

from communitylab import DataValidationError
from communitylab.loaders import load_mbox, load_source, sniff_format
from communitylab.loaders.mbox import normalize_address
from tests.loaders.exports import EXPORTS, NOW, adds_up, kinds


def test_mbox_follows_the_mapping():
    c = load_mbox(EXPORTS / "mailing-list.mbox", hosts=["@project.org"], now=NOW)
    assert kinds(c) == {"post": 3, "reply": 3, "reaction": 0, "join": 0, "leave": 0}
    assert c.hosts == frozenset({"dana@project.org"})
    r = c.report
    assert r.count("damaged message (no readable From address)") == 1
    assert r.count("no Message-ID (an id was derived from the headers)") == 1
    assert r.count("Date without a time zone (taken as UTC)") == 1
    assert (r.rows_read, r.excluded) == (7, 1) and adds_up(r)
    f = c.frame.set_index("event_id")
    assert f.loc["m1@example.org", "member_id"] == "zelda.quixote@example.org"  # case-normalized address
    assert f.loc["m1@example.org", "created_at"] == pd.Timestamp("2024-03-01 09:00", tz="UTC")
    assert f.loc["m3@example.net", "parent_id"] == "m2@project.org"  # the last of References
    assert f.loc["m3@example.net", "member_id"] == "yusuf@example.net"  # "yusuf at example.net"
    assert f.loc["m3@example.net", "thread_id"] == "m1@example.org"
    assert f.loc["m6@example.org", "thread_id"] == "old@example.org"  # root outside the archive
    assert f.loc["m2@project.org", "to_member_id"] == "zelda.quixote@example.org"


def test_mbox_gz_and_sniffed(tmp_path):
    p = tmp_path / "list.mbox.gz"
    p.write_bytes(gzip.compress((EXPORTS / "mailing-list.mbox").read_bytes()))
    c = load_source(p, hosts="@project.org", now=NOW)
    assert c.format == "mbox" and kinds(c)["reply"] == 3


@pytest.mark.parametrize("value, expected", [('"A B" <A.B@Example.ORG>', "a.b@example.org"), ("a.b at example.org (A B)", "a.b@example.org"), ("svn en mail.berlios.de (svn)", "svn@mail.berlios.de"), ("nobody", None)])
def test_normalize_address(value, expected):
    assert normalize_address(value) == expected


def test_not_an_mbox_is_refused(tmp_path):
    p = tmp_path / "x.mbox"
    p.write_text("Subject: hello\n\nno separator line\n")
    with pytest.raises(DataValidationError, match=r"x\.mbox: line 1: expected an mbox archive"):
        load_mbox(p)


def _month(msgs: list[tuple[str, str, str, str | None, str]]) -> str:
    """A pipermail month: ``(message id, sender, date, parent, body)``, addresses obfuscated as pipermail does."""
    out = []
    for mid, sender, date, parent, body in msgs:
        user, host = sender.split("@")
        out.append(f"From {user} at {host}  {date}\n"
                   f"From: {user} at {host} ({user.title()})\nDate: {date}\nSubject: [list] hello\n"
                   f"Message-ID: <{mid}>\n" + (f"In-Reply-To: <{parent}>\n" if parent else "") + f"\n{body}\n\n")
    return "".join(out)


def test_a_pipermail_folder_of_months_is_one_list(tmp_path):
    """Pipermail/mailman archives come as a folder of YYYY-Month.txt.gz (the current month plain),
    with body lines such as "From there, ..." left unescaped and git patches quoted in messages."""
    folder = tmp_path / "gpsd-dev"
    folder.mkdir()
    (folder / "2004-August.txt.gz").write_bytes(gzip.compress(_month([
        ("a1@x", "esr@snark.org", "Thu Aug 19 18:02:18 2004", None, "First.\n\nFrom there, you can just select Discard."),
        ("a2@x", "ann@example.org", "Fri Aug 20 09:00:00 2004", "a1@x", "Agreed.\n\nFrom my point of view, yes."),
    ]).encode()))
    (folder / "2004-September.txt").write_text(_month([
        ("s1@x", "bob@example.org", "Wed Sep  1 10:00:00 2004", "a2@x",
         "A patch:\nFrom 5d6b028a3c953df47d697dd972fae391cc42b02b Mon Sep 17 00:00:00 2001\nFrom: bob"),
    ]))
    (folder / "README.md").write_text("# gpsd-dev archive\n")
    assert sniff_format(folder) == "mbox"
    c = load_source(folder, now=NOW)
    assert kinds(c) == {"post": 1, "reply": 2, "reaction": 0, "join": 0, "leave": 0}
    assert set(c.frame["channel"]) == {"gpsd-dev"}  # one list, not one channel per month
    assert set(c.frame["member_id"]) == {"esr@snark.org", "ann@example.org", "bob@example.org"}
    assert c.frame.set_index("event_id").loc["s1@x", "thread_id"] == "a1@x"  # threads cross months
    assert c.report.rows_read == 3 and adds_up(c.report)
    assert any("README.md" in n for n in c.report.notes)


def test_a_folder_with_no_mail_names_what_it_found(tmp_path):
    (tmp_path / "notes.csv").write_text("a,b\n")
    with pytest.raises(DataValidationError, match=r"pipermail months.*found only notes\.csv"):
        load_mbox(tmp_path)


def test_headers_only_reading_keeps_every_header_and_the_derived_ids(tmp_path):
    """Without the text, the reader keeps a message's headers and, when it has no Message-ID, its
    first 4,096 bytes: the events and the ids derived from a message equal those of the whole."""
    import hashlib

    import pandas as pd

    from communitylab.loaders.mbox import _split_messages, read_mbox

    body = "".join(f"line {i} of a long message\n" for i in range(600))  # over 4,096 bytes
    no_id = f"From: Ann <ann@example.org>\nDate: Thu, 19 Aug 2004 18:02:18 +0200\nSubject: hi\n\n{body}"
    with_id = ("From: Bob <bob@example.org>\nDate: Thu, 19 Aug 2004 19:02:18 +0200\nMessage-ID: <b1@example.org>\n"
               f"In-Reply-To: <x@example.org>\n\n{body}")
    path = tmp_path / "list.mbox"
    path.write_text(f"From ann  Thu Aug 19 18:02:18 2004\n{no_id}\nFrom bob  Thu Aug 19 19:02:18 2004\n{with_id}\n")
    with open(path, "rb") as fh:
        whole = [raw for _, raw in _split_messages(fh, bodies=True)]
    with open(path, "rb") as fh:
        heads = [raw for _, raw in _split_messages(fh, bodies=False)]
    assert heads[0][:4096] == whole[0][:4096] and len(heads[0]) < len(whole[0])  # no Message-ID: the prefix is kept
    assert heads[1].endswith(b"\n\n") and len(heads[1]) < 200  # a Message-ID: headers only
    events = read_mbox(path).events.set_index("event_id")
    derived = "derived-" + hashlib.sha256(whole[0][:4096]).hexdigest()[:16]
    assert derived in events.index and events.loc["b1@example.org", "parent_id"] == "x@example.org"
    with_text = read_mbox(path, include_text=True).events.drop(columns="text")
    pd.testing.assert_frame_equal(read_mbox(path).events, with_text)
