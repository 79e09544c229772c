"""Message / reply edge lists in SNAP or KONECT format: ``src dst [weight] unix_time``.

Each line is one message from ``src`` to ``dst`` at ``unix_time`` (seconds, UTC). It becomes a
``reply`` event by ``src`` addressed to ``dst`` (``to_member_id``); there are no thread or parent
event ids in such data, so thread-based metrics (time to first reply, thread depth) do not apply,
while conversation-structure metrics (directions, reciprocity, degree inequality) do. Lines
starting with ``%`` or ``#`` are comments (KONECT's header ``% asym positive``). Fields are
separated by white space or commas (SNAP's signed networks: ``SOURCE,TARGET,RATING,TIME``).

A folder or zip of edge lists (SNAP's ``sx-*`` layers: answers to questions, comments on answers)
is read as one network, each file a channel; READMEs beside them are not read.
"""

from __future__ import annotations

import os
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd

from communitylab.errors import ParameterError
from communitylab.loaders._export import RawExport, make_loader
from communitylab.loaders._io import open_text, reading
from communitylab.loaders.registry import Format, Sniff, register
from communitylab.schema import DataValidationError, LoadReport
from communitylab.timestamps import epoch_rule, epoch_unit, from_epoch

__all__ = ["read_edgelist", "load_edgelist"]


#: The host rule of an edge list, in words
HOST_RULE = "none: an edge list names no host (give hosts)"


def read_edgelist(path: str | os.PathLike, *, channel: str | None = None, weights: str = "auto",
                  include_text: bool = False) -> RawExport:
    """Parse an edge list (a file, or a folder or zip of them) into raw events (not yet validated).

    ``include_text`` is accepted as every reader's is; an edge list carries no text.

    A line with three columns is ``src dst time``; with four, ``src dst weight time`` (KONECT).

    Parameters
    ----------
    weights : {"auto", "count", "rating"}
        What the weight column means. ``"count"``: a number of messages, so it must be 1 (one line,
        one message); ``"rating"``: a rating or sign the line carries (SNAP's trust networks), so
        any number is one event; ``"auto"``: a rating when any weight is negative (a count cannot
        be), else a count. The load report says which.

    Raises
    ------
    DataValidationError
        Lines with another number of columns, or non-integer fields (line numbers are 1-based
        and count comment lines); a count weight other than 1.
    """
    events, report = _read_edges(Path(path), channel, weights)
    report.notes.append(f"host rule: {HOST_RULE}")
    return RawExport(events, None, frozenset(), HOST_RULE, report, "edgelist")


def _read_edges(path: Path, channel: str | None, weights: str) -> tuple[pd.DataFrame, LoadReport]:
    if weights not in ("auto", "count", "rating"):
        raise ParameterError(f"weights must be 'auto', 'count' or 'rating'; got {weights!r}")
    if path.is_dir() or zipfile.is_zipfile(path):
        return _read_folder(path, weights)
    src, dst, ts, lines = [], [], [], []
    bad_lines: list[int] = []
    weights_bad: list[int] = []
    negative = False
    with reading(path), open_text(path) as fh:
        for lineno, line in enumerate(fh, start=1):
            stripped = line.strip()
            if not stripped or stripped[0] in "%#":
                continue
            parts = stripped.replace(",", " ").split()
            try:
                if len(parts) == 3:
                    s, d, t = (int(p) for p in parts)
                elif len(parts) == 4:
                    s, d, w, t = (int(float(p)) if i == 2 else int(p) for i, p in enumerate(parts))
                    if w != 1:
                        weights_bad.append(lineno)
                        negative = negative or w < 0
                else:
                    raise ValueError
                if not -(2**63) < t < 2**63:
                    raise ValueError
            except ValueError:
                bad_lines.append(lineno)
                continue
            src.append(s)
            dst.append(d)
            ts.append(t)
            lines.append(lineno)
    if bad_lines:
        raise DataValidationError(str(path), "line", bad_lines[:5], "'src dst time' or 'src dst weight time' as integers", len(bad_lines))
    rating = weights == "rating" or (weights == "auto" and negative)
    if weights_bad and not rating:
        raise DataValidationError(str(path), "weight", weights_bad[:5], "weight 1 (one line per message; a weight that is a "
                                  "rating or sign: weights='rating')", len(weights_bad))
    n = len(src)
    report = LoadReport(source=str(path), rows_read=n)
    if weights_bad:
        report.notes.append(f"the weight column is a rating or sign ({'negative values' if weights == 'auto' else 'as given'}): "
                            "each line is one event whatever its weight")
    report.notes.append("edge list: messages have no thread or parent event; thread metrics do not apply")
    times = pd.Series(ts, dtype="int64")
    unit = epoch_unit(times)
    report.add(epoch_rule(unit), n, "repaired", "created_at")
    events = pd.DataFrame(
        {
            "event_id": pd.Series(np.asarray(lines), dtype="int64").map("l{}".format),
            "member_id": pd.Series(src, dtype="int64").astype("string"),
            "kind": "reply",
            "created_at": from_epoch(times, unit),
            "thread_id": pd.Series(pd.NA, index=range(n), dtype="string"),
            "parent_id": pd.Series(pd.NA, index=range(n), dtype="string"),
            "to_member_id": pd.Series(dst, dtype="int64").astype("string"),
            "channel": channel or path.name.split(".")[0],
        }
    )
    return events, report


