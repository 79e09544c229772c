"""Point it at your export: which format a path holds, and one entry point that loads any of them.

``load_source(path)`` sniffs the format (a zip or folder with ``users.json`` and
``channels.json`` is Slack, a file starting with ``From `` is mail, ...), or takes ``format=``
when the guess is wrong, and calls the platform's connector. :data:`FORMATS` lists every format
with what it reads, what it maps to and its host rule (the README's "Your own data" table).
"""

from __future__ import annotations

import inspect
import json
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import pandas as pd

from communitylab import locations
from communitylab.community import Community, HostRule
from communitylab.engine import Engine
from communitylab.errors import ParameterError
from communitylab.loaders._export import ExportFiles, is_documentation
from communitylab.loaders._io import strip_compression
from communitylab.loaders.slack import is_slack_export
from communitylab.schema import DataValidationError

__all__ = ["FORMATS", "Format", "sniff_format", "load_source", "describe_formats"]


@dataclass(frozen=True)
class Format:
    name: str
    reads: str
    maps: str
    host_rule: str
    loader: str  # "module:function" in communitylab.loaders


FORMATS: dict[str, Format] = {
    f.name: f
    for f in (
        Format("slack", "Slack workspace export: the zip, or its folder (users.json, channels.json, <channel>/<day>.json)",
               "message → post; thread reply → reply to the root; reaction users → reactions; channel_join/leave → join/leave; bots and other subtypes excluded",
               "workspace admins and owners", "slack:load_slack"),
        Format("discord", "DiscordChatExporter JSON (a channel file, or a folder of them)",
               "message → post; reply (reference) → reply; reaction users → reactions; member join → join; bots excluded",
               "given ids, user names or role names", "discord:load_discord"),
        Format("discourse", "Discourse topic JSON (/t/{id}.json, one or a folder) or a posts CSV (topic_id, post_number, reply_to_post_number, username, created_at)",
               "first post → post; later posts → reply to reply_to_post_number (else to the first); small actions, whispers, system posts excluded",
               "staff (admin / moderator)", "discourse:load_discourse"),
        Format("mbox", "Mailing-list archive (.mbox, .mbox.gz, or a folder of them)",
               "message without In-Reply-To/References → post; else reply to In-Reply-To (or the last Reference); members by address",
               "given addresses or domains (@project.org)", "mbox:load_mbox"),
        Format("github", "GitHub REST issues / comments / review comments and GraphQL discussions (JSON pages, one or a folder)",
               "issue, pull request, discussion → post; comment → reply; bots excluded",
               "author_association OWNER, MEMBER, COLLABORATOR", "github:load_github"),
        Format("reddit", "Reddit submissions and comments, Pushshift / Arctic Shift JSON Lines (.jsonl, .ndjson, .gz)",
               "submission → post; comment → reply to parent_id (t1_/t3_); [deleted] → unknown member; AutoModerator excluded",
               "authors distinguished as moderator or admin", "reddit:load_reddit"),
        Format("facebook", "Facebook page or group feed, Graph API JSON (posts with comments{...} and reactions)",
               "post → post; comment → reply; comment on a comment → reply to it; reaction → reaction",
               "the page (id before '_' in post ids); for a group: given admins", "facebook:load_facebook"),
        Format("twitter", "Twitter/X API v2 JSON responses or JSON Lines of tweets",
               "tweet → post; replied_to → reply; retweet → reaction; thread = conversation_id",
               "given account ids or @usernames", "twitter:load_twitter"),
        Format("twcs", "Customer Support on Twitter CSV (tweet_id, author_id, inbound, created_at, in_response_to_tweet_id)",
               "tweet without a parent → post; with one → reply", "brand accounts (inbound = False)", "support_threads:load_support_threads"),
        Format("stackexchange", "Stack Exchange data dump folder (Posts.xml, Comments.xml, Users.xml, Votes.xml; .gz too)",
               "question → post; answer, comment → reply; votes → reactions; account → join",
               "given ids (none by default)", "stackexchange:load_stackexchange"),
        Format("chatlog", "IRC channel logs: daily files of timestamp / nick / message blocks (a file, a folder of YYYY/MM-DD.txt, a zip)",
               "message naming a nick seen before (nick: ...) → reply addressed to it; other messages → post; bots excluded",
               "given nicks (none by default)", "chatlog:load_chatlog"),
        Format("edgelist", "SNAP / KONECT edge list (src dst [weight] time; .txt, .tsv, .edges)",
               "each line → a reply from src addressed to dst", "given ids (none by default)", "edgelist:load_edgelist"),
        Format("events", "Any CSV / Parquet / JSON Lines table, mapped with columns={contract column: your column}",
               "one row → one event (kind values mapped with kinds={...})", "given ids, or the members table's is_host", "csv:load_events"),
        Format("store", "A partitioned Parquet store written by write_store (queried without loading)",
               "already in the contract", "given ids", "store:open_store"),
        Format("community", "A source file (community.yml): several sources of one community, with an identity table",
               "each source by its own format; channel = the source's name", "each source's own rule", "source_file:load_source_file"),
    )
}

