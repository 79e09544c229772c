"""Mailing-list archives (mbox)."""

from __future__ import annotations

import gzip

import pandas as pd
import pytest

from communitylab import DataValidationError
from communitylab.loaders import load_mbox, load_source
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


@pytest.mark.parametrize("value, expected", [('"A B" <A.B@Example.ORG>', "a.b@example.org"), ("a.b at example.org (A B)", "a.b@example.org"), ("nobody", None)])
def test_normalize_address(value, expected):
    assert normalize_address(value) == expected


def test_not_an_mbox_is_refused(tmp_path):
    p = tmp_path / "x.mbox"
    p.write_text("Subject: hello\n\nno separator line\n")
    with pytest.raises(DataValidationError, match=r"x\.mbox: line 1: expected an mbox archive"):
        load_mbox(p)
