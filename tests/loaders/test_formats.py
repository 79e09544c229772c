"""Sniffing: each export is recognized from its files; a wrong guess can be overridden; the unknown is refused with help."""

from __future__ import annotations

import shutil

import pytest

from communitylab import DataValidationError
from communitylab.loaders import FORMATS, describe_formats, load_source, sniff_format
from tests.conftest import real
from tests.loaders.exports import EXPORTS, NOW, support_export

CASES = [
    ("slack", "slack"), ("discord", "discord"), ("discourse", "discourse"), ("discourse-posts.csv", "discourse"),
    ("mailing-list.mbox", "mbox"), ("github", "github"), ("reddit-acmemakers.ndjson", "reddit"),
    ("facebook-page.json", "facebook"), ("twitter-mentions.json", "twitter"),
    ("forum-events.csv", "events"), ("community.yml", "community"),
]


@pytest.mark.parametrize("path, fmt", CASES)
def test_sniff(path, fmt):
    assert sniff_format(EXPORTS / path) == fmt


@pytest.mark.parametrize("name, fmt", [("stackexchange-beer", "stackexchange"), ("collegemsg", "edgelist"), ("twcs-sample", "twcs")])
def test_sniff_registered(name, fmt):
    assert sniff_format(real(name)) == fmt


def test_a_twcs_export_by_path_is_the_normal_way_in():
    # the very failure of issue 11: a file in the registered twcs-sample's format, given by path
    c = load_source(support_export(), now=NOW)
    assert c.format == "twcs" and len(c.hosts) > 0 and c.report.rows_loaded == 400


def test_format_overrides_a_wrong_guess(tmp_path):
    p = tmp_path / "export.json"  # Discourse topic under a name that says nothing
    shutil.copy(EXPORTS / "discourse" / "t" / "101.json", p)
    assert load_source(p, "discourse", now=NOW).format == "discourse"
    with pytest.raises(DataValidationError, match="DiscordChatExporter"):
        load_source(p, "discord", now=NOW)


def test_unknown_file_lists_the_formats_and_the_mapping(tmp_path):
    p = tmp_path / "notes.json"
    p.write_text('{"hello": "world"}')
    with pytest.raises(DataValidationError) as err:
        sniff_format(p)
    for word in ("slack", "discord", "mbox", "columns=", "-p format"):
        assert word in str(err.value)


def test_mixed_folder_is_refused(tmp_path):
    shutil.copy(EXPORTS / "facebook-page.json", tmp_path)
    shutil.copy(EXPORTS / "twitter-mentions.json", tmp_path)
    with pytest.raises(DataValidationError, match="mixes facebook: facebook-page.json; twitter: twitter-mentions.json"):
        sniff_format(tmp_path)


def test_generic_table_needs_its_mapping_and_says_so():
    with pytest.raises(DataValidationError, match=r"missing|column\(s\) \['event_id'.*found \['id', 'author'"):
        load_source(EXPORTS / "forum-events.csv", now=NOW)
    c = load_source(
        EXPORTS / "forum-events.csv", columns={"event_id": "id", "member_id": "author", "kind": "type", "created_at": "time",
                                               "parent_id": "reply_to", "thread_id": "topic"},
        kinds={"question": "post", "answer": "reply", "like": "reaction"}, hosts=["host_hana"], now=NOW,
    )
    assert c.frame["kind"].value_counts().to_dict() == {"reply": 4, "post": 2, "reaction": 1}


def test_time_window_is_noted():
    c = load_source(EXPORTS / "slack", start="2024-03-02", end="2024-03-05", now=NOW)
    assert c.frame["created_at"].min().day == 2 and c.frame["created_at"].max().day == 2
    assert any("time window 2024-03-02 to 2024-03-05" in n and "11 events outside" in n for n in c.report.notes)


def test_every_format_is_described():
    table = describe_formats()
    assert list(table["format"]) == list(FORMATS) and table["host rule"].str.len().min() > 3


