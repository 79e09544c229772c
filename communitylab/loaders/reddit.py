"""Reddit submissions and comments as Pushshift / Arctic Shift dumps write them: JSON Lines, one
object a line (plain or ``.gz``), submissions and comments in one file or in several (a folder or
a zip). Files are streamed line by line.

A submission has ``id``, ``author``, ``created_utc``, ``subreddit``, ``title``, ``distinguished``;
a comment also has ``link_id`` (``t3_`` + its submission) and ``parent_id`` (``t3_`` for a
top-level comment, ``t1_`` + the comment it answers).

Mapping to the event-log contract:

==========================================  ======================================================
Reddit                                      event
==========================================  ======================================================
submission                                  ``post``; id ``t3_<id>`` (Reddit's full name)
comment                                     ``reply`` to ``parent_id``; thread ``link_id``;
                                            id ``t1_<id>``
``[deleted]`` / ``[removed]`` author        kept as an unknown member, counted
``AutoModerator``                           excluded (a bot), counted
==========================================  ======================================================

``created_utc`` is seconds since 1970 (a number or a numeric string): UTC. The subreddit is the
``channel``. A comment whose submission or parent is not in the dump is kept with its parent
outside the data. A line that is not valid JSON, or a record without ``id`` or ``created_utc``, is
damaged: counted with its line number and skipped.

Hosts: authors with ``distinguished`` ``moderator`` or ``admin`` on any of their submissions or
comments (moderators speaking as moderators), unless ``hosts`` is given.
"""

from __future__ import annotations

import os
from collections import defaultdict
from typing import Any

import pandas as pd

from communitylab.loaders._export import (
    EventBuilder,
    ExportFiles,
    RawExport,
    as_id,
    count_excluded,
    finish,
    is_documentation,
    iter_json_lines,
    make_loader,
    safe_record,
    utc_epoch,
)
from communitylab.loaders._io import strip_compression
from communitylab.schema import DataValidationError, LoadReport

__all__ = ["read_reddit", "load_reddit", "is_reddit_record"]

_DELETED = {"[deleted]", "[removed]", ""}
_BOTS = {"AutoModerator"}


def is_reddit_record(rec: Any) -> bool:
    """A Pushshift-style submission or comment."""
    return isinstance(rec, dict) and "created_utc" in rec and "id" in rec and (
        "link_id" in rec or "subreddit" in rec or "num_comments" in rec
    )


def _dump_name(name: str) -> bool:
    """A file of a folder that may hold Reddit records: JSON Lines by extension, or Pushshift's and
    Arctic Shift's own names without one (``RC_2024-02``, ``RS_2024-02.zst``)."""
    base = strip_compression(name.split("/")[-1].lower())
    return not is_documentation(name) and (base.endswith((".jsonl", ".ndjson", ".json")) or "." not in base)


def read_reddit(path: str | os.PathLike, *, include_text: bool = False) -> RawExport:
    """Stream Reddit JSON Lines into raw events (see the module docstring).

    Raises
    ------
    DataValidationError
        A file none of whose lines is a Reddit submission or comment.
    """
    files = ExportFiles(path)
    report = LoadReport(source=str(path))
    names = [n for n in files.names() if files.path.is_file() or _dump_name(n)]
    b = EventBuilder(include_text=include_text)
    excluded: dict[str, list[Any]] = defaultdict(list)
    hosts: set[str] = set()
    state = {"deleted": 0}
    for name in names:
        good = 0
        for lineno, rec in iter_json_lines(files, name):
            where = f"{name} line {lineno}"
            if not is_reddit_record(rec):
                excluded["damaged line (not a Reddit submission or comment in JSON)"].append(where)
                continue
            created = utc_epoch(rec.get("created_utc"))
            if created is None:
                excluded["damaged record (no readable created_utc)"].append(where)
                continue
            good += 1
            try:
                safe_record(b, excluded, where, lambda rec=rec, created=created: _record(b, rec, created, hosts, state))
            except _Bot:
                excluded["bot account (AutoModerator)"].append(where)
        if good == 0:
            raise DataValidationError(files.label(name), "(file)", [], "JSON Lines of Reddit submissions or comments (id, author, created_utc, link_id, parent_id)", 0)
    count_excluded(report, excluded, "line")
    report.add("author [deleted] or [removed] (kept as an unknown member)", state["deleted"], "kept", "author")
    members = pd.DataFrame({"member_id": sorted({m for m in b.cols["member_id"] if m})})
    members["is_host"] = members["member_id"].isin(hosts)
    return finish(b, members, hosts, "authors distinguished as moderator or admin", report, "reddit")


def _record(b: EventBuilder, rec: dict[str, Any], created: Any, hosts: set[str], state: dict[str, int]) -> None:
    author = as_id(rec.get("author")) or ""
    if author in _BOTS:
        raise _Bot
    if author in _DELETED:
        state["deleted"] += 1
        member = None
    else:
        member = author
        if rec.get("distinguished") in ("moderator", "admin"):
            hosts.add(author)
    channel = as_id(rec.get("subreddit"))
    rid = as_id(rec["id"])
    if rid is None:
        raise KeyError("id")
    if "link_id" in rec:
        eid = rid if rid.startswith("t1_") else f"t1_{rid}"
        link = as_id(rec["link_id"])
        parent = as_id(rec.get("parent_id")) or link
        b.add(eid, member, "reply", created, thread_id=link, parent_id=parent, channel=channel, text=rec.get("body"))
    else:
        eid = rid if rid.startswith("t3_") else f"t3_{rid}"
        text = f"{rec.get('title', '')}\n{rec.get('selftext', '')}" if b.include_text else None
        b.add(eid, member, "post", created, thread_id=eid, channel=channel, text=text)


class _Bot(Exception):
    """An AutoModerator record (excluded as a bot)."""


load_reddit = make_loader(read_reddit, "Reddit JSON Lines")
