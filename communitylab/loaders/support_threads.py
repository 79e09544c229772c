"""Brand customer-support threads (the "Customer Support on Twitter" export format).

Columns read: ``tweet_id``, ``author_id``, ``inbound`` (True = written by a customer, False = by
the brand), ``created_at`` (``Tue Oct 31 22:10:47 +0000 2017``), ``text``,
``in_response_to_tweet_id`` (the parent; empty for a thread start).

Rules: authors of outbound tweets (``inbound`` False) are the hosts. A tweet without a parent is a
``post``; with one, a ``reply``. A parent outside the file is kept and counted. A record whose
field count is wrong (for instance a line break inside an unquoted text splits it) or whose
``inbound`` is not True/False is reported with its line number and excluded.
"""

from __future__ import annotations

import csv
import os
from pathlib import Path

import pandas as pd

from communitylab.loaders._export import RawExport, assign_threads, make_loader
from communitylab.loaders._io import open_text, reading
from communitylab.loaders.registry import Format, Sniff, register
from communitylab.schema import DataValidationError, LoadReport

__all__ = ["read_support_threads", "load_support_threads"]

#: The host rule of a support export, in words
HOST_RULE = "brands: the accounts that write the outbound tweets (inbound = False)"

_NEEDED = ("tweet_id", "author_id", "inbound", "created_at", "in_response_to_tweet_id")


def read_support_threads(
    path: str | os.PathLike, *, include_text: bool = False
) -> RawExport:
    """Parse the export into raw events, the brands as hosts, and a load report."""
    path = Path(path)
    report = LoadReport(source=str(path))
    with reading(path), open_text(path) as fh:
        reader = csv.reader(fh)
        header = next(reader, None)
        if header is None:
            raise DataValidationError(str(path), "header", [1], "a header row", 1)
        missing = [c for c in _NEEDED if c not in header]
        if missing:
            raise DataValidationError(str(path), ", ".join(missing), [1], f"columns {list(_NEEDED)}", 1)
        pos = {c: header.index(c) for c in header}
        records, broken, bad_inbound = [], [], []
        for rec in reader:
            line = reader.line_num
            if not rec:
                broken.append(line)
                continue
            if len(rec) != len(header):
                broken.append(line)
                continue
            inbound = rec[pos["inbound"]].strip()
            if inbound not in ("True", "False"):
                bad_inbound.append(line)
                continue
            records.append(
                (
                    rec[pos["tweet_id"]],
                    rec[pos["author_id"]],
                    inbound == "True",
                    rec[pos["created_at"]],
                    rec[pos["in_response_to_tweet_id"]],
                    rec[pos["text"]] if include_text and "text" in pos else None,
                    line,
                )
            )
    report.rows_read = len(records) + len(broken) + len(bad_inbound)
    report.add("malformed record (wrong number of fields or blank line)", len(broken), "excluded", "line", broken)
    report.add("inbound is not True/False", len(bad_inbound), "excluded", "inbound", bad_inbound)
    raw = pd.DataFrame(records, columns=["tweet_id", "author_id", "inbound", "created_at", "parent", "text", "_line"])
    created = pd.to_datetime(raw["created_at"], format="%a %b %d %H:%M:%S %z %Y", errors="coerce")
    bad_time = created.isna()
    if bad_time.any():
        raise DataValidationError(str(path), "created_at", raw.loc[bad_time, "_line"].head().tolist(), "'Tue Oct 31 22:10:47 +0000 2017'",
                                  int(bad_time.sum()), ids=raw.loc[bad_time, "tweet_id"].head().tolist(), unit="lines")
    parent = raw["parent"].str.replace(r"\.0$", "", regex=True).replace("", pd.NA)
    events = pd.DataFrame(
        {
            "event_id": raw["tweet_id"],
            "member_id": raw["author_id"],
            "kind": parent.isna().map({True: "post", False: "reply"}),
            "created_at": created,
            "thread_id": pd.Series(pd.NA, index=raw.index, dtype="string"),
            "parent_id": parent,
            "channel": "twitter",
        }
    )
    if include_text:
        events["text"] = raw["text"]
    hosts = frozenset(raw.loc[~raw["inbound"], "author_id"])
    assign_threads(events)  # a reply's thread is the root of its parent chain (the first post, or the outside parent)
    report.notes.append(f"host rule: {HOST_RULE}")
    return RawExport(events, None, hosts, HOST_RULE, report, "twcs")


load_support_threads = make_loader(read_support_threads, "a customer-support export (Customer Support on Twitter CSV)")


def _is_twcs(f: Sniff) -> bool:
    return f.suffix(".csv") and {"tweet_id", "inbound"} <= f.csv_header


register(
    Format("twcs", "Customer Support on Twitter CSV (tweet_id, author_id, inbound, created_at, in_response_to_tweet_id)",
              "tweet without a parent → post; with one → reply", "brand accounts (inbound = False)", load_support_threads, order=90),
    entry=_is_twcs, priority=50,
)