def test_every_platform_connector_keeps_the_one_contract():
    """Each platform's read_<format> returns RawExport (events, members, hosts, host rule, report)
    and its load_<format> is made by make_loader; the generic table, store and source-file loaders
    are the stated exceptions."""
    import inspect

    from communitylab.loaders import FORMATS
    from communitylab.loaders._export import make_loader

    made_by_make_loader = make_loader(lambda path, **_: None, "x").__code__
    generic = {"events", "store", "community"}
    for fmt in FORMATS.values():
        module = inspect.getmodule(fmt.loader)
        assert module.__name__.startswith("communitylab.loaders."), fmt.name
        if fmt.name in generic:
            continue
        load = fmt.loader
        assert load.__code__ is made_by_make_loader, fmt.name
        read = getattr(module, load.__name__.replace("load_", "read_", 1))
        assert inspect.signature(read).return_annotation == "RawExport", fmt.name


def test_the_readme_format_table_is_the_registry():
    import re

    from communitylab.loaders import FORMATS
    from tests.conftest import ROOT

    text = (ROOT / "README.md").read_text()
    table = text[text.index("| format | what it reads | maps to | host rule |"):]
    table = table[:table.index("\n\n")]
    listed = re.findall(r"^\| `([a-z]+)` \|", table, flags=re.M)
    assert sorted(listed) == sorted(FORMATS) and len(listed) == len(set(listed))


def test_a_large_file_reads_behind_a_progress_bar_only_when_progress_is_shown(tmp_path, monkeypatch):
    import logging

    from communitylab.loaders import _io
    from communitylab.loaders._export import ExportFiles

    path = tmp_path / "list.mbox"
    path.write_bytes(b"From a  Thu Aug 19 18:02:18 2004\nFrom: a@b.org\n\nbody\n" * 1000)
    monkeypatch.setattr(_io, "PROGRESS_MIN_BYTES", 1000)
    logger = logging.getLogger("communitylab")
    monkeypatch.setattr(logger, "level", logging.INFO)
    with ExportFiles(path).open("list.mbox") as fh:
        assert isinstance(fh.raw, _io.ProgressReader) and fh.peek(5)[:5] == b"From "
        assert fh.read() == path.read_bytes() and fh.raw._bar.n == path.stat().st_size
    monkeypatch.setattr(logger, "level", logging.WARNING)  # --quiet, or a notebook: no bar
    with ExportFiles(path).open("list.mbox") as fh:
        assert not isinstance(getattr(fh, "raw", None), _io.ProgressReader)


def test_a_new_platform_is_one_registration(tmp_path, monkeypatch):
    """A format registered by its module is sniffed, loaded by load_source and listed in FORMATS."""
    from communitylab.loaders import registry
    from communitylab.loaders._export import EventBuilder, RawExport, finish, make_loader
    from communitylab.loaders.formats import FORMATS, load_source, sniff_format
    from communitylab.schema import LoadReport

    def read_toy(path, *, include_text=False) -> RawExport:
        """``event id;member;time`` lines, each a post."""
        built, report = EventBuilder(), LoadReport(source=str(path))
        for line in open(path).read().split("\n"):
            if line:
                event, member, when = line.split(";")
                built.add(event, member, "post", when, thread_id=event)
        report.rows_read = len(built)
        return finish(built, None, [], "none", report, "toy")

    monkeypatch.setattr(registry, "ENTRY_DETECTORS", list(registry.ENTRY_DETECTORS))  # restored after the test
    before = dict(FORMATS)
    try:
        registry.register(registry.Format("toy", "toy files", "line → post", "none", make_loader(read_toy, "a toy file"), order=5),
                          entry=lambda f: f.suffix(".toy"))
        path = tmp_path / "forum.toy"
        path.write_text("e1;ann;2024-05-01T10:00:00Z\ne2;bob;2024-05-02T10:00:00Z\n")
        assert list(FORMATS)[0] == "toy" and sniff_format(path) == "toy"
        assert load_source(path).report.rows_loaded == 2
    finally:
        FORMATS.clear()
        FORMATS.update(before)
