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
import shutil
import tempfile
from collections import defaultdict
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from communitylab.errors import InputTooLarge
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
from communitylab.loaders._io import open_binary, strip_compression
from communitylab.loaders.registry import Format, Sniff, register
from communitylab.schema import SHOW_ROWS, DataValidationError, LoadReport

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
    if not include_text and files.path.is_file() and not files.is_zip:
        fast = _read_fast(files.path, report)
        if fast is not None:
            return fast
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
    return finish(b, members, hosts, _HOST_RULE, report, "reddit")


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
    if rec.get("link_id") is not None:  # a comment (an explicit null link_id is no thread: a submission)
        eid = rid if rid.startswith("t1_") else f"t1_{rid}"
        link = as_id(rec["link_id"])
        parent = as_id(rec.get("parent_id")) or link
        b.add(eid, member, "reply", created, thread_id=link, parent_id=parent, channel=channel, text=rec.get("body"))
    else:
        eid = rid if rid.startswith("t3_") else f"t3_{rid}"
        text = f"{rec.get('title', '')}\n{rec.get('selftext', '')}" if b.include_text else None
        b.add(eid, member, "post", created, thread_id=eid, channel=channel, text=text)


_ID_COLUMNS = ("id", "author", "subreddit", "link_id", "parent_id")
_HOST_RULE = "authors distinguished as moderator or admin"


def _fast_query(path: Path) -> str:
    """The careful reader's mapping in SQL over the needed columns only; ``ok`` is false for a record
    the careful reader would judge otherwise (a missing or mistyped field), which sends the file
    back to it."""
    spec = ", ".join([f"{c}: 'JSON'" for c in _ID_COLUMNS] + ["created_utc: 'JSON'", "distinguished: 'VARCHAR'", "num_comments: 'JSON'"])
    typed = " AND ".join(f"(json_type({c}) IS NULL OR json_type({c}) IN ('VARCHAR', 'BIGINT', 'UBIGINT'))" for c in _ID_COLUMNS)
    ok = (f"{typed} AND trim(json_extract_string(id, '$')) <> '' AND (json_type(created_utc) IN ('BIGINT', 'UBIGINT') "
          "OR (json_type(created_utc) = 'DOUBLE' AND regexp_full_match(json_extract_string(created_utc, '$'), '-?[0-9]{1,12}(\\.0+)?')) "
          "OR (json_type(created_utc) = 'VARCHAR' AND regexp_full_match(trim(json_extract_string(created_utc, '$')), '-?[0-9]{1,12}'))) "
          "AND (link_id IS NOT NULL OR subreddit IS NOT NULL OR num_comments IS NOT NULL)")
    ids = ", ".join(f"NULLIF(trim(json_extract_string({c}, '$')), '') AS {c}" for c in _ID_COLUMNS)
    deleted = ", ".join("'" + d + "'" for d in sorted(_DELETED))
    bots = ", ".join("'" + b + "'" for b in sorted(_BOTS))
    literal = "'" + str(path).replace("'", "''") + "'"
    return f"""
        WITH raw AS (
            SELECT {ids}, link_id IS NOT NULL AS comment, {ok} AS ok, distinguished IN ('moderator', 'admin') AS distinguished,
                   TRY_CAST(split_part(trim(json_extract_string(created_utc, '$')), '.', 1) AS BIGINT) AS seconds
            FROM read_json({literal}, format = 'newline_delimited', columns = {{{spec}}})
        ), mapped AS (
            SELECT *, CASE WHEN comment THEN (CASE WHEN starts_with(id, 't1_') THEN id ELSE 't1_' || id END)
                           ELSE (CASE WHEN starts_with(id, 't3_') THEN id ELSE 't3_' || id END) END AS event_id,
                   coalesce(author, '') IN ({bots}) AS bot,
                   coalesce(author, '') IN ({deleted}) AS deleted
            FROM raw
        )
        SELECT event_id, CASE WHEN deleted THEN NULL ELSE author END AS member_id,
               CASE WHEN comment THEN 'reply' ELSE 'post' END AS kind, seconds,
               CASE WHEN comment THEN link_id ELSE event_id END AS thread_id,
               CASE WHEN comment THEN coalesce(parent_id, link_id) END AS parent_id,
               subreddit AS channel, bot, deleted, distinguished AND NOT deleted AS host, ok
        FROM mapped"""


