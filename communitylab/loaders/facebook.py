"""Facebook page or group feeds as the Graph API returns them (``GET /{page-id}/feed?fields=
id,created_time,from,message,comments{id,from,created_time,message,comments},reactions``): one
JSON response (``{"data": [...], "paging": ...}``), a list of posts, or a folder/zip of pages.

Mapping to the event-log contract:

===================================  ===========================================================
Graph API                            event
===================================  ===========================================================
post (``data[]``)                    ``post``; id the post id (``<page id>_<post id>``)
comment (``comments.data[]``)        ``reply`` to the post
reply to a comment (nested           ``reply`` to the comment
``comments``)
reaction (``reactions.data[]``)      ``reaction`` to the post or comment, at its time (the API
                                     gives no reaction time)
===================================  ===========================================================

``created_time`` (``2024-05-01T10:00:00+0000``) is converted to UTC. Since 2018 the API omits
``from`` on comments by people who have not granted the app access: such comments are kept with
an unknown author and counted. Comments or reactions beyond the first page (``summary.total_count``
above what the file lists) are noted, not invented.

Hosts: the page (its id is the prefix of the post ids, and the author of page posts), unless
``hosts`` is given (for a group: its admins).
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
    make_loader,
    read_json,
    safe_record,
    utc_iso,
)
from communitylab.loaders.registry import Format, Sniff, register
from communitylab.schema import DataValidationError, LoadReport

__all__ = ["read_facebook", "load_facebook", "is_facebook_document"]


def _posts(doc: Any) -> list[Any] | None:
    if isinstance(doc, dict) and isinstance(doc.get("data"), list):
        return doc["data"]
    if isinstance(doc, list):
        return doc
    return None


def is_facebook_document(doc: Any) -> bool:
    """A Graph API feed page: posts with ``created_time`` and ``id`` (and ``from``/``comments``)."""
    posts = _posts(doc)
    return bool(posts) and isinstance(posts[0], dict) and "created_time" in posts[0] and "id" in posts[0]


def read_facebook(path: str | os.PathLike, *, include_text: bool = False) -> RawExport:
    """Read Graph API feed pages into raw events (see the module docstring).

    Raises
    ------
    DataValidationError
        A JSON file that is not a Graph API feed page; invalid JSON.
    """
    files = ExportFiles(path)
    report = LoadReport(source=str(path))
    names = files.json_names("Graph API responses saved as .json")
    b = EventBuilder(include_text=include_text)
    excluded: dict[str, list[Any]] = defaultdict(list)
    state = {"no_from": 0, "unlisted_comments": 0, "unlisted_reactions": 0}
    pages: set[str] = set()
    names_of: dict[str, str] = {}
    for name in names:
        doc = read_json(files, name, "a Graph API feed response")
        posts = _posts(doc)
        if posts is None or (posts and not is_facebook_document(doc)):
            raise DataValidationError(files.label(name), "(file)", [], "a Graph API feed response: {\"data\": [posts with id, created_time, from, comments]}", 0)
        for i, post in enumerate(posts):
            where = f"{name} post #{i}"
            safe_record(b, excluded, where, lambda post=post, where=where: _post(b, post, where, excluded, state, names_of, pages))
    count_excluded(report, excluded, "item")
    report.add("comment without 'from' (the API hides its author; kept as an unknown member)", state["no_from"], "kept", "from")
    if state["unlisted_comments"]:
        report.notes.append(f"{state['unlisted_comments']:,} comments are counted by the API but not in the files (further pages): not included")
    if state["unlisted_reactions"]:
        report.notes.append(f"{state['unlisted_reactions']:,} reactions are counted by the API but not listed: not included")
    report.notes.append("the Graph API gives no reaction time: a reaction is dated at what it reacts to")
    members_ids = sorted({m for m in b.cols["member_id"] if m})
    members = pd.DataFrame({"member_id": members_ids, "display_name": [names_of.get(m) for m in members_ids]})
    return finish(b, members, pages, "the page (the id before '_' in post ids)", report, "facebook")


def _post(b: EventBuilder, post: Any, where: str, excluded: dict[str, list[Any]], state: dict[str, int],
          names_of: dict[str, str], pages: set[str]) -> None:
    pid = as_id(post["id"])
    if pid is None:
        raise KeyError("id")
    if "_" in pid:
        pages.add(pid.split("_", 1)[0])
    _item(b, post, "post", pid, None, where, excluded, state, names_of)


def _item(b: EventBuilder, item: dict[str, Any], kind: str, eid: str, parent: str | None, where: str,
          excluded: dict[str, list[Any]], state: dict[str, int], names_of: dict[str, str], thread: str | None = None) -> None:
    created = utc_iso(item.get("created_time"))
    if created is None:
        excluded[f"damaged {kind} (no readable created_time)"].append(where)
        return
    who = item.get("from") if isinstance(item.get("from"), dict) else None
    author = as_id(who.get("id")) if who else None
    if author is None and kind == "reply":
        state["no_from"] += 1
    if who and who.get("name") and author:
        names_of.setdefault(author, who["name"])
    thread = thread or eid
    b.add(eid, author, kind, created, thread_id=thread, parent_id=parent, channel="facebook", text=item.get("message"))
    reactions = item.get("reactions") or {}
    listed = [r for r in reactions.get("data") or [] if isinstance(r, dict) and r.get("id")]
    total = ((reactions.get("summary") or {}).get("total_count")) or len(listed)
    state["unlisted_reactions"] += max(0, int(total) - len(listed))
    for r in listed:
        rid = as_id(r["id"])
        b.add(f"{eid}/reaction/{rid}", rid, "reaction", created, thread_id=thread, parent_id=eid, channel="facebook")
    comments = item.get("comments") or {}
    data = comments.get("data") or []
    total = ((comments.get("summary") or {}).get("total_count")) or len(data)
    state["unlisted_comments"] += max(0, int(total) - len(data))
    for j, c in enumerate(list(data)):
        spot = f"{where} comment #{j}"
        safe_record(b, excluded, spot, lambda c=c, spot=spot: _item(b, c, "reply", _required_id(c), eid, spot, excluded, state, names_of, thread))


def _required_id(item: Any) -> str:
    cid = as_id(item["id"])
    if cid is None:
        raise KeyError("id")
    return cid


load_facebook = make_loader(read_facebook, "Graph API feed pages")


def _is_facebook_json(f: Sniff) -> bool:
    return f.json_keys("created_time")


register(
    Format("facebook", "Facebook page or group feed, Graph API JSON (posts with comments{...} and reactions)",
              "post → post; comment → reply; comment on a comment → reply to it; reaction → reaction",
              "the page (id before '_' in post ids); for a group: given admins", load_facebook, order=70),
    entry=_is_facebook_json, priority=54,
)
