"""Slack workspace exports: the zip Slack's "Export data" writes, or its unzipped folder.

The export holds ``users.json``, ``channels.json`` (and ``groups.json`` for private channels in
some plans) and one folder per channel with a file per day, ``<channel>/<YYYY-MM-DD>.json``,
each a JSON array of messages (``type``, ``subtype``, ``user``, ``ts``, ``thread_ts``,
``reactions``, ``bot_id``, ``edited``, ...).

Mapping to the event-log contract:

=========================================  ====================================================
Slack                                      event
=========================================  ====================================================
top-level human message                    ``post`` (starts a thread); id ``<channel>/<ts>``
thread reply (``thread_ts`` ≠ ``ts``)      ``reply``; parent and thread: the thread's root
``thread_broadcast`` (reply also sent      ``reply``, as above
to the channel)
each user listed in a message's            one ``reaction`` to the message, at the message's
``reactions``                              time (Slack exports no reaction time)
``channel_join`` / ``channel_leave``       ``join`` / ``leave`` (one per channel)
bot messages (``bot_message``, bot users)  excluded, counted
other subtypes (``channel_topic``,         excluded, counted by subtype
``pinned_item``, ``tombstone``, ...)
=========================================  ====================================================

``ts`` is seconds since 1970, so every time is UTC whatever the workspace's time zone. The channel
folder's name is the ``channel``. A reply whose root is not in the export (deleted, or before the
export's range) is kept with its parent outside the data. An edited message keeps its original
time (counted). Reactions whose users the export does not list (``count`` above the listed
users) are noted, not invented.

Hosts: workspace admins and owners (``is_admin``, ``is_owner``, ``is_primary_owner`` in
``users.json``) unless ``hosts`` is given. ``users.json`` names (``real_name``, e-mail in
``profile``) are personal data: only ``display_name`` is kept, in the members table.
"""

from __future__ import annotations

import os
import re
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
    utc_epoch,
)
from communitylab.loaders.registry import Format, register
from communitylab.schema import DataValidationError, LoadReport

__all__ = ["read_slack", "load_slack", "is_slack_export"]

_DAY_FILE = re.compile(r"^(?P<channel>[^/]+(?:/[^/]+)*)/(?P<day>\d{4}-\d{2}-\d{2})\.json$")
_HUMAN_SUBTYPES = {None, "thread_broadcast", "file_share", "me_message", "reply_broadcast"}
_MEMBERSHIP = {"channel_join": "join", "channel_leave": "leave", "group_join": "join", "group_leave": "leave"}


def is_slack_export(files: ExportFiles) -> bool:
    """A Slack export has ``users.json`` and ``channels.json`` at its root."""
    return files.has("users.json") and files.has("channels.json")


def read_slack(path: str | os.PathLike, *, include_text: bool = False) -> RawExport:
    """Read a Slack export (zip or folder) into raw events, members and the admins as hosts.

    Raises
    ------
    DataValidationError
        ``users.json`` or ``channels.json`` missing; a file that is not valid JSON (named with
        the line and column where it breaks); ``users.json`` not a list of users.
    """
    files = ExportFiles(path)
    report = LoadReport(source=str(path))
    for needed in ("users.json", "channels.json"):
        if not files.has(needed):
            raise DataValidationError(
                files.label(needed), "(file)", [],
                f"a Slack export with users.json and channels.json at its root; found {files.names()[:8]}", 0,
            )
    users = read_json(files, "users.json", "a JSON array of users")
    if not isinstance(users, list):
        raise DataValidationError(files.label("users.json"), "(file)", [], "a JSON array of users", 0)
    bots, hosts, members = set(), set(), []
    b = EventBuilder(include_text=include_text)
    excluded: dict[str, list[Any]] = defaultdict(list)
    for i, u in enumerate(users):
        safe_record(b, excluded, f"users.json #{i}", lambda u=u: _user(u, bots, hosts, members))
    channels_doc = read_json(files, "channels.json", "a JSON array of channels")
    listed = {str(c.get("name")) for c in channels_doc if isinstance(c, dict)} if isinstance(channels_doc, list) else set()
    if files.has("groups.json"):
        groups = read_json(files, "groups.json", "a JSON array of private channels")
        listed |= {str(c.get("name")) for c in groups if isinstance(c, dict)} if isinstance(groups, list) else set()

    state = {"edited": 0, "unlisted": 0}
    unlisted_channels = set()
    day_files = [(m.group("channel"), n) for n in files.names() if (m := _DAY_FILE.match(n))]
    if not day_files:
        report.notes.append("the export holds no channel day files (<channel>/<YYYY-MM-DD>.json)")
    for channel, name in day_files:
        if channel not in listed:
            unlisted_channels.add(channel)
        day = read_json(files, name, "a JSON array of messages")
        if not isinstance(day, list):
            raise DataValidationError(files.label(name), "(file)", [], "a JSON array of messages", 0)
        for i, msg in enumerate(day):
            where = f"{name} #{i}"
            safe_record(b, excluded, where, lambda msg=msg, where=where, channel=channel: _message(b, msg, where, channel, bots, excluded, state))
    edited, unlisted_reactions = state["edited"], state["unlisted"]
    count_excluded(report, excluded, "message")
    report.add("edited message (kept at its original time)", edited, "kept", "edited")
    if unlisted_reactions:
        report.notes.append(f"{unlisted_reactions:,} reactions are counted by Slack but their users are not listed; not included")
    if unlisted_channels:
        report.notes.append(f"{len(unlisted_channels)} channel folder(s) not listed in channels.json were read too")
    report.notes.append("Slack exports no reaction time: a reaction is dated at the message it reacts to")
    members_df = pd.DataFrame(members, columns=["member_id", "display_name", "is_host"])
    return finish(b, members_df, hosts, "workspace admins and owners (users.json is_admin / is_owner)", report, "slack")