_MAPPING_HELP = (
    "Name the format with format=... (-p format NAME in a study), or map a table's columns: "
    "format='events', columns={'event_id': 'id', 'member_id': 'author', 'kind': 'type', 'created_at': 'time', "
    "'parent_id': 'reply_to'} (-p columns \"{member_id: author, created_at: time}\")."
)


def describe_formats() -> pd.DataFrame:
    """``format, reads, maps to, host rule``: one row per format ``load_source`` understands."""
    return pd.DataFrame(
        [{"format": f.name, "reads": f.reads, "maps to": f.maps, "host rule": f.host_rule} for f in FORMATS.values()]
    )


def _loader(fmt: str) -> Callable[..., Community]:
    import importlib

    module, func = FORMATS[fmt].loader.split(":")
    return getattr(importlib.import_module(f"communitylab.loaders.{module}"), func)


def _head(files: ExportFiles, name: str, size: int = 65536) -> bytes:
    try:
        with files.open(name) as fh:
            return fh.read(size)
    except (OSError, EOFError) as exc:
        raise DataValidationError(files.label(name), "(file)", [], f"a readable file ({type(exc).__name__}: {exc})", 0) from exc


def _edge_line(line: bytes) -> bool:
    """A SNAP / KONECT edge-list line: ``src dst [weight] [time]``, or a ``%``/``#`` comment."""
    parts = line.split()
    return not parts or parts[0][:1] in (b"%", b"#") or 2 <= len(parts) <= 4


def _sniff_entry(files: ExportFiles, name: str) -> str | None:
    """The format of one file, from its name and first bytes; None when unknown."""
    low = name.lower()
    bare = strip_compression(low)
    if bare.endswith((".yml", ".yaml")):
        return "community"
    if bare.endswith((".mbox", ".mbx")):
        return "mbox"
    if bare.endswith((".txt", ".tsv", ".edges")):
        head = _head(files, name, 4096)
        if head.lstrip(b"\r\n").startswith(b"From "):
            return "mbox"
        from communitylab.loaders.chatlog import looks_like_chatlog

        if looks_like_chatlog(head):
            return "chatlog"
        lines = head.splitlines()[:20]
        return "edgelist" if lines and all(_edge_line(x) for x in lines[:-1] or lines) else None
    if bare.endswith(".parquet"):
        return "events"
    head = _head(files, name)
    if head.lstrip(b"\r\n").startswith(b"From "):
        return "mbox"
    text = head.decode("utf-8-sig", errors="replace")
    if bare.endswith(".csv"):
        lines = head.splitlines()[:20]
        if lines and all(_edge_line(x.replace(b",", b" ")) and all(f.strip().lstrip(b"-").isdigit() for f in x.split(b","))
                         for x in lines[:-1] or lines):
            return "edgelist"  # a headerless numeric src,dst[,weight],time file (SNAP's signed networks)
        header = {c.strip().strip('"') for c in text.splitlines()[0].split(",")} if text else set()
        if {"tweet_id", "inbound"} <= header:
            return "twcs"
        if {"topic_id", "post_number"} <= header:
            return "discourse"
        return "events"
    if bare.endswith((".jsonl", ".ndjson")):
        return _record_format(_first_record(files, name))
    if bare.endswith(".json"):
        compact = "".join(text.split())
        if '"guild":' in compact and '"messages":' in compact:
            return "discord"
        if '"post_stream":' in compact:
            return "discourse"
        if '"discussions":' in compact or ('"author_association":' in compact and ('"number":' in compact or '"issue_url":' in compact or '"pull_request_url":' in compact)):
            return "github"
        if '"created_time":' in compact:
            return "facebook"
        if '"conversation_id":' in compact or ('"author_id":' in compact and '"text":' in compact):
            return "twitter"
        return _record_format(_first_record(files, name))  # JSON Lines named .json (Pushshift dumps)
    if "." not in bare.rsplit("/", 1)[-1] and head.lstrip().startswith(b"{"):
        return _record_format(_first_record(files, name))  # a decompressed RC_2024-02: no extension at all
    return None


#: The longest first line the sniffer reads to classify a JSON Lines file (twarc2 writes one API
#: response per line, often well over 64 KB)
FIRST_LINE_LIMIT = 64 << 20


def _first_record(files: ExportFiles, name: str) -> Any:
    """The first non-blank line of a JSON Lines entry, parsed, however long it is (up to
    :data:`FIRST_LINE_LIMIT`); None when it is not JSON."""
    try:
        with files.open(name) as fh:
            for _ in range(100):
                line = fh.readline(FIRST_LINE_LIMIT)
                if not line:
                    return None
                if line.strip():
                    return json.loads(line)
    except (ValueError, RecursionError, OSError, EOFError):
        return None
    return None


