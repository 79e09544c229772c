"""Mailing-list archives in mbox format: one file (``.gz`` too), or a folder or zip of them.

A folder may hold ``.mbox`` files or, as pipermail and mailman publish their archives, one
``YYYY-Month.txt`` (or ``.txt.gz``) per month; a ``.txt`` file is read when it starts like an mbox,
and anything else in the folder (a README) is named in the load report, not read. Monthly files
are one list: their channel is the folder's name, not the month.

The archive is read as a stream, one message at a time: a message starts at a line beginning with
a "From " line (at the start of the file or after a blank line), so a multi-GB archive never sits in
memory. Only headers are parsed unless ``include_text``.

Mapping to the event-log contract:

=====================================================  =========================================
mail                                                   event
=====================================================  =========================================
message without ``In-Reply-To`` and ``References``     ``post`` (starts a thread)
message with them                                      ``reply`` to the ``In-Reply-To`` message,
                                                       or to the last of ``References``
thread                                                 the root of the reply chain; a chain whose
                                                       root is not in the archive shares that
                                                       root's id
=====================================================  =========================================

Members are their normalized ``From`` address (lower case; ``alice at example.org`` as list
archives obfuscate it is read as ``alice@example.org``). An address is personal data: reports
show members under pseudonyms and e-mail addresses are redacted. The event id is the
``Message-ID`` without angle brackets; a message without one gets an id derived from its headers
(counted). ``Date`` is converted to UTC from its offset; a date without offset is taken as UTC
(counted). A message without a readable ``From`` or ``Date`` is damaged: counted and skipped.

Hosts: the ``hosts`` given, as addresses (``alice@project.org``) or whole domains
(``@project.org``). A mailing list has no built-in host rule; without ``hosts`` nobody is a host.
"""

from __future__ import annotations

import email
import email.parser
import email.policy
import email.utils
import hashlib
import os
import re
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd

from communitylab.community import HostRule
from communitylab.loaders._export import (
    EventBuilder,
    ExportFiles,
    RawExport,
    assign_threads,
    count_excluded,
    finish,
    make_loader,
    safe_record,
    split_hosts,
)
from communitylab.loaders.registry import Format, Sniff, register
from communitylab.schema import DataValidationError, LoadReport
from communitylab.timestamps import utc_datetime

__all__ = ["read_mbox", "load_mbox", "normalize_address", "looks_like_mbox"]

_MSGID = re.compile(r"<([^<>\s]+)>")
#: "alice at example.org" as pipermail obfuscates an address; localized lists write the word in their
#: language ("svn en mail.berlios.de" on a Spanish list)
_OBFUSCATED = re.compile(r"^\s*([^\s@]+)\s+(?:at|en|chez|bei|em|presso|op|på|ved|w|a)\s+([^\s@]+\.[^\s@]+)\s*$", re.IGNORECASE)
#: A four-digit year in a Date header (before the time of day): "31 Dec 0001 00:00" is year 1
_YEAR = re.compile(r"(?<!\d)(\d{4})(?!\d)(?=\s+\d{1,2}:\d{2})")
_parser = email.parser.BytesHeaderParser(policy=email.policy.compat32)
#: pipermail / mailman monthly archives: 2004-August.txt.gz, 2004-08.mbox, 2004-Week-of-Mon-20040802.txt
_MONTHLY = re.compile(r"^\d{4}-(January|February|March|April|May|June|July|August|September|October|November|December|"
                      r"\d{2}|Week-of-Mon-\d{8}|q[1-4])(\.|$)", re.IGNORECASE)
_MBOX_NAMES = (".mbox", ".mbox.gz", ".mbx")
_FROM_LINE = re.compile(rb"^From \S.*\d{1,2}:\d{2}.*\b\d{4}\b")


def looks_like_mbox(head: bytes) -> bool:
    """An mbox begins with a "From " separator line."""
    return head.lstrip(b"\r\n").startswith(b"From ")


def normalize_address(value: str | None) -> str | None:
    """The bare, lower-case address of a ``From`` header (None when there is none)."""
    return _name_and_address(value)[1]


def _name_and_address(value: str | None) -> tuple[str, str | None]:
    """The display name and the bare, lower-case address of a ``From`` header, parsed once."""
    if not value:
        return "", None
    name, addr = email.utils.parseaddr(str(value))
    if not addr or "@" not in addr:
        m = _OBFUSCATED.match(addr or "") or _OBFUSCATED.match(str(value).split("(")[0])
        if not m:
            return name, None
        addr = f"{m.group(1)}@{m.group(2)}"
    return name, addr.strip().lower()


#: Bytes of a message kept beyond its headers when its text is not wanted: what an id derived from
#: the message (no Message-ID) hashes
PREFIX_BYTES = 4096


