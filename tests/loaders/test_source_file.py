"""community.yml: one community in several places, with an identity table."""

from __future__ import annotations

import pytest

from communitylab import DataValidationError
from communitylab.loaders import load_source, load_source_file
from tests.loaders.exports import EXPORTS, NOW


def test_sources_are_combined_by_the_stated_rules():
    c = load_source_file(EXPORTS / "community.yml", now=NOW)
    f = c.frame
    assert c.name == "Acme makers" and c.format == "community"
    # each source keeps its own mapping: 15 Slack + 5 forum + 6 mail events
    assert f["channel"].value_counts().to_dict() == {"slack": 15, "mailing-list": 6, "forum": 5}
    assert set(f.loc[f["channel"] == "slack", "source_channel"]) == {"general", "help"}
    # the identity table links one person's handles on three platforms
    zelda = f[f["member_id"] == "zelda"]
    assert set(zelda["channel"]) == {"slack", "forum", "mailing-list"}
    # unlinked handles stay apart, namespaced by source
    assert "slack:U01ADMIN" in set(f["member_id"]) and "forum:staffer_sam" in set(f["member_id"])
    assert c.hosts == frozenset({"slack:U01ADMIN", "slack:U02OWNER", "forum:staffer_sam", "mailing-list:dana@project.org"})
    # ids stay unique and replies keep their parents
    assert f["event_id"].is_unique and f["event_id"].str.startswith(("slack:", "forum:", "mailing-list:")).all()
    r = c.report
    assert (r.rows_read, r.rows_loaded, r.excluded) == (36, 26, 10)
    assert r.count("slack: bot message") == 2 and r.count("forum: deleted post") == 1
    assert any("identity table: 5 handles linked to 2 members" in n for n in r.notes)


def test_source_file_is_sniffed():
    assert load_source(EXPORTS / "community.yml", now=NOW).format == "community"


@pytest.mark.parametrize("text, match", [
    ("name: x\n", "sources"),
    ("sources:\n  a: {format: slack}\n", "at least 'path'"),
    ("sources:\n  a: {path: slack, colour: red}\n", r"unknown \['colour'\]"),
    ("sources: [\n", "a YAML source file"),
])
def test_bad_source_files(tmp_path, text, match):
    p = tmp_path / "community.yml"
    p.write_text(text)
    with pytest.raises(DataValidationError, match=match):
        load_source_file(p)