def _read_folder(path: Path, weights: str) -> tuple[pd.DataFrame, LoadReport]:
    """Every edge-list file of a folder or zip as one network (each file a channel)."""
    import tempfile

    from communitylab.loaders._export import ExportFiles

    files = ExportFiles(path)
    names = files.data_names()
    if not names:
        raise DataValidationError(str(path), "(files)", [], "edge-list files (src dst [weight] time)", 0)
    frames, report = [], LoadReport(source=str(path))
    with tempfile.TemporaryDirectory() as tmp:
        for n in names:
            local = path / n
            if files.is_zip:
                local = Path(tmp) / Path(n).name
                with files.open(n) as src, open(local, "wb") as dst:
                    dst.write(src.read())
            events, part = _read_edges(local, Path(n).name.split(".")[0], weights)
            events["event_id"] = Path(n).name.split(".")[0] + ":" + events["event_id"]
            frames.append(events)
            report.rows_read += part.rows_read
            for issue in part.issues:
                report.add(issue["rule"], issue["count"], issue["action"], issue.get("column", ""))
            report.notes.extend(x for x in part.notes if x not in report.notes and not x.startswith("edge list:"))
    report.notes.append("edge list: messages have no thread or parent event; thread metrics do not apply")
    if len(names) > 1:
        report.notes.append(f"{len(names)} edge lists read as one network, each a channel: {', '.join(names[:5])}")
    return pd.concat(frames, ignore_index=True), report


load_edgelist = make_loader(read_edgelist, "a SNAP/KONECT edge list (a file, or a folder or zip of them)")


def edge_line(line: bytes) -> bool:
    """A SNAP / KONECT edge-list line: ``src dst [weight] [time]``, or a ``%``/``#`` comment."""
    parts = line.split()
    return not parts or parts[0][:1] in (b"%", b"#") or 2 <= len(parts) <= 4


def _is_edgelist(f: Sniff) -> bool:
    """A text file of edge lines, or a headerless numeric ``src,dst[,weight],time`` CSV (SNAP's
    signed networks)."""
    if f.suffix(".txt", ".tsv", ".edges"):
        lines = f.head(4096).splitlines()[:20]
        return bool(lines) and all(edge_line(x) for x in lines[:-1] or lines)
    if f.suffix(".csv"):
        lines = f.head().splitlines()[:20]
        return bool(lines) and all(edge_line(x.replace(b",", b" ")) and all(v.strip().lstrip(b"-").isdigit() for v in x.split(b","))
                                   for x in lines[:-1] or lines)
    return False


register(
    Format("edgelist", "SNAP / KONECT edge list (src dst [weight] time; .txt, .tsv, .edges)",
              "each line → a reply from src addressed to dst", "given ids (none by default)", load_edgelist, order=120),
    entry=_is_edgelist, priority=40,
)
