"""IRC channel logs: daily files of ``timestamp / nick / message`` blocks.

The log format of public IRC channel archives such as the ``#zig`` logs: one file per day
(``YYYY/MM-DD.txt``; a folder or zip of them, or one file), each message a block of three parts
separated by a blank line::

    1507466702
    pupp
    how to compile zig on windows with msys2+clang?

The timestamp is seconds since 1970 (UTC); a message may run over several lines.

Mapping to the event-log contract:

===========================================================  =====================================
IRC                                                          event
===========================================================  =====================================
a message that names a nick seen in the channel first        ``reply`` addressed to that nick
(``andrew: yes``, ``andrew, yes``, ``@andrew yes``)          (``to_member_id``), to that nick's
                                                             last message within the hour before
                                                             (``parent_id``) when there is one
any other message                                            ``post`` (starts a thread)
===========================================================  =====================================

IRC has no reply button: addressing a nick is how a channel answers, so this is the convention,
not a certainty (a message that starts with a word that is also somebody's nick counts as
addressed to them). Bots are excluded and counted: nicks given as ``bots``, and by default nicks
``GitHub<digits>`` and ending in ``bot``. A block without a numeric timestamp or a nick is damaged:
counted with its file and line and skipped. The channel is the folder's (or file's) name.

Hosts: the nicks given (channel operators are not in the logs); without ``hosts`` nobody is a host.
"""

from __future__ import annotations

import os
import re
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from communitylab.community import HostRule
from communitylab.loaders._export import (
    EventBuilder,
    ExportFiles,
    RawExport,
    count_excluded,
    finish,
    make_loader,
    split_hosts,
    utc_epoch,
)
from communitylab.loaders.registry import Format, Sniff, register
from communitylab.schema import DataValidationError, LoadReport

__all__ = ["read_chatlog", "load_chatlog", "looks_like_chatlog"]

_BOT = re.compile(r"^(GitHub\d*|.*bot)$", re.IGNORECASE)
_ADDRESSED = re.compile(r"^@?([^\s:,]+)[:,]?(?:\s|$)")
_REPLY_WINDOW = 3600.0  # seconds: a reply's parent is the addressee's last message within the hour


def looks_like_chatlog(head: bytes) -> bool:
    """A first block of a numeric timestamp line, a one-word nick line and a message line."""
    lines = head.lstrip(b"\r\n").splitlines()[:3]
    return (len(lines) >= 2 and lines[0].strip().isdigit() and 9 <= len(lines[0].strip()) <= 13
            and len(lines[1].split()) == 1)


def _blocks(fh) -> Iterator[tuple[int, list[str]]]:
    """``(line number of its first line, its lines)`` for each blank-line separated block."""
    block: list[str] = []
    start = 0
    for lineno, raw in enumerate(fh, start=1):
        line = raw.decode("utf-8", errors="replace").rstrip("\r\n")
        if line.strip():
            if not block:
                start = lineno
            block.append(line)
        elif block:
            yield start, block
            block = []
    if block:
        yield start, block


def read_chatlog(path: str | os.PathLike, *, hosts: HostRule = None, include_text: bool = False,
                 bots: list[str] | None = None) -> RawExport:
    """Read IRC log files (a file, or a folder or zip of daily files) into raw events.

    Raises
    ------
    DataValidationError
        No block with a numeric timestamp and a nick in any file.
    """
    files = ExportFiles(path)
    report = LoadReport(source=str(path))
    names = files.data_names()
    channel = Path(path).name.split(".")[0]
    given_bots = set(bots or [])
    b = EventBuilder(include_text=include_text)
    excluded: dict[str, list[Any]] = defaultdict(list)
    seen: set[str] = set()
    last: dict[str, tuple[float, str]] = {}
    for name in names:
        with files.open(name) as fh:
            for line, block in _blocks(fh):
                where = f"{name} line {line}"
                stamp = block[0].strip()
                created = utc_epoch(stamp) if stamp.isdigit() else None
                if created is None or len(block) < 2 or len(block[1].split()) != 1:
                    excluded["damaged block (no numeric timestamp and nick)"].append(where)
                    continue
                nick, text = block[1].strip(), "\n".join(block[2:])
                if nick in given_bots or (not bots and _BOT.match(nick)):
                    excluded["bot message (excluded)"].append(where)
                    continue
                eid = f"{name.rsplit('.', 1)[0]}:{line}"
                m = _ADDRESSED.match(text)
                to = m.group(1) if m and m.group(1) in seen and m.group(1) != nick else None
                seconds = float(stamp)
                if to:
                    before = last.get(to)
                    parent = before[1] if before and seconds - before[0] <= _REPLY_WINDOW else None
                    b.add(eid, nick, "reply", created, parent_id=parent, to_member_id=to, channel=channel, text=text)
                else:
                    b.add(eid, nick, "post", created, thread_id=eid, channel=channel, text=text)
                seen.add(nick)
                last[nick] = (seconds, eid)
    if not len(b):
        raise DataValidationError(str(path), "(messages)", [], "IRC log blocks: a timestamp line, a nick line, the message", 0)
    count_excluded(report, excluded, "message")
    given = split_hosts(hosts) or []
    rule = "the nicks given" if given else "none: IRC logs name no operators; pass hosts=[nick, ...]"
    raw = finish(b, None, [h for h in given if h in seen], rule, report, "chatlog")
    from communitylab.loaders._export import assign_threads

    assign_threads(raw.events)
    return raw


load_chatlog = make_loader(read_chatlog, "IRC channel logs (timestamp / nick / message blocks)", hosts_in_read=True)


def _is_chatlog(f: Sniff) -> bool:
    return f.suffix(".txt", ".tsv", ".edges") and looks_like_chatlog(f.head(4096))


register(
    Format("chatlog", "IRC channel logs: daily files of timestamp / nick / message blocks (a file, a folder of YYYY/MM-DD.txt, a zip)",
              "message naming a nick seen before (nick: ...) → reply addressed to it; other messages → post; bots excluded",
              "given nicks (none by default)", load_chatlog, order=110),
    entry=_is_chatlog, priority=30,
)