def _split_messages(fh, *, bodies: bool = True) -> Iterator[tuple[int, bytes]]:
    """``(line number of the From line, raw message bytes)`` for each message of an mbox stream;
    without ``bodies``, each message's headers and, when it has no Message-ID to take its id from,
    at most its first :data:`PREFIX_BYTES` bytes (the header parser then never reads the rest).

    A separator is a "From " line after a blank line that carries a time and a year
    (``From alice at example.org  Thu Aug 19 18:02:18 2004``): pipermail leaves body lines such as
    "From there, you can ..." unescaped, and they must not cut a message in two.
    """
    buf: list[bytes] = []
    start, lineno, prev_blank, size, in_body, has_id = 0, 0, True, 0, False, False
    keep = False  # whether the current message's lines are kept (once False, it stays so until the next message)
    for line in fh:
        lineno += 1
        if prev_blank and line.startswith(b"From ") and (lineno == 1 or _FROM_LINE.match(line)):
            if buf:
                yield start, b"".join(buf)
            buf, start, size, in_body, has_id, keep = [], lineno, 0, False, False, True
            prev_blank = False
            continue
        blank = line.isspace()  # as strip() == b"" for a line read from a file, without a copy
        if keep:
            kept = line[1:] if line.startswith(b">From ") else line
            buf.append(kept)
            size += len(kept)
            # a Message-ID on its header line: no id will be derived from the body, which is then not kept
            if not in_body and not has_id and line[:11].lower() == b"message-id:":
                has_id = bool(_ids(line[11:].decode("ascii", "replace")))
            in_body = in_body or blank
            keep = bodies or not in_body or (not has_id and size < PREFIX_BYTES)
        prev_blank = blank
    if buf or start:
        yield start, b"".join(buf)


def _mbox_entries(files: ExportFiles) -> tuple[list[str], list[str]]:
    """The entries read as mbox (named ``.mbox`` or starting with a "From " line) and those
    skipped (anything else in a folder or zip)."""
    if files.path.is_file() and not files.is_zip:
        return files.names(), []
    names, skipped = [], []
    for n in files.names():
        low, base = n.lower(), n.split("/")[-1]
        if base.startswith("."):
            continue
        if low.endswith(_MBOX_NAMES):
            names.append(n)
            continue
        try:
            with files.open(n) as fh:
                head = fh.read(64)
        except (OSError, EOFError, DataValidationError):
            head = b""
        (names if looks_like_mbox(head) else skipped).append(n)
    return names, skipped


def _ids(header: str | None) -> list[str]:
    return _MSGID.findall(str(header)) if header else []


def read_mbox(path: str | os.PathLike, *, hosts: HostRule = None, include_text: bool = False) -> RawExport:
    """Read an mbox archive (or a folder of them) into raw events (see the module docstring).

    Raises
    ------
    DataValidationError
        A file that does not start like an mbox (a "From " line), or an archive in which no
        message has readable headers.
    """
    files = ExportFiles(path)
    report = LoadReport(source=str(path))
    names, skipped = _mbox_entries(files)
    if not names:
        raise DataValidationError(str(path), "(file)", [], "mbox files (.mbox, or pipermail months YYYY-Month.txt[.gz])"
                                  + (f"; found only {', '.join(skipped[:5])}" if skipped else ""), 0)
    if skipped:
        report.notes.append(f"{len(skipped)} file(s) in the archive are not mail and were not read: {', '.join(skipped[:5])}")
    list_name = files.path.name.split(".")[0]
    given = split_hosts(hosts) or []
    host_addresses = {h.strip().lower() for h in given if not h.startswith("@")}
    host_domains = {h.strip().lower() for h in given if h.startswith("@")}
    b = EventBuilder(include_text=include_text)
    excluded: dict[str, list[Any]] = defaultdict(list)
    counts = {"derived_id": 0, "naive_date": 0}
    display: dict[str, str] = {}
    for name in names:
        with files.open(name) as fh:
            try:
                head = fh.peek(64)[:64] if hasattr(fh, "peek") else b""
            except (OSError, EOFError) as exc:
                raise DataValidationError(files.label(name), "(file)", [], f"a readable mbox file ({exc})", 0) from exc
            if head and not looks_like_mbox(head):
                raise DataValidationError(files.label(name), "line 1", [], "an mbox archive: a first line starting with 'From '", 0)
            base = Path(name).name
            channel = list_name if _MONTHLY.match(base) else base.split(".")[0]
            try:
                for line, raw in _split_messages(fh, bodies=include_text):
                    where = f"{name} line {line}"
                    safe_record(b, excluded, where, lambda raw=raw, where=where, channel=channel: _add_message(
                        b, raw, where, channel, excluded, counts, display, include_text))
            except (OSError, EOFError) as exc:
                raise DataValidationError(files.label(name), "(file)", [], f"a readable mbox file ({exc})", 0) from exc
    if not len(b):
        raise DataValidationError(str(path), "(messages)", [], f"at least one message with readable From and Date headers; damaged: {sum(map(len, excluded.values()))}", 0)
    count_excluded(report, excluded, "headers")
    report.add("no Message-ID (an id was derived from the headers)", counts["derived_id"], "repaired", "Message-ID")
    report.add("Date without a time zone (taken as UTC)", counts["naive_date"], "repaired", "Date")
    authors = sorted({m for m in b.cols["member_id"] if m})
    found = {a for a in authors if a in host_addresses or any(a.endswith(d) for d in host_domains)}
    members = pd.DataFrame({"member_id": authors, "display_name": [display.get(a) for a in authors]})
    rule = (f"the addresses and domains given ({', '.join(sorted(host_domains)) or 'addresses only'})" if given
            else "none: a mailing list has no host rule; pass hosts=['@project.org'] or addresses")
    raw_export = finish(b, members, found, rule, report, "mbox")
    assign_threads(raw_export.events)
    return raw_export


