"""Discord channels as DiscordChatExporter writes them in JSON (one file per channel, or a folder).

Each file holds ``guild``, ``channel`` and ``messages``; a message has ``id``, ``type``
(``Default``, ``Reply``, ``GuildMemberJoin``, ``ChannelPinnedMessage``, ``ThreadCreated``, ...),
``timestamp`` (ISO 8601 with the exporting machine's offset), ``author`` (``id``, ``name``,
``nickname``, ``isBot``, ``roles``), ``reactions`` (``emoji``, ``count``, ``users``) and, for a
reply, ``reference.messageId``.

Mapping to the event-log contract:

=====================================  ==========================================================
Discord                                event
=====================================  ==========================================================
``Default`` message                    ``post`` (a thread of its own unless replied to)
``Reply`` (``reference.messageId``)    ``reply`` to the referenced message; thread: the root of
                                       its reply chain
each user in a message's reactions     one ``reaction`` to it, at the message's time (the export
                                       has no reaction time)
``GuildMemberJoin``                    ``join``
bot authors (``isBot``)                excluded, counted
other message types (pins, thread      excluded, counted by type
notices, calls, ...)
=====================================  ==========================================================

A reference of type ``Forward`` is a forwarded message, not a reply: it becomes a ``post``. A
``Reply`` whose reference is missing is taken as a post (counted). The "Deleted User" account
(discriminator ``0000``) is an unknown member. Times are converted to UTC from their offsets.

Hosts: the ``hosts`` given, matched against author ids, user names and role names (e.g.
``["Moderator", "Admin"]``). Discord has no built-in host rule; without ``hosts`` nobody is a
host and the load report says so.
"""

from __future__ import annotations

import os
from collections import defaultdict
from pathlib import Path
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
    document_shape,
    finish,
    make_loader,
    read_json,
    safe_record,
    split_hosts,
    utc_iso,
)
from communitylab.loaders.registry import Format, Sniff, register
from communitylab.schema import DataValidationError, LoadReport

__all__ = ["read_discord", "load_discord", "is_discord_document"]

_MESSAGE_TYPES = {"Default", "Reply"}


def is_discord_document(doc: Any) -> bool:
    """DiscordChatExporter's JSON: an object with ``guild``, ``channel`` and ``messages``."""
    return isinstance(doc, dict) and {"guild", "channel", "messages"} <= set(doc)


def read_discord(path: str | os.PathLike, *, hosts: HostRule = None, include_text: bool = False) -> RawExport:
    """Read one exported channel (a ``.json`` file) or a folder/zip of them.

    Raises
    ------
    DataValidationError
        No JSON file; a file that is not valid JSON; a JSON file that is not a
        DiscordChatExporter channel (mixed formats in one folder are refused, not skipped).
    """
    files = ExportFiles(path)
    report = LoadReport(source=str(path))
    names = [n for n in files.names() if n.lower().endswith(".json")]
    if not names:
        raise DataValidationError(str(path), "(file)", [], "DiscordChatExporter JSON files (.json)", 0)
    wanted = split_hosts(hosts)
    wanted_lower = {h.lower() for h in wanted or []}
    b = EventBuilder(include_text=include_text)
    excluded: dict[str, list[Any]] = defaultdict(list)
    members: dict[str, dict[str, Any]] = {}
    host_ids: set[str] = set()
    state = {"deleted": 0, "no_reference": 0, "unlisted": 0}
    for name in names:
        doc = read_json(files, name, "a DiscordChatExporter channel export")
        if not is_discord_document(doc) or not isinstance(doc.get("messages"), list):
            raise DataValidationError(files.label(name), "(file)", [], "a DiscordChatExporter channel export with guild, channel and messages", 0)
        with document_shape(files.label(name), "a DiscordChatExporter channel export"):
            channel = str((doc.get("channel") or {}).get("name") or Path(name).stem)
        for i, msg in enumerate(doc["messages"]):
            where = f"{name} #{i}"
            safe_record(b, excluded, where, lambda msg=msg, where=where, channel=channel: _message(
                b, msg, where, channel, excluded, members, wanted_lower, host_ids, state))
    deleted, no_reference, unlisted = state["deleted"], state["no_reference"], state["unlisted"]
    count_excluded(report, excluded, "message")
    report.add("author is Discord's 'Deleted User' (kept as an unknown member)", deleted, "kept", "author")
    report.add("Reply without a reference (taken as a post)", no_reference, "repaired", "reference")
    if unlisted:
        report.notes.append(f"{unlisted:,} reactions are counted by Discord but their users are not listed; not included")
    report.notes.append("the export has no reaction time: a reaction is dated at the message it reacts to")
    raw = finish(b, pd.DataFrame(list(members.values()), columns=["member_id", "display_name"]), host_ids,
                 "the hosts given (author ids, user names or role names)" if wanted else "none: Discord has no host rule; pass hosts=[role names or ids]",
                 report, "discord")
    assign_threads(raw.events)
    return raw


