"""Property-based: whatever a damaged export holds, every loader loads it with a load report that
adds up (read = loaded + excluded) or raises :class:`DataValidationError`; never anything else."""

from __future__ import annotations

import datetime as dt
import email.utils
import json
import re
import shutil
import tempfile
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from communitylab import DataValidationError
from communitylab.errors import InputTooLarge
from communitylab.loaders import load_source
from communitylab.timestamps import EARLIEST, FUTURE_TOLERANCE
from tests.conftest import real, real_text
from tests.loaders.exports import EXPORTS, NOW, support_export

SETTINGS = settings(max_examples=40, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])

scalars = st.none() | st.booleans() | st.integers(-2**40, 2**40) | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=12)
json_values = st.recursive(scalars, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3), max_leaves=6)


def _nodes(obj, path=()):
    yield path
    if isinstance(obj, dict):
        for k, v in obj.items():
            yield from _nodes(v, (*path, k))
    elif isinstance(obj, list):
        for i, v in enumerate(obj):
            yield from _nodes(v, (*path, i))


def mutate_json(obj, data):
    """Replace or delete a few nodes of a JSON document."""
    for _ in range(data.draw(st.integers(1, 4))):
        paths = [p for p in _nodes(obj) if p]
        if not paths:
            return data.draw(json_values)
        path = data.draw(st.sampled_from(paths))
        parent = obj
        for key in path[:-1]:
            parent = parent[key]
        if data.draw(st.booleans()) and isinstance(parent, dict):
            del parent[path[-1]]
        else:
            parent[path[-1]] = data.draw(json_values)
    return obj


def mutate_text(text: str, data) -> str:
    lines = text.splitlines(keepends=True)
    for _ in range(data.draw(st.integers(1, 4))):
        if not lines:
            break
        i = data.draw(st.integers(0, len(lines) - 1))
        op = data.draw(st.sampled_from(["drop", "garble", "duplicate", "cut"]))
        if op == "drop":
            del lines[i]
        elif op == "garble":
            lines[i] = data.draw(st.text(max_size=40)) + "\n"
        elif op == "duplicate":
            lines.insert(i, lines[i])
        else:
            lines[i] = lines[i][: data.draw(st.integers(0, len(lines[i])))]
    return "".join(lines)


def check(path: Path, fmt: str, options: dict | None = None) -> None:
    """Typed error, or a load that adds up and holds no date outside the stated range."""
    try:
        c = load_source(path, fmt, now=NOW, **(options or {}))
    except (DataValidationError, InputTooLarge):
        return
    r = c.report
    assert r.rows_read == r.rows_loaded + r.excluded, r.summary()
    assert r.rows_loaded == len(c.frame)
    created = c.frame["created_at"]
    assert ((created >= EARLIEST) & (created <= NOW + FUTURE_TOLERANCE)).all(), created.describe()


# (format, fixture, the file to damage inside it, options)
JSON_CASES = [
    ("slack", "slack", "general/2024-03-01.json", {}),
    ("slack", "slack", "users.json", {}),
    ("discord", "discord", None, {"hosts": ["Moderator"]}),
    ("discourse", "discourse", "t/101.json", {}),
    ("github", "github", "comments.json", {}),
    ("github", "github", "discussions.json", {}),
    ("facebook", "facebook-page.json", None, {}),
    ("twitter", "twitter-mentions.json", None, {}),
]


@pytest.mark.parametrize("fmt, fixture, entry, options", JSON_CASES, ids=[f"{c[0]}:{c[2] or c[1]}" for c in JSON_CASES])
@SETTINGS
@given(data=st.data())
def test_json_exports_load_or_raise_typed(fmt, fixture, entry, options, data):
    with tempfile.TemporaryDirectory() as tmp:
        src = EXPORTS / fixture
        if src.is_dir():
            dst = Path(tmp) / fixture
            shutil.copytree(src, dst)
            target = dst / entry if entry else next(dst.glob("*.json"))
        else:
            dst = target = Path(tmp) / src.name
            shutil.copy(src, dst)
        doc = json.loads(target.read_text())
        target.write_text(json.dumps(mutate_json(doc, data)))
        check(dst, fmt, options)


TEXT_CASES = [
    ("mbox", EXPORTS / "mailing-list.mbox", {"hosts": "@project.org"}),
    ("reddit", EXPORTS / "reddit-acmemakers.ndjson", {}),
    ("discourse", EXPORTS / "discourse-posts.csv", {}),
    ("twcs", support_export(), {}),
    ("events", EXPORTS / "forum-events.csv", {"columns": {"event_id": "id", "member_id": "author", "kind": "type", "created_at": "time",
                                                          "parent_id": "reply_to", "thread_id": "topic"},
                                              "kinds": {"question": "post", "answer": "reply", "like": "reaction"}}),
]


