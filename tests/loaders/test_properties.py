"""Property-based: whatever a damaged export holds, every loader loads it with a load report that
adds up (read = loaded + excluded) or raises :class:`DataValidationError`; never anything else."""

from __future__ import annotations

import json
import shutil
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from communitylab import DataValidationError
from communitylab.loaders import load_source
from tests.conftest import DATA
from tests.loaders.exports import EXPORTS, NOW

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
    try:
        c = load_source(path, fmt, now=NOW, **(options or {}))
    except DataValidationError:
        return
    r = c.report
    assert r.rows_read == r.rows_loaded + r.excluded, r.summary()
    assert r.rows_loaded == len(c.frame)


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
    ("twcs", EXPORTS / "twcs-export.csv", {}),
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
    import gzip

    text = gzip.decompress((DATA / "collegemsg" / "CollegeMsg.txt.gz").read_bytes()).decode()[:3000]
    with tempfile.TemporaryDirectory() as tmp:
        dst = Path(tmp) / "edges.txt"
        dst.write_text(mutate_text(text, data))
        check(dst, "edgelist")


@SETTINGS
@given(data=st.data())
def test_stackexchange_posts_load_or_raise_typed(data):
    import gzip

    with tempfile.TemporaryDirectory() as tmp:
        dst = Path(tmp) / "dump"
        dst.mkdir()
        for name in ("Comments", "Users"):
            shutil.copy(DATA / "stackexchange-beer" / f"{name}.xml.gz", dst)
        posts = gzip.decompress((DATA / "stackexchange-beer" / "Posts.xml.gz").read_bytes()).decode()
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
