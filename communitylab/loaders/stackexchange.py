"""Stack Exchange data dumps (``Posts.xml``, ``Comments.xml``, ``Users.xml``, ``Votes.xml``).

Mapping to the event-log contract:

=================================  ==========================================================
dump record                        event
=================================  ==========================================================
question (``PostTypeId=1``)        ``post``; thread = the question
answer (``PostTypeId=2``)          ``reply`` to the question
comment                            ``reply`` to the commented post (question or answer)
vote: accept, up, down, favourite  ``reaction`` to the post (voter unknown except favourites)
user account created               ``join``; also a row of the members table
=================================  ==========================================================

Tag wikis and other post types, and moderation votes (spam, deletion, review, ...) are not
community conversation: they are skipped and counted in the load report. Files are parsed
incrementally with :func:`xml.etree.ElementTree.iterparse` (each ``<row>`` is freed after use), so
a multi-GB dump is read without holding its XML in memory. Event ids are prefixed by table
(``p123`` post, ``c45`` comment, ``v6`` vote, ``u7`` join) because the dump's ids are per table.
"""

from __future__ import annotations

import os
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

import defusedxml.ElementTree as DET
import pandas as pd
from defusedxml import DefusedXmlException

from communitylab.loaders._export import EventBuilder, ExportFiles, RawExport, make_loader
from communitylab.loaders._io import find_file, open_binary, reading
from communitylab.loaders.registry import Format, register
from communitylab.schema import DataValidationError, LoadReport

__all__ = ["iter_rows", "read_stackexchange", "load_stackexchange"]

#: The host rule of a dump, in words
HOST_RULE = "none: Stack Exchange has no brand host (give hosts, e.g. moderators)"

REACTION_VOTES = {1: "accept", 2: "up", 3: "down", 5: "favourite"}


def iter_rows(path: str | os.PathLike) -> Iterator[dict[str, str]]:
    """Yield the attributes of each ``<row>`` of a dump file, one at a time.

    The file is parsed by :mod:`defusedxml` with entity declarations and external references
    forbidden, wherever they stand in the file: they are how entity-expansion ("billion laughs")
    and external-entity attacks get in, and dumps never declare one. A bare document type line
    (``<!DOCTYPE posts SYSTEM 'posts.dtd'>``, as older dumps have) is read past; its DTD is never
    fetched.

    Raises
    ------
    DataValidationError
        The file declares an entity (its line named), is not well-formed XML (line and column named),
        or cannot be read (e.g. bad gzip).
    """
    with reading(path), open_binary(path) as fh:
        context = DET.iterparse(fh, events=("end",), forbid_dtd=False, forbid_entities=True, forbid_external=True)
        try:
            for _, elem in context:
                if elem.tag == "row":
                    yield dict(elem.attrib)
                    elem.clear()
        except ET.ParseError as exc:
            line, col = exc.position
            raise DataValidationError(str(path), f"line {line}, column {col}", [], f"well-formed XML ({exc})", 0) from exc
        except DefusedXmlException as exc:
            raise DataValidationError(str(path), f"line {_line_of(path, b'<!DOCTYPE')}", [],
                                      f"an XML dump without entity declarations (refused: dumps never have one; {type(exc).__name__})", 0) from exc


def _line_of(path: str | os.PathLike, needle: bytes) -> int:
    """The line on which ``needle`` first stands (streamed; 0 when absent)."""
    line, tail = 1, b""
    with open_binary(path) as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            block = tail + chunk
            at = block.upper().find(needle)
            if at >= 0:
                return line + block[:at].count(b"\n") - tail.count(b"\n")
            line += chunk.count(b"\n")
            tail = block[-len(needle):]
    return 0