def _header_part(raw: bytes) -> bytes:
    """A message's bytes up to the blank line that ends its headers (all of it when there is none):
    the header parser reads the same headers without walking the body."""
    if raw.startswith((b"\n", b"\r\n")):
        return raw[:0]
    ends = [i + keep for i, keep in ((raw.find(b"\n\n"), 1), (raw.find(b"\r\n\r\n"), 2), (raw.find(b"\n\r\n"), 1)) if i >= 0]
    return raw[: min(ends)] if ends else raw


def _add_message(b: EventBuilder, raw: bytes, where: str, channel: str, excluded: dict[str, list[Any]],
                 counts: dict[str, int], display: dict[str, str], include_text: bool) -> None:
    try:
        msg = _parser.parsebytes(_header_part(raw))
    except Exception:  # the email package raises assorted errors on garbage
        excluded["damaged message (headers cannot be parsed)"].append(where)
        return
    name, author = _name_and_address(msg.get("From"))
    if author is None:
        excluded["damaged message (no readable From address)"].append(where)
        return
    header = str(msg.get("Date", ""))
    try:
        date = email.utils.parsedate_to_datetime(header)
    except (TypeError, ValueError, IndexError, OverflowError):
        date = None
    if date is None:
        excluded["damaged message (no readable Date)"].append(where)
        return
    year = _YEAR.search(header)
    if year and int(year.group(1)) != date.year:  # "0001" is year 1, not the 2001 of a two-digit year
        excluded["Date outside the representable range"].append(where)
        return
    if date.tzinfo is None:
        counts["naive_date"] += 1
    created = utc_datetime(date)
    if created is None:  # "31 Dec 9999 23:59:59 -2359" is year 10000 in UTC
        excluded["Date outside the representable range"].append(where)
        return
    own = _ids(msg.get("Message-ID"))
    if own:
        eid = own[0]
    else:
        counts["derived_id"] += 1
        eid = "derived-" + hashlib.sha256(raw[:4096]).hexdigest()[:16]
    if name:
        display.setdefault(author, name)
    parent = (_ids(msg.get("In-Reply-To")) or _ids(msg.get("References"))[-1:] or [None])[0]
    text = None
    if include_text:
        full = email.message_from_bytes(raw, policy=email.policy.default)
        part = full.get_body(preferencelist=("plain",)) if hasattr(full, "get_body") else None
        text = part.get_content() if part is not None else None
    if parent and parent != eid:
        b.add(eid, author, "reply", created, parent_id=parent, channel=channel, text=text)
    else:
        b.add(eid, author, "post", created, thread_id=eid, channel=channel, text=text)


load_mbox = make_loader(read_mbox, "an mbox archive (or a folder of them)", hosts_in_read=True)


def _is_mbox(f: Sniff) -> bool:
    """An ``.mbox`` by name, or any file (tables and source files aside) starting with ``From ``."""
    if f.suffix(".mbox", ".mbx"):
        return True
    return not f.suffix(".parquet", ".yml", ".yaml") and f.starts_with(b"From ", 4096 if f.suffix(".txt", ".tsv", ".edges") else 65536)


register(
    Format("mbox", "Mailing-list archive (.mbox, .mbox.gz, or a folder of them)",
              "message without In-Reply-To/References → post; else reply to In-Reply-To (or the last Reference); members by address",
              "given addresses or domains (@project.org)", load_mbox, order=40),
    entry=_is_mbox, priority=20,
)
