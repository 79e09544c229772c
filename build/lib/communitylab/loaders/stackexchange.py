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

import pandas as pd

from communitylab.community import Community, HostRule
from communitylab.engine import Engine
from communitylab.loaders._io import find_file, open_binary, reading, refuse_dtd
from communitylab.schema import DataValidationError, LoadReport

__all__ = ["iter_rows", "read_stackexchange", "load_stackexchange"]

REACTION_VOTES = {1: "accept", 2: "up", 3: "down", 5: "favourite"}


def iter_rows(path: str | os.PathLike) -> Iterator[dict[str, str]]:
    """Yield the attributes of each ``<row>`` of a dump file, one at a time.

    Raises
    ------
    DataValidationError
        The file declares a DTD (refused, see :func:`~communitylab.loaders._io.refuse_dtd`), is
        not well-formed XML (line and column named), or cannot be read (e.g. bad gzip).
    """
    refuse_dtd(path)
    with reading(path), open_binary(path) as fh:
        context = ET.iterparse(fh, events=("end",))
        try:
            for _, elem in context:
                if elem.tag == "row":
                    yield dict(elem.attrib)
                    elem.clear()
        except ET.ParseError as exc:
            line, col = exc.position
            raise DataValidationError(str(path), f"line {line}, column {col}", [], f"well-formed XML ({exc})", 0) from exc


def read_stackexchange(
    folder: str | os.PathLike,
    *,
    include_votes: bool = True,
    include_text: bool = False,
    channel: str | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame, LoadReport]:
    """Read a dump folder into raw events and members tables (not yet validated).

    Parameters
    ----------
    folder : path
        Folder holding ``Posts.xml``, ``Comments.xml``, ``Users.xml`` and (optionally)
        ``Votes.xml``, plain or ``.gz``.
    include_votes : bool
        Map votes to reactions.
    include_text : bool
        Keep post and comment bodies in ``text`` (personal data; off by default).
    channel : str, optional
        Value of the ``channel`` column; defaults to the folder name.

    Returns
    -------
    events, members : DataFrame
    report : LoadReport
        Counts of skipped post types, skipped vote types and rows read per table.
    """
    folder = Path(folder)
    channel = channel or folder.name
    report = LoadReport(source=str(folder))
    cols = {k: [] for k in ("event_id", "member_id", "kind", "created_at", "thread_id", "parent_id", "text")}

    def add(eid, member, kind, created, thread, parent, text=None):
        cols["event_id"].append(eid)
        cols["member_id"].append(member)
        cols["kind"].append(kind)
        cols["created_at"].append(created)
        cols["thread_id"].append(thread)
        cols["parent_id"].append(parent)
        cols["text"].append(text if include_text else None)

    thread_of: dict[str, str] = {}
    skipped_types: dict[str, int] = {}
    n_posts = 0
    for row in iter_rows(find_file(folder, "Posts.xml")):
        n_posts += 1
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
    for row in iter_rows(find_file(folder, "Comments.xml")):
        n_comments += 1
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
            vtype = int(row.get("VoteTypeId", -1))
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
        uid = row["Id"]
        members["member_id"].append(uid)
        members["joined_at"].append(row["CreationDate"])
        members["display_name"].append(row.get("DisplayName"))
        add(f"u{uid}", uid, "join", row["CreationDate"], None, None)

    report.rows_read = n_posts + n_comments + n_votes + n_users
    report.notes.append(
        f"read {n_posts:,} posts, {n_comments:,} comments, {n_votes:,} votes, {n_users:,} users"
    )
    events = pd.DataFrame(cols)
    events["channel"] = channel
    if not include_text:
        events = events.drop(columns="text")
    members_df = pd.DataFrame(members)
    members_df["is_host"] = False
    return events, members_df, report


def load_stackexchange(
    folder: str | os.PathLike,
    *,
    hosts: HostRule = None,
    name: str | None = None,
    include_votes: bool = True,
    include_text: bool = False,
    engine: Engine | None = None,
    now: pd.Timestamp | None = None,
) -> Community:
    """Load a Stack Exchange dump folder as a validated :class:`~communitylab.Community`.

    Stack Exchange has no brand host: pass ``hosts`` (ids, or a rule) to name a core team, e.g.
    moderators; by default nobody is a host. See :func:`read_stackexchange` for the mapping.
    """
    events, members, report = read_stackexchange(
        folder, include_votes=include_votes, include_text=include_text
    )
    return Community.from_frames(
        events, members, hosts=hosts, name=name or Path(folder).name, source=str(folder),
        engine=engine, now=now, report=report,
    )