@pytest.mark.parametrize("fmt, fixture, options", TEXT_CASES, ids=[c[0] + ":" + c[1].name for c in TEXT_CASES])
@SETTINGS
@given(data=st.data())
def test_text_exports_load_or_raise_typed(fmt, fixture, options, data):
    with tempfile.TemporaryDirectory() as tmp:
        dst = Path(tmp) / fixture.name
        dst.write_text(mutate_text(fixture.read_text(), data))
        check(dst, fmt, options)


@SETTINGS
@given(data=st.data())
def test_edge_lists_load_or_raise_typed(data):

    text = real_text("collegemsg")[:3000]
    with tempfile.TemporaryDirectory() as tmp:
        dst = Path(tmp) / "edges.txt"
        dst.write_text(mutate_text(text, data))
        check(dst, "edgelist")


@SETTINGS
@given(data=st.data())
def test_stackexchange_posts_load_or_raise_typed(data):

    with tempfile.TemporaryDirectory() as tmp:
        dst = Path(tmp) / "dump"
        dst.mkdir()
        for name in ("Comments", "Users"):
            shutil.copy(real("stackexchange-beer", f"{name}.xml"), dst)
        posts = real_text("stackexchange-beer", "Posts.xml")
        head = "\n".join(posts.splitlines()[:40]) + "\n</posts>\n"
        (dst / "Posts.xml").write_text(mutate_text(head, data))
        check(dst, "stackexchange")


@SETTINGS
@given(blob=st.binary(max_size=300), name=st.sampled_from(["x.json", "x.jsonl", "x.csv", "x.mbox", "x.csv.gz", "x.txt", "x.ndjson"]))
def test_any_bytes_load_or_raise_typed(blob, name):
    with tempfile.TemporaryDirectory() as tmp:
        p = Path(tmp) / name
        p.write_bytes(blob)
        try:
            check(p, None)
        except (ValueError, FileNotFoundError) as exc:  # only our own errors: DataValidationError is a ValueError
            assert isinstance(exc, DataValidationError), repr(exc)


# --- timestamps of every shape: never a date outside the stated range, never another date

offsets = st.builds(lambda m: dt.timezone(dt.timedelta(minutes=m)), st.integers(-(23 * 60 + 59), 23 * 60 + 59))
moments = st.datetimes(min_value=dt.datetime(1, 1, 1), max_value=dt.datetime(9999, 12, 31, 23, 59, 59), timezones=st.none() | offsets)
epochs = st.integers(-(2**63) + 1, 2**63 - 1) | st.sampled_from([0, -1, 1714557600, 1714557600000, 1714557600000000, 1714557600000000000])
placeholders = st.sampled_from(["1970-01-01", "1900-01-01T00:00:00Z", "0001-01-01", "-0001-01-01", "9999-12-31T23:59:59-23:59", "0000-00-00"])
stamp_texts = moments.map(lambda d: d.isoformat()) | epochs.map(str) | placeholders | st.text(max_size=12)
GOOD = [("a", "m1", "post", "2024-03-01T10:00:00Z", "a", ""), ("b", "m2", "reply", "2024-03-02T10:00:00Z", "a", "a")]


@SETTINGS
@given(stamps=st.lists(stamp_texts, min_size=1, max_size=4))
def test_event_timestamps_of_any_shape(stamps):
    rows = GOOD + [(f"x{i}", "m3", "post", v, f"x{i}", "") for i, v in enumerate(stamps)]
    with tempfile.TemporaryDirectory() as tmp:
        p = Path(tmp) / "events.csv"
        pd.DataFrame(rows, columns=["event_id", "member_id", "kind", "created_at", "thread_id", "parent_id"]).to_csv(p, index=False)
        check(p, "events")


@SETTINGS
@given(values=st.lists(epochs, min_size=1, max_size=5))
def test_integer_epochs_of_any_magnitude(values):
    with tempfile.TemporaryDirectory() as tmp:
        p = Path(tmp) / "events.parquet"
        n = len(values)
        pd.DataFrame({"event_id": [f"e{i}" for i in range(n)], "member_id": "m", "kind": "post", "created_at": pd.array(values, dtype="int64"),
                      "thread_id": [f"e{i}" for i in range(n)], "parent_id": None}).to_parquet(p)
        check(p, "events")


@SETTINGS
@given(when=moments, two_digit_year=st.booleans())
def test_mbox_dates_of_any_year_and_offset(when, two_digit_year):
    date = email.utils.format_datetime(when.replace(tzinfo=when.tzinfo or dt.UTC)) if when.year >= 1900 else \
        when.strftime("%a, %d %b ") + f"{when.year:04d}" + when.strftime(" %H:%M:%S +0000")
    if two_digit_year:
        date = re.sub(r" (\d{2})(\d{2}) (\d)", r" \2 \3", date, count=1)
    text = (EXPORTS / "mailing-list.mbox").read_text()
    text = re.sub(r"^Date: .*$", f"Date: {date}", text, count=1, flags=re.M)
    with tempfile.TemporaryDirectory() as tmp:
        p = Path(tmp) / "list.mbox"
        p.write_text(text)
        check(p, "mbox", {"hosts": "@project.org"})
