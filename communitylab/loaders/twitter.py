"""Twitter/X API v2 tweets: search or timeline responses (``{"data": [...], "includes": {"users":
[...]}, "meta": ...}``) saved as JSON, a folder/zip of such pages, or JSON Lines of tweets or of
responses. Requested with ``tweet.fields=author_id,created_at,conversation_id,in_reply_to_user_id,
referenced_tweets``. (The Kaggle "Customer Support on Twitter" CSV has its own loader,
:mod:`communitylab.loaders.support_threads`.)

Mapping to the event-log contract:

- a tweet with ``referenced_tweets`` replied_to: a ``reply`` to that tweet, addressed to
  ``in_reply_to_user_id`` when the tweet is not in the export;
- a retweet (``referenced_tweets`` retweeted): a ``reaction`` to the retweeted tweet;
- any other tweet (quote tweets included): a ``post``;
- the thread: ``conversation_id`` (the root may be outside the export).

``created_at`` (``2024-05-01T10:00:00.000Z``) is UTC. A tweet without ``author_id`` is kept with
an unknown author (counted); without ``id`` or ``created_at`` it is damaged (counted, skipped).

Hosts: the accounts given in ``hosts``, as ids or ``@usernames`` (resolved through
``includes.users``). The API marks no account as the host: without ``hosts`` nobody is one and
the load report says so.
"""

from __future__ import annotations

import os
from collections import defaultdict
from typing import Any

import pandas as pd

from communitylab.community import HostRule
from communitylab.loaders._export import (
    EventBuilder,
    ExportFiles,
    RawExport,
    as_id,
    assign_threads,
    count_excluded,
    finish,
    iter_json_lines,
    make_loader,
    read_json,
    safe_record,
    split_hosts,
    utc_iso,
)
from communitylab.loaders._io import strip_compression
from communitylab.loaders.registry import Format, Sniff, register
from communitylab.schema import DataValidationError, LoadReport

__all__ = ["read_twitter", "load_twitter", "is_tweet", "is_twitter_document"]


def is_tweet(rec: Any) -> bool:
    """An API v2 tweet object (``id``, ``text`` and at least one v2 field)."""
    return isinstance(rec, dict) and "id" in rec and "text" in rec and bool({"author_id", "conversation_id", "referenced_tweets", "edit_history_tweet_ids"} & set(rec))


def is_twitter_document(doc: Any) -> bool:
    """An API v2 response whose ``data`` holds tweets."""
    return isinstance(doc, dict) and isinstance(doc.get("data"), list) and bool(doc["data"]) and is_tweet(doc["data"][0])


def read_twitter(path: str | os.PathLike, *, hosts: HostRule = None, include_text: bool = False) -> RawExport:
    """Read API v2 responses or tweets into raw events (see the module docstring).

    Raises
    ------
    DataValidationError
        A file that holds no API v2 tweets; invalid JSON.
    """
    files = ExportFiles(path)
    report = LoadReport(source=str(path))
    names = [n for n in files.names() if (files.path.is_file() and not files.is_zip) or strip_compression(n.lower()).endswith((".json", ".jsonl", ".ndjson"))]
    if not names:
        raise DataValidationError(str(path), "(file)", [], "Twitter API v2 responses saved as .json or .jsonl", 0)
    b = EventBuilder(include_text=include_text)
    excluded: dict[str, list[Any]] = defaultdict(list)
    usernames: dict[str, str] = {}
    state = {"no_author": 0}
    for name in names:
        if strip_compression(name.lower()).endswith(".json"):
            doc = read_json(files, name, "a Twitter API v2 response")
            if not (is_twitter_document(doc) or (isinstance(doc, list) and doc and is_tweet(doc[0]))):
                raise DataValidationError(files.label(name), "(file)", [], "a Twitter API v2 response: {\"data\": [tweets with id, text, author_id, created_at]}", 0)
            docs = [(f"{name}", doc)]
        else:
            docs = [(f"{name} line {n}", rec) for n, rec in iter_json_lines(files, name)]
        for where, doc in docs:
            tweets = [doc]
            if isinstance(doc, dict) and "data" in doc:
                includes = doc.get("includes")
                for u in (includes.get("users") if isinstance(includes, dict) else None) or []:
                    if isinstance(u, dict) and isinstance(u.get("id"), str | int) and isinstance(u.get("username"), str):
                        usernames[str(u["id"])] = u["username"]
                tweets = doc["data"] if isinstance(doc["data"], list) else [doc["data"]]
            elif isinstance(doc, list):
                tweets = doc
            for i, tw in enumerate(tweets):
                spot = f"{where} #{i}" if len(tweets) > 1 else where
                if not is_tweet(tw):
                    excluded["damaged record (not an API v2 tweet)"].append(spot)
                    continue
                safe_record(b, excluded, spot, lambda tw=tw, spot=spot: _tweet(b, tw, spot, excluded, state))
    count_excluded(report, excluded, "tweet")
    report.add("tweet without author_id (kept as an unknown member)", state["no_author"], "kept", "author_id")
    given = split_hosts(hosts) or []
    by_name = {v.lower(): k for k, v in usernames.items()}
    host_ids = {by_name.get(h.lstrip("@").lower(), h) for h in given}
    ids = sorted({m for m in b.cols["member_id"] if m})
    members = pd.DataFrame({"member_id": ids})
    rule = "the accounts given (ids or @usernames)" if given else "none: the API marks no host; pass hosts=['@brand']"
    raw = finish(b, members, host_ids, rule, report, "twitter")
    assign_threads(raw.events)
    return raw


def _tweet(b: EventBuilder, tw: dict[str, Any], where: str, excluded: dict[str, list[Any]], state: dict[str, int]) -> None:
    created = utc_iso(tw.get("created_at"))
    if created is None:
        excluded["damaged tweet (no readable created_at)"].append(where)
        return
    author = as_id(tw.get("author_id"))
    eid = as_id(tw["id"])
    if eid is None:
        raise KeyError("id")
    refs = {r.get("type"): as_id(r.get("id")) for r in tw.get("referenced_tweets") or [] if isinstance(r, dict)}
    conversation = as_id(tw.get("conversation_id"))
    if author is None:
        state["no_author"] += 1
    if refs.get("retweeted"):
        b.add(eid, author, "reaction", created, parent_id=refs["retweeted"], channel="twitter")  # thread: the retweeted tweet's
    elif refs.get("replied_to"):
        to = as_id(tw.get("in_reply_to_user_id"))
        b.add(eid, author, "reply", created, thread_id=conversation, parent_id=refs["replied_to"], to_member_id=to,
              channel="twitter", text=tw.get("text"))
    else:
        b.add(eid, author, "post", created, thread_id=conversation or eid, channel="twitter", text=tw.get("text"))


load_twitter = make_loader(read_twitter, "Twitter/X API v2 tweets", hosts_in_read=True)


def _is_twitter_json(f: Sniff) -> bool:
    """API v2 JSON by its keys (asked before the record tests)."""
    return f.json_keys("conversation_id") or f.json_keys("author_id", "text")


def _is_twitter_lines(f: Sniff) -> bool:
    """JSON Lines of tweets or of API responses (twarc2), by the first record (after Reddit's test)."""
    return is_tweet(f.first_record) or is_twitter_document(f.first_record)


register(
    Format("twitter", "Twitter/X API v2 JSON responses or JSON Lines of tweets",
              "tweet → post; replied_to → reply; retweet → reaction; thread = conversation_id",
              "given account ids or @usernames", load_twitter, order=80),
    entry=[(55, _is_twitter_json), (91, _is_twitter_lines)],
)
