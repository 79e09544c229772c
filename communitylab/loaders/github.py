"""GitHub issues, pull requests and discussions as the REST and GraphQL APIs return them.

Give one JSON file or a folder (or zip) of API pages, e.g. ``issues.json`` (``GET
/repos/{owner}/{repo}/issues?state=all``), ``comments.json`` (``GET .../issues/comments``),
``pulls_comments.json`` (``GET .../pulls/comments``) and ``discussions.json`` (a GraphQL
``repository { discussions { nodes { ... comments { nodes { ... replies { nodes } } } } } }``
response). Each file is recognised by its content, not its name, so ``issues-page-2.json`` works.

Mapping to the event-log contract:

=============================================  ================================================
GitHub                                         event
=============================================  ================================================
issue or pull request                          ``post``; id ``issue/<number>``
issue comment (``issue_url``)                  ``reply`` to its issue
review comment (``pull_request_url``)          ``reply`` to the review comment it answers
                                               (``in_reply_to_id``), else to the pull request
discussion                                     ``post``; id ``discussion/<number>``
discussion comment / reply                     ``reply`` to the discussion / to the comment
bot accounts (``type`` Bot, ``[bot]`` logins)  excluded, counted
deleted accounts (``user`` null, ``ghost``)    kept as unknown members, counted
=============================================  ================================================

Reactions are summary counts in the API (no user, no time): they are not mapped. Times are UTC.
A repeated issue (pages that overlap) is kept once by the contract's repeated-id rule.

Hosts: logins whose ``author_association`` is ``OWNER``, ``MEMBER`` or ``COLLABORATOR`` on any
of their items, unless ``hosts`` is given. Do users help each other, or does every answer come
from the maintainers?
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
    document_shape,
    finish,
    make_loader,
    read_json,
    safe_record,
    utc_iso,
)
from communitylab.loaders.registry import Format, Sniff, register
from communitylab.schema import DataValidationError, LoadReport

__all__ = ["read_github", "load_github", "github_document_kind"]

HOST_ASSOCIATIONS = frozenset({"OWNER", "MEMBER", "COLLABORATOR"})
_NUMBER = re.compile(r"/(?:issues|pulls)/(\d+)$")


def github_document_kind(doc: Any) -> str | None:
    """``issues``, ``comments``, ``review_comments``, ``discussions`` or None for other JSON."""
    if isinstance(doc, dict) and isinstance(doc.get("data"), dict):
        repo = doc["data"].get("repository")
        if isinstance(repo, dict) and "discussions" in repo:
            return "discussions"
        return None
    if not isinstance(doc, list) or not doc or not all(isinstance(d, dict) for d in doc):
        return None
    first = doc[0]
    if "pull_request_url" in first and ("diff_hunk" in first or "pull_request_review_id" in first):
        return "review_comments"
    if "issue_url" in first and "author_association" in first:
        return "comments"
    if "number" in first and "author_association" in first and ("title" in first or "state" in first):
        return "issues"
    return None


def read_github(path: str | os.PathLike, *, include_text: bool = False) -> RawExport:
    """Read GitHub API pages into raw events (see the module docstring).

    Raises
    ------
    DataValidationError
        A JSON file that is none of the API responses above (mixed formats are refused), or
        invalid JSON.
    """
    files = ExportFiles(path)
    report = LoadReport(source=str(path))
    names = files.json_names("GitHub API responses saved as .json")
    b = EventBuilder(include_text=include_text)
    excluded: dict[str, list[Any]] = defaultdict(list)
    hosts: set[str] = set()
    ghosts = [0]
    for name in names:
        doc = read_json(files, name, "a GitHub API response")
        kind = github_document_kind(doc)
        if kind is None:
            raise DataValidationError(
                files.label(name), "(file)", [],
                "a GitHub API response: a list of issues, of issue comments or of review comments, or a GraphQL discussions response", 0,
            )
        if kind == "discussions":
            with document_shape(files.label(name), "a GraphQL response with data.repository.discussions.nodes (a list)"):
                nodes = list(((doc["data"]["repository"].get("discussions") or {}).get("nodes")) or [])
            for i, d in enumerate(nodes):
                spot = f"{name} discussion #{i}"
                safe_record(b, excluded, spot, lambda d=d, spot=spot: _discussion(b, d, spot, excluded, hosts, ghosts))
            continue
        for i, item in enumerate(doc):
            where = f"{name} #{i}"
            safe_record(b, excluded, where, lambda item=item, where=where, kind=kind: _item(b, item, kind, where, excluded, hosts, ghosts))
    count_excluded(report, excluded, "user")
    report.add("deleted account ('ghost' or no user; kept as an unknown member)", ghosts[0], "kept", "user")
    report.notes.append("GitHub reactions are summary counts without users or times: not mapped")
    members = pd.DataFrame({"member_id": sorted({m for m in b.cols["member_id"] if m})})
    members["is_host"] = members["member_id"].isin(hosts)
    return finish(b, members, hosts, "author_association OWNER, MEMBER or COLLABORATOR", report, "github")


def _item(b: EventBuilder, item: dict[str, Any], kind: str, where: str, excluded: dict[str, list[Any]],
          hosts: set[str], ghosts: list[int]) -> None:
    author = _author(item.get("user"), excluded, where, ghosts)
    if author is False:
        return
    created = utc_iso(item.get("created_at"))
    if created is None:
        excluded["damaged item (no readable created_at)"].append(where)
        return
    if item.get("author_association") in HOST_ASSOCIATIONS and author:
        hosts.add(author)
    if kind == "issues":
        number = as_id(item.get("number"))
        if number is None:
            excluded["damaged item (no number)"].append(where)
            return
        eid = f"issue/{number}"
        b.add(eid, author, "post", created, thread_id=eid, channel="pull requests" if "pull_request" in item else "issues",
              text=item.get("body"))
        return
    url = item.get("issue_url") if kind == "comments" else item.get("pull_request_url")
    m = _NUMBER.search(str(url or ""))
    cid = as_id(item.get("id"))
    if m is None or cid is None:
        excluded["damaged comment (no id or no issue / pull request URL)"].append(where)
        return
    thread = f"issue/{m.group(1)}"
    if kind == "comments":
        b.add(f"comment/{cid}", author, "reply", created, thread_id=thread, parent_id=thread, channel="issues", text=item.get("body"))
    else:
        answered = as_id(item.get("in_reply_to_id"))
        parent = f"review/{answered}" if answered else thread
        b.add(f"review/{cid}", author, "reply", created, thread_id=thread, parent_id=parent, channel="pull requests",
              text=item.get("body"))


def _author(user: Any, excluded: dict[str, list[Any]], where: str, ghosts: list[int]) -> str | None | bool:
    """The login; None for a deleted account; False for a bot (excluded)."""
    if not isinstance(user, dict) or not user.get("login") or user.get("login") == "ghost":
        ghosts[0] += 1
        return None
    login = as_id(user["login"])
    if user.get("type") == "Bot" or user.get("__typename") == "Bot" or login.endswith("[bot]"):
        excluded["bot account"].append(where)
        return False
    return login


def _discussion(b: EventBuilder, d: dict[str, Any], where: str, excluded: dict[str, list[Any]], hosts: set[str], ghosts: list[int]) -> None:
    def node(item: dict[str, Any], eid: str, kind: str, thread: str, parent: str | None, spot: str) -> bool:
        author = _author(item.get("author"), excluded, spot, ghosts)
        if author is False:
            return False
        created = utc_iso(item.get("createdAt"))
        if created is None:
            excluded["damaged item (no readable createdAt)"].append(spot)
            return False
        if item.get("authorAssociation") in HOST_ASSOCIATIONS and author:
            hosts.add(author)
        b.add(eid, author, kind, created, thread_id=thread, parent_id=parent, channel="discussions", text=item.get("body"))
        return True

    if not isinstance(d, dict) or "number" not in d:
        excluded["damaged item (no number)"].append(where)
        return
    number = as_id(d["number"])
    thread = f"discussion/{number}"
    node(d, thread, "post", thread, None, where)
    for j, c in enumerate(list(((d.get("comments") or {}).get("nodes")) or [])):
        spot = f"{where} comment #{j}"

        def comment(c: Any = c, j: int = j, spot: str = spot) -> None:
            cid = "dcomment/" + (as_id(c.get("id")) or f"{number}-{j}")
            node(c, cid, "reply", thread, thread, spot)
            for k, r in enumerate(list(((c.get("replies") or {}).get("nodes")) or [])):
                rid_spot = f"{spot} reply #{k}"
                safe_record(b, excluded, rid_spot, lambda r=r, k=k, cid=cid, rid_spot=rid_spot: node(
                    r, "dcomment/" + (as_id(r.get("id")) or f"{number}-{j}-{k}"), "reply", thread, cid, rid_spot))

        safe_record(b, excluded, spot, comment)


load_github = make_loader(read_github, "GitHub API pages")


def _is_github_json(f: Sniff) -> bool:
    return f.json_keys("discussions") or any(f.json_keys("author_association", k) for k in ("number", "issue_url", "pull_request_url"))


register(
    Format("github", "GitHub REST issues / comments / review comments and GraphQL discussions (JSON pages, one or a folder)",
              "issue, pull request, discussion → post; comment → reply; bots excluded",
              "author_association OWNER, MEMBER, COLLABORATOR", load_github, order=50),
    entry=_is_github_json, priority=53,
)
