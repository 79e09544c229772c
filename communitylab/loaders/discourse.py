"""Discourse forums: topic JSON as ``/t/{id}.json`` returns it (one file, or a folder/zip of them),
or a posts CSV from a backup or a Data Explorer query.

A topic file holds ``id``, ``title`` and ``post_stream.posts``; each post has ``id``,
``username``, ``created_at``, ``post_number``, ``reply_to_post_number``, ``post_type`` and the
author's ``admin`` / ``moderator`` / ``staff`` flags. A posts CSV needs ``topic_id``,
``post_number``, ``reply_to_post_number``, ``username``, ``created_at`` and may carry
``post_type``, ``deleted_at``, ``user_id``, ``admin``, ``moderator``, ``staff``.

Mapping to the event-log contract:

==============================================  ================================================
Discourse                                       event
==============================================  ================================================
post number 1 of a topic                        ``post``; thread: the topic; id ``<topic>#1``
any later post                                  ``reply`` to the post it names in
                                                ``reply_to_post_number``, else to post 1 (a reply
                                                to the topic)
small actions (closed, pinned, ...),            excluded, counted by type
moderator actions, whispers (staff only)
posts by the ``system`` user and bots           excluded, counted
(``user_id`` ≤ 0)
deleted posts (``deleted_at``)                  excluded, counted; replies to them keep a parent
                                                outside the data
==============================================  ================================================

Times are ISO 8601 with an offset (``…Z``) and converted to UTC. ``/t/{id}.json`` returns only
the first 20 posts of a long topic: posts listed in ``post_stream.stream`` but absent from the
file are noted. Members are identified by ``username``.

Hosts: staff (``admin``, ``moderator`` or ``staff`` true on any of their posts) unless ``hosts``
is given.
"""

from __future__ import annotations

import csv
import io
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
    document_shape,
    finish,
    make_loader,
    read_json,
    safe_record,
    utc_iso,
)
from communitylab.loaders.registry import Format, Sniff, register
from communitylab.schema import DataValidationError, LoadReport

__all__ = ["read_discourse", "load_discourse", "is_discourse_topic", "DISCOURSE_CSV_COLUMNS"]

DISCOURSE_CSV_COLUMNS = ("topic_id", "post_number", "reply_to_post_number", "username", "created_at")
_POST_TYPES = {"1": None, "2": "moderator action", "3": "small action (closed, pinned, ...)", "4": "whisper (visible to staff only)"}
_TRUE = {"true", "t", "1", "yes"}


def is_discourse_topic(doc: Any) -> bool:
    """A topic as ``/t/{id}.json`` returns it: an object with ``post_stream.posts``."""
    return isinstance(doc, dict) and isinstance(doc.get("post_stream"), dict) and "posts" in doc["post_stream"]


def read_discourse(path: str | os.PathLike, *, include_text: bool = False) -> RawExport:
    """Read topic JSON files or a posts CSV (see the module docstring).

    Raises
    ------
    DataValidationError
        A JSON file that is not a topic; a CSV without the needed columns; invalid JSON.
    """
    files = ExportFiles(path)
    report = LoadReport(source=str(path))
    b = EventBuilder(include_text=include_text)
    excluded: dict[str, list[Any]] = defaultdict(list)
    staff: set[str] = set()
    state = {"missing_from_stream": 0, "no_parent_number": 0}
    names = [n for n in files.names() if n.lower().endswith((".json", ".csv", ".csv.gz", ".json.gz"))]
    if not names:
        raise DataValidationError(str(path), "(file)", [], "Discourse topic JSON files or a posts CSV", 0)
    for name in names:
        if ".csv" in name.lower():
            records = _csv_posts(files, name)
        else:
            doc = read_json(files, name, "a Discourse topic (/t/{id}.json)")
            if not is_discourse_topic(doc):
                raise DataValidationError(files.label(name), "(file)", [], "a Discourse topic with post_stream.posts (as /t/{id}.json returns it)", 0)
            with document_shape(files.label(name), "a Discourse topic with post_stream.posts (a list of posts)"):
                posts = list(doc["post_stream"].get("posts") or [])
                stream = doc["post_stream"].get("stream") or []
                state["missing_from_stream"] += max(0, len(stream) - len(posts)) if isinstance(stream, list) else 0
            records = ((f"{name} post #{i}", {**p, "topic_id": p.get("topic_id", doc.get("id"))} if isinstance(p, dict) else p)
                       for i, p in enumerate(posts))
        for where, post in records:
            safe_record(b, excluded, where, lambda post=post, where=where: _add_post(b, post, where, excluded, staff, state))
    count_excluded(report, excluded, "post")
    report.add("reply without reply_to_post_number (a reply to the topic's first post)", state["no_parent_number"], "repaired", "reply_to_post_number")
    if state["missing_from_stream"]:
        report.notes.append(
            f"{state['missing_from_stream']:,} posts are listed in post_stream.stream but not in the files "
            "(/t/{id}.json returns 20 posts a page): fetch /t/{id}/posts.json?post_ids[]=... to include them"
        )
    members = pd.DataFrame({"member_id": sorted({m for m in b.cols["member_id"] if m})})
    members["is_host"] = members["member_id"].isin(staff)
    return finish(b, members, staff, "staff: admin, moderator or staff flag on their posts", report, "discourse")


