"""The damaged and hostile corpus (``tests/damaged_corpus.py``) through the loaders and ``communitylab inspect``.

For every input: a typed error (the ``CommunityLabError`` family) naming the file, or a counted
load whose every date lies in the stated range; never another exception, never a date turned
into another.
"""

from __future__ import annotations

import pandas as pd
import pytest

from communitylab import datasets
from communitylab.cli import main
from communitylab.errors import CommunityLabError, InputTooLarge
from communitylab.loaders import _io
from communitylab.timestamps import EARLIEST, FUTURE_TOLERANCE
from tests.damaged_corpus import build

NOW = pd.Timestamp("2025-01-01", tz="UTC")
BOMB = 24 << 20  # the bombs expand to 24 MiB; the test lowers the allowance so that this is past it


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    return {c.name: c for c in build(tmp_path_factory.mktemp("corpus"), bomb_size=BOMB)}


@pytest.fixture(autouse=True)
def small_allowance(monkeypatch):
    monkeypatch.setattr(_io, "MIN_ALLOWANCE", 4 << 20)


def _load(case):
    return datasets.load_community(str(case.path), format=case.format, now=NOW, **case.options)


def in_range(community) -> bool:
    created = community.frame["created_at"]
    return bool(((created >= EARLIEST) & (created <= NOW + FUTURE_TOLERANCE)).all())


def pytest_generate_tests(metafunc):  # noqa: D103 (the case names come from the corpus itself)
    if "case_name" in metafunc.fixturenames:
        import tempfile

        with tempfile.TemporaryDirectory() as tmp:
            names = [c.name for c in build(tmp, bomb_size=1 << 20)]
        metafunc.parametrize("case_name", names)


def test_each_case_is_typed_or_counted(corpus, case_name):
    case = corpus[case_name]
    try:
        community = _load(case)
    except CommunityLabError as exc:
        assert case.expect in ("typed", "either"), f"{case.name}: refused, but it should load: {exc}"
        assert case.path.name in str(exc), f"the message does not name the file: {exc}"
        return
    assert case.expect in ("loads", "either"), f"{case.name}: loaded, but it should be refused"
    r = community.report
    assert r.rows_read == r.rows_loaded + r.excluded, str(r)
    assert in_range(community), community.frame["created_at"].describe()
    if case.counted:
        assert any(case.counted in i["rule"] for i in r.issues), str(r)


def test_no_date_becomes_another(corpus):
    for name in ("mbox Date in year 9999 at -2359", "mbox Date in year 0001 at +2359"):
        c = _load(corpus[name])
        assert c.frame["created_at"].dt.year.tolist() == [2024, 2024], name  # the damaged message is out, not 1972 or 2000


def test_integer_epochs_are_read_by_magnitude(corpus):
    seconds, millis = _load(corpus["Parquet created_at in integer seconds"]), _load(corpus["Parquet created_at in integer milliseconds"])
    assert seconds.frame["created_at"].min() == pd.Timestamp("2024-03-01T10:00:00Z")
    assert seconds.frame["created_at"].tolist() == millis.frame["created_at"].tolist()


def test_a_placeholder_does_not_stretch_the_window(corpus):
    c = _load(corpus["one 1970-01-01 placeholder in a six-day log"])
    span = c.frame["created_at"].max() - c.frame["created_at"].min()
    assert span <= pd.Timedelta(days=6)


def test_bombs_stop_at_the_limit(corpus):
    for name in ("gzip CSV bomb", "zip entry bomb"):
        with pytest.raises(InputTooLarge, match="COMMUNITYLAB_MAX_EXPANSION"):
            _load(corpus[name])


def test_the_earliest_date_can_be_moved(corpus, monkeypatch):
    monkeypatch.setenv("COMMUNITYLAB_EARLIEST", "1900-01-01")
    c = _load(corpus["one 1970-01-01 placeholder in a six-day log"])
    assert c.frame["created_at"].min() == pd.Timestamp("1970-01-01", tz="UTC")


def test_inspect_exits_0_or_2_and_never_shows_a_traceback(corpus, capsys):
    for case in corpus.values():
        argv = ["inspect", str(case.path)] + (["-p", "format", case.format] if case.format else [])
        code = main(argv)
        err = capsys.readouterr().err
        assert code in (0, 2), (case.name, code, err)
        assert "Traceback" not in err, (case.name, err)
        assert (code == 2) == (case.expect == "typed") or case.expect == "either", (case.name, code, err)