def _user(u: dict[str, Any], bots: set[str], hosts: set[str], members: list[dict[str, Any]]) -> None:
    uid = as_id(u["id"])
    if uid is None:
        raise KeyError("id")
    if u.get("is_bot") or uid == "USLACKBOT":
        bots.add(uid)
        return
    if u.get("is_admin") or u.get("is_owner") or u.get("is_primary_owner"):
        hosts.add(uid)
    profile = u.get("profile") or {}
    members.append({"member_id": uid, "display_name": profile.get("display_name") or u.get("name"), "is_host": uid in hosts})


def _message(b: EventBuilder, msg: dict[str, Any], where: str, channel: str, bots: set[str],
             excluded: dict[str, list[Any]], state: dict[str, int]) -> None:
    ts = utc_epoch(msg.get("ts"))
    if ts is None:
        excluded["damaged message (no readable ts)"].append(where)
        return
    subtype = msg.get("subtype")
    user = as_id(msg.get("user"))
    eid = f"{channel}/{msg['ts']}"
    if subtype in _MEMBERSHIP:
        b.add(eid, user, _MEMBERSHIP[subtype], ts, channel=channel)
        return
    if subtype == "bot_message" or user in bots or (msg.get("bot_id") and not user):
        excluded["bot message"].append(where)
        return
    if subtype not in _HUMAN_SUBTYPES:
        excluded[f"message subtype '{subtype}' is not a member's message"].append(where)
        return
    if msg.get("edited"):
        state["edited"] += 1
    thread_ts = msg.get("thread_ts")
    if thread_ts and thread_ts != msg["ts"]:
        root = f"{channel}/{thread_ts}"
        b.add(eid, user, "reply", ts, thread_id=root, parent_id=root, to_member_id=as_id(msg.get("parent_user_id")),
              channel=channel, text=msg.get("text"))
        thread = root
    else:
        b.add(eid, user, "post", ts, thread_id=eid, channel=channel, text=msg.get("text"))
        thread = eid
    for reaction in msg.get("reactions") or []:
        users = [as_id(u) for u in reaction.get("users") or []]
        listed_users = [u for u in users if u not in bots]
        excluded["reaction by a bot"] += [f"{where} {reaction.get('name')}"] * (len(users) - len(listed_users))
        once = list(dict.fromkeys(listed_users))  # a user listed twice on one reaction reacted once
        excluded["reaction user listed twice on one reaction (counted once)"] += [f"{where} {reaction.get('name')}"] * (len(listed_users) - len(once))
        listed_users = once
        state["unlisted"] += max(0, int(reaction.get("count") or 0) - len(users))
        for u in listed_users:
            b.add(f"{eid}/{reaction.get('name')}/{u}", u, "reaction", ts, thread_id=thread, parent_id=eid,
                  to_member_id=user, channel=channel)


load_slack = make_loader(read_slack, "a Slack workspace export (zip or folder)")


register(
    Format("slack", "Slack workspace export: the zip, or its folder (users.json, channels.json, <channel>/<day>.json)",
              "message → post; thread reply → reply to the root; reaction users → reactions; channel_join/leave → join/leave; bots and other subtypes excluded",
              "workspace admins and owners", load_slack, order=10),
    export=is_slack_export, priority=20,
)