def _flag(value: Any) -> bool:
    return value is True or str(value).strip().lower() in _TRUE


def _add_post(b: EventBuilder, post: dict[str, Any], where: str, excluded: dict[str, list[Any]], staff: set[str], state: dict[str, int]) -> None:
    try:
        topic, number = str(post["topic_id"]).strip(), int(str(post["post_number"]).strip())
    except (KeyError, TypeError, ValueError):
        excluded["damaged post (no topic_id or post_number)"].append(where)
        return
    created = utc_iso(str(post.get("created_at") or ""))
    if created is None:
        excluded["damaged post (no readable created_at)"].append(where)
        return
    ptype = str(post.get("post_type", "1") or "1").strip()
    if _POST_TYPES.get(ptype, "unknown post type"):
        excluded[f"post type {ptype}: {_POST_TYPES.get(ptype, 'unknown post type')}"].append(where)
        return
    if str(post.get("deleted_at") or "").strip():
        excluded["deleted post"].append(where)
        return
    user_id = str(post.get("user_id", "") or "").strip()
    username = as_id(post.get("username"))
    if username == "system" or (user_id.lstrip("-").isdigit() and int(user_id) <= 0):
        excluded["post by the system user or a bot (user_id <= 0)"].append(where)
        return
    if username and any(_flag(post.get(f)) for f in ("admin", "moderator", "staff")):
        staff.add(username)
    eid = f"{topic}#{number}"
    if number == 1:
        b.add(eid, username, "post", created, thread_id=eid, channel="forum", text=post.get("raw") or post.get("cooked"))
        return
    parent_number = str(post.get("reply_to_post_number") or "").strip()
    if not parent_number or parent_number in ("0", "None", "null"):
        state["no_parent_number"] += 1
        parent_number = "1"
    b.add(eid, username, "reply", created, thread_id=f"{topic}#1", parent_id=f"{topic}#{int(float(parent_number))}",
          channel="forum", text=post.get("raw") or post.get("cooked"))


def _csv_posts(files: ExportFiles, name: str):
    with files.open(name) as raw:
        text = io.TextIOWrapper(raw, encoding="utf-8-sig", newline="")
        reader = csv.DictReader(text)
        header = reader.fieldnames or []
        missing = [c for c in DISCOURSE_CSV_COLUMNS if c not in header]
        if missing:
            raise DataValidationError(files.label(name), "(columns)", [], f"a Discourse posts CSV with {list(DISCOURSE_CSV_COLUMNS)}; missing {missing}, found {header}", 0)
        for rec in reader:
            where = f"line {reader.line_num}"
            if None in rec or any(v is None for v in rec.values()):  # wrong number of fields
                yield where, {}
                continue
            yield where, rec


load_discourse = make_loader(read_discourse, "Discourse topics or a posts CSV")


def _is_discourse(f: Sniff) -> bool:
    """A topic's JSON (``post_stream``) or a posts CSV (``topic_id, post_number``)."""
    if f.suffix(".csv"):
        return {"topic_id", "post_number"} <= f.csv_header
    return f.json_keys("post_stream")


register(
    Format("discourse", "Discourse topic JSON (/t/{id}.json, one or a folder) or a posts CSV (topic_id, post_number, reply_to_post_number, username, created_at)",
              "first post → post; later posts → reply to reply_to_post_number (else to the first); small actions, whispers, system posts excluded",
              "staff (admin / moderator)", load_discourse, order=30),
    entry=_is_discourse, priority=51,
)