def _message(b: EventBuilder, msg: dict[str, Any], where: str, channel: str, excluded: dict[str, list[Any]],
             members: dict[str, dict[str, Any]], wanted_lower: set[str], host_ids: set[str], state: dict[str, int]) -> None:
    eid = as_id(msg["id"])
    if eid is None:
        raise KeyError("id")
    created = utc_iso(msg.get("timestamp"))
    if created is None:
        excluded["damaged message (no readable timestamp)"].append(where)
        return
    author = msg.get("author") or {}
    if author.get("isBot"):
        excluded["bot message"].append(where)
        return
    member = _member(author)
    if member is None:
        state["deleted"] += 1
    else:
        roles = [str(r.get("name")) for r in author.get("roles") or [] if isinstance(r, dict)]
        members.setdefault(member, {"member_id": member, "display_name": author.get("nickname") or author.get("name")})
        if wanted_lower and ({member.lower(), str(author.get("name", "")).lower()} | {r.lower() for r in roles}) & wanted_lower:
            host_ids.add(member)
    mtype = msg.get("type")
    if mtype == "GuildMemberJoin":
        b.add(eid, member, "join", created, channel=channel)
        return
    if mtype not in _MESSAGE_TYPES:
        excluded[f"message type '{mtype}' is not a member's message"].append(where)
        return
    ref = msg.get("reference") or {}
    parent = as_id(ref.get("messageId")) if ref.get("type", "Default") != "Forward" else None
    if parent:
        b.add(eid, member, "reply", created, parent_id=parent, channel=channel, text=msg.get("content"))
    else:
        if mtype == "Reply":
            state["no_reference"] += 1
        b.add(eid, member, "post", created, thread_id=eid, channel=channel, text=msg.get("content"))
    for reaction in msg.get("reactions") or []:
        listed = reaction.get("users") or []
        users = [u for u in listed if isinstance(u, dict) and not u.get("isBot")]
        state["unlisted"] += max(0, int(reaction.get("count") or 0) - len(listed))
        emoji = (reaction.get("emoji") or {}).get("name", "")
        for u in users:
            b.add(f"{eid}/{emoji}/{as_id(u.get('id'))}", _member(u), "reaction", created, parent_id=eid, to_member_id=member, channel=channel)


def _member(user: dict[str, Any]) -> str | None:
    if not user or user.get("id") is None:
        return None
    if user.get("name") == "Deleted User" and str(user.get("discriminator", "")) == "0000":
        return None
    return as_id(user["id"])


load_discord = make_loader(read_discord, "DiscordChatExporter JSON (a file or a folder)", hosts_in_read=True)


def _is_discord_json(f: Sniff) -> bool:
    return f.json_keys("guild", "messages")


register(
    Format("discord", "DiscordChatExporter JSON (a channel file, or a folder of them)",
              "message → post; reply (reference) → reply; reaction users → reactions; member join → join; bots excluded",
              "given ids, user names or role names", load_discord, order=20),
    entry=_is_discord_json, priority=52,
)