def read_stackexchange(
    folder: str | os.PathLike,
    *,
    include_votes: bool = True,
    include_text: bool = False,
    channel: str | None = None,
) -> RawExport:
    """Read a dump folder into raw events and members tables (not yet validated).

    Parameters
    ----------
    folder : path
        Folder holding ``Posts.xml`` and ``Users.xml`` and, when the dump has them, ``Comments.xml``
        and ``Votes.xml``, plain or ``.gz`` (a dump without comments is read and says so).
    include_votes : bool
        Map votes to reactions.
    include_text : bool
        Keep post and comment bodies in ``text`` (personal data; off by default).
    channel : str, optional
        Value of the ``channel`` column; defaults to the folder name.

    Returns
    -------
    RawExport
        Events, members (nobody a host: Stack Exchange has no brand host), and the load report
        with the counts of skipped post types, skipped vote types and rows read per table.
    """
    folder = Path(folder)
    channel = channel or folder.name
    report = LoadReport(source=str(folder))
    built = EventBuilder(include_text=include_text)

    def add(eid, member, kind, created, thread, parent, text=None):
        built.add(eid, member, kind, created, thread_id=thread, parent_id=parent, channel=channel, text=text)

    thread_of: dict[str, str] = {}
    skipped_types: dict[str, int] = {}
    damaged: dict[str, list[str]] = {}

    def complete(row: dict[str, str], table: str, *keys: str) -> bool:
        """A row holding every attribute the mapping needs; otherwise counted as damaged."""
        missing = [k for k in keys if not (row.get(k) or "").strip()]
        if missing:
            damaged.setdefault(f"{table}: row without {', '.join(missing)} (damaged, skipped)", []).append(row.get("Id") or "?")
        return not missing

    n_posts = 0
    for row in iter_rows(find_file(folder, "Posts.xml")):
        n_posts += 1
        if not complete(row, "Posts.xml", "Id", "CreationDate"):
            continue
        ptype, pid = row.get("PostTypeId"), row["Id"]
        if ptype == "1":
            thread_of[pid] = pid
            add(f"p{pid}", row.get("OwnerUserId"), "post", row["CreationDate"], f"p{pid}", None, row.get("Body"))
        elif ptype == "2":
            parent = row.get("ParentId")
            thread_of[pid] = parent
            add(f"p{pid}", row.get("OwnerUserId"), "reply", row["CreationDate"], f"p{parent}", f"p{parent}", row.get("Body"))
        else:
            skipped_types[ptype] = skipped_types.get(ptype, 0) + 1
    for ptype, n in sorted(skipped_types.items()):
        report.add(f"Posts.xml: PostTypeId={ptype} is not a question or answer (skipped)", n, "excluded", "PostTypeId")

    n_comments = 0
    comments_path = find_file(folder, "Comments.xml", required=False)
    if comments_path is None:
        report.notes.append("no Comments.xml in the dump: answers are the only replies (comments cannot be counted)")
    for row in iter_rows(comments_path) if comments_path else ():
        n_comments += 1
        if not complete(row, "Comments.xml", "Id", "PostId", "CreationDate"):
            continue
        post = row["PostId"]
        thread = thread_of.get(post)
        add(
            f"c{row['Id']}", row.get("UserId"), "reply", row["CreationDate"],
            f"p{thread}" if thread else None, f"p{post}", row.get("Text"),
        )

    n_votes = 0
    if include_votes and (votes_path := find_file(folder, "Votes.xml", required=False)):
        skipped_votes: dict[str, int] = {}
        for row in iter_rows(votes_path):
            n_votes += 1
            if not complete(row, "Votes.xml", "Id", "PostId", "CreationDate", "VoteTypeId"):
                continue
            if not row["VoteTypeId"].strip().isdigit():
                damaged.setdefault("Votes.xml: VoteTypeId not a whole number (damaged, skipped)", []).append(row["Id"])
                continue
            vtype = int(row["VoteTypeId"])
            if vtype not in REACTION_VOTES:
                skipped_votes[str(vtype)] = skipped_votes.get(str(vtype), 0) + 1
                continue
            post = row["PostId"]
            thread = thread_of.get(post)
            add(
                f"v{row['Id']}", row.get("UserId"), "reaction", row["CreationDate"],
                f"p{thread}" if thread else None, f"p{post}",
            )
        for vtype, n in sorted(skipped_votes.items()):
            report.add(f"Votes.xml: VoteTypeId={vtype} is moderation, not a reaction (skipped)", n, "excluded", "VoteTypeId")
        report.notes.append("Stack Exchange votes are anonymous: reactions have no author except favourites.")

    members = {k: [] for k in ("member_id", "joined_at", "display_name")}
    n_users = 0
    for row in iter_rows(find_file(folder, "Users.xml")):
        n_users += 1
        if not complete(row, "Users.xml", "Id", "CreationDate"):
            continue
        uid = row["Id"]
        members["member_id"].append(uid)
        members["joined_at"].append(row["CreationDate"])
        members["display_name"].append(row.get("DisplayName"))
        add(f"u{uid}", uid, "join", row["CreationDate"], None, None)

    for rule, ids in sorted(damaged.items()):
        report.add(rule, len(ids), "excluded", "", [f"Id {i}" for i in ids])
    report.rows_read = n_posts + n_comments + n_votes + n_users
    report.notes.append(
        f"read {n_posts:,} posts, {n_comments:,} comments, {n_votes:,} votes, {n_users:,} users"
    )
    events = built.frame()
    members_df = pd.DataFrame(members)
    members_df["is_host"] = False
    report.notes.append(f"host rule: {HOST_RULE}")
    return RawExport(events, members_df, frozenset(), HOST_RULE, report, "stackexchange")


load_stackexchange = make_loader(read_stackexchange, "a Stack Exchange dump folder (Posts.xml, Users.xml, and Comments.xml, "
                                 "Votes.xml when present)", name_of=lambda p: p.name)


def _is_stackexchange(files: ExportFiles) -> bool:
    return any(n.split("/")[-1].startswith("Posts.xml") for n in files.names())


register(
    Format("stackexchange", "Stack Exchange data dump folder (Posts.xml, Comments.xml, Users.xml, Votes.xml; .gz too)",
              "question → post; answer, comment → reply; votes → reactions; account → join",
              "given ids (none by default)", load_stackexchange, order=100),
    export=_is_stackexchange, priority=10,
)