def _line_numbers(path: Path, rows: list[int]) -> list[int] | None:
    """The file's line numbers of the given record rows (DuckDB skips blank lines, as the careful
    reader does; the line numbers count them): read from the head only as far as the last row."""
    if not rows:
        return []
    wanted, out, record = set(rows), [], -1
    with open(path, "rb") as fh:
        for lineno, line in enumerate(fh, start=1):
            if line.strip():
                record += 1
                if record in wanted:
                    out.append(lineno)
                    if len(out) == len(rows):
                        return out
    return None


def _read_fast(path: Path, report: LoadReport) -> RawExport | None:
    """A JSON Lines file read by DuckDB, only the columns the mapping needs, mapped column by
    column: the same events, hosts and counts as the careful line-by-line reader. None (the caller
    then reads line by line, counting each damaged line) when any line is not a clean record:
    invalid JSON, a missing or mistyped id or time, a time with a fraction, a line too long for
    DuckDB; or a compressed file that cannot be decompressed whole.

    A ``.gz`` or ``.zst`` dump is first decompressed to a temporary file by the same bounded
    reader the careful path uses (Pushshift's long zstd windows included; past the expansion limit,
    :class:`~communitylab.errors.InputTooLarge`), then read as a plain one."""
    if strip_compression(path.name) == path.name:
        return _read_plain(path, report, label=path.name)
    with tempfile.TemporaryDirectory(prefix="communitylab-reddit-") as tmp:
        plain = Path(tmp) / strip_compression(path.name)
        try:
            with open_binary(path) as src, open(plain, "wb") as dst:
                shutil.copyfileobj(src, dst, 1 << 20)
        except InputTooLarge:
            raise
        except Exception:  # noqa: BLE001 - a damaged stream or a full disk: the careful reader names it
            return None
        return _read_plain(plain, report, label=path.name)


def _read_plain(path: Path, report: LoadReport, *, label: str) -> RawExport | None:
    """:func:`_read_fast` on an uncompressed file; ``label`` names it in the load report."""
    import duckdb

    try:
        with duckdb.connect() as con:  # its own connection: file order kept
            frame = con.sql(_fast_query(path)).arrow().read_all().to_pandas()
    except (duckdb.Error, OSError):
        return None
    if frame.empty or not frame["ok"].all():
        return None
    if not frame["seconds"].between(-62135596800, 253402300799).all():  # years 1 to 9999, as utc_epoch keeps them
        return None
    bot = frame["bot"].to_numpy(bool)
    kept = frame[~bot]
    events = kept[["event_id", "member_id", "kind", "thread_id", "parent_id", "channel"]].astype("string").reset_index(drop=True)
    events.insert(3, "created_at", pd.to_datetime(kept["seconds"].to_numpy("int64"), unit="s", utc=True))
    events.insert(6, "to_member_id", pd.Series(pd.NA, index=events.index, dtype="string"))
    hosts = set(kept.loc[kept["host"].fillna(False).astype(bool), "member_id"])
    deleted = int(kept["deleted"].sum())
    bots = np.flatnonzero(bot)
    shown = _line_numbers(path, bots[:SHOW_ROWS].tolist())
    if shown is None:
        return None
    report.add("bot account (AutoModerator)", len(bots), "excluded", "line", [f"{label} line {n}" for n in shown])
    report.add("author [deleted] or [removed] (kept as an unknown member)", deleted, "kept", "author")
    members = pd.DataFrame({"member_id": np.sort(events["member_id"].dropna().unique().to_numpy(str))})
    members["is_host"] = members["member_id"].isin(hosts)
    report.notes.append("read by DuckDB (every line a clean record)")
    return finish(events, members, hosts, _HOST_RULE, report, "reddit")


class _Bot(Exception):
    """An AutoModerator record (excluded as a bot)."""


load_reddit = make_loader(read_reddit, "Reddit JSON Lines")


def _is_reddit_lines(f: Sniff) -> bool:
    return is_reddit_record(f.first_record)


register(
    Format("reddit", "Reddit submissions and comments, Pushshift / Arctic Shift JSON Lines (.jsonl, .ndjson, .json or none; .gz, .zst)",
              "submission → post; comment → reply to parent_id (t1_/t3_); [deleted] → unknown member; AutoModerator excluded",
              "authors distinguished as moderator or admin", load_reddit, order=60),
    entry=_is_reddit_lines, priority=90,
)