def _record_format(rec: Any) -> str | None:
    """The format one JSON record belongs to: a Reddit submission or comment, a tweet or an API
    response holding tweets, or a row already in the contract."""
    from communitylab.loaders.reddit import is_reddit_record
    from communitylab.loaders.twitter import is_tweet, is_twitter_document

    if is_reddit_record(rec):
        return "reddit"
    if is_tweet(rec) or is_twitter_document(rec):
        return "twitter"
    if isinstance(rec, dict) and {"event_id", "kind"} <= set(rec):
        return "events"
    return None


def sniff_format(path: str | os.PathLike) -> str:
    """The format name of an export (see :data:`FORMATS`).

    Raises
    ------
    FileNotFoundError
        The path does not exist.
    DataValidationError
        The format is not recognized (the message lists the formats and how to map columns), or
        a folder mixes formats.
    """
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f"no such file or folder: {path}")
    files = ExportFiles(path)
    names = files.names()
    if path.is_dir() or files.is_zip:
        if any(n.split("/")[-1].startswith("Posts.xml") for n in names):
            return "stackexchange"
        if is_slack_export(files):
            return "slack"
        if path.is_dir() and any(n.endswith(".parquet") for n in names):
            return "store"
        found: dict[str, list[str]] = {}
        unknown: list[str] = []
        for n in names:
            if is_documentation(n):
                continue
            fmt = _sniff_entry(files, n)
            (found.setdefault(fmt, []) if fmt else unknown).append(n)
        if len(found) > 1:
            detail = "; ".join(f"{fmt}: {', '.join(v[:3])}" for fmt, v in sorted(found.items()))
            raise DataValidationError(files.label(""), "(files)", [], f"one export format in a folder; this one mixes {detail}. Give each its own source (community.yml)", 0)
        if found:
            return next(iter(found))
        raise DataValidationError(str(path), "(format)", [], f"a known export; none of its files was recognized ({', '.join(unknown[:5])}). Formats: {', '.join(FORMATS)}. {_MAPPING_HELP}", 0)
    fmt = _sniff_entry(files, names[0])
    if fmt is None:
        raise DataValidationError(str(path), "(format)", [], f"a known export format; this file was not recognized. Formats: {', '.join(FORMATS)}. {_MAPPING_HELP}", 0)
    return fmt


def load_source(
    path: str | os.PathLike,
    format: str | None = None,
    *,
    hosts: HostRule = None,
    name: str | None = None,
    columns: Mapping[str, str] | None = None,
    kinds: Mapping[str, str] | None = None,
    start: str | pd.Timestamp | None = None,
    end: str | pd.Timestamp | None = None,
    include_text: bool = False,
    engine: Engine | None = None,
    now: pd.Timestamp | None = None,
) -> Community:
    """Load any supported export as a :class:`~communitylab.Community`.

    Parameters
    ----------
    path : path
        A file, folder or zip (see :data:`FORMATS`), or a store's URI (``file://``, ``hdfs://``,
        ``s3a://``), which only the ``store`` format reads.
    format : str, optional
        One of :data:`FORMATS`; sniffed when None, ``""`` or ``"auto"``.
    hosts : list of str, optional
        Replaces the platform's host rule (ids; Discord also takes role names, mail domains
        like ``"@project.org"``, Twitter ``"@usernames"``).
    columns, kinds : mapping, optional
        For ``format="events"``: ``{contract column: your column}`` and ``{your value: kind}``.
    start, end : date, optional
        Keep events with ``start <= created_at < end`` (UTC); what is left out is noted.
    include_text : bool
        Keep message texts (personal data; off by default).
    """
    if locations.is_uri(path):
        fmt = format if format and format != "auto" else "store"
        if fmt != "store":
            raise ParameterError(f"{path}: only a Parquet store is read from a URI, not format {fmt!r}; copy the export here to load it")
    else:
        path = Path(path)
        fmt = format if format and format != "auto" else sniff_format(path)
    if fmt not in FORMATS:
        raise ParameterError(f"unknown format {fmt!r}; formats: {', '.join(FORMATS)}")
    loader = _loader(fmt)
    accepted = inspect.signature(loader).parameters
    if (columns or kinds) and "columns" not in accepted:
        raise ParameterError(f"columns/kinds map a generic table (format 'events'); {fmt!r} has its own mapping")
    offered = {"hosts": hosts, "name": name, "include_text": include_text, "engine": engine, "now": now, "columns": columns, "kinds": kinds}
    kwargs = {k: v for k, v in offered.items() if k in accepted}
    community = loader(path, **kwargs)
    if not community.format:
        community.format = fmt
    if not community.host_rule:
        community.host_rule = "given by the user" if hosts else FORMATS[fmt].host_rule
    return window(community, start, end)


def window(community: Community, start: Any = None, end: Any = None) -> Community:
    """The community within ``[start, end)`` with what was left out noted in its load report."""
    if not start and not end:
        return community
    before = community.report.rows_loaded
    out = community.window(start or None, end or None)
    kept = len(out.frame) if out.frame is not None else int(out.execute(out.events.count()))
    report = replace(out.report, issues=list(out.report.issues), notes=list(out.report.notes))
    report.notes.append(f"time window {start or 'start'} to {end or 'end'} (UTC): {before - kept:,} events outside it left out of this study")
    return replace(out, report=report)
