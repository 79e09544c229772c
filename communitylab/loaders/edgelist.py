"""Message / reply edge lists in SNAP or KONECT format: ``src dst [weight] unix_time``.

Each line is one message from ``src`` to ``dst`` at ``unix_time`` (seconds, UTC). It becomes a
``reply`` event by ``src`` addressed to ``dst`` (``to_member_id``); there are no thread or parent
event ids in such data, so thread-based metrics (time to first reply, thread depth) do not apply,
while conversation-structure metrics (directions, reciprocity, degree inequality) do. Lines
starting with ``%`` or ``#`` are comments (KONECT's header ``% asym positive``).
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pandas as pd

from communitylab.community import Community, HostRule
from communitylab.engine import Engine
from communitylab.loaders._io import open_text, reading
from communitylab.schema import DataValidationError, LoadReport
from communitylab.timestamps import epoch_rule, epoch_unit, from_epoch

__all__ = ["read_edgelist", "load_edgelist"]


def read_edgelist(path: str | os.PathLike, *, channel: str | None = None) -> tuple[pd.DataFrame, LoadReport]:
    """Parse an edge list into raw events (not yet validated).

    A line with three columns is ``src dst time``; with four, ``src dst weight time`` (KONECT).
    A weight other than 1 is rejected: one line must be one message.

    Raises
    ------
    DataValidationError
        Lines with another number of columns, or non-integer fields (line numbers are 1-based
        and count comment lines).
    """
    path = Path(path)
    src, dst, ts, lines = [], [], [], []
    bad_lines: list[int] = []
    weights_bad: list[int] = []
    with reading(path), open_text(path) as fh:
        for lineno, line in enumerate(fh, start=1):
            stripped = line.strip()
            if not stripped or stripped[0] in "%#":
                continue
            parts = stripped.split()
            try:
                if len(parts) == 3:
                    s, d, t = (int(p) for p in parts)
                elif len(parts) == 4:
                    s, d, w, t = (int(float(p)) if i == 2 else int(p) for i, p in enumerate(parts))
                    if w != 1:
                        weights_bad.append(lineno)
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
    if weights_bad:
        raise DataValidationError(str(path), "weight", weights_bad[:5], "weight 1 (one line per message)", len(weights_bad))
    n = len(src)
    report = LoadReport(source=str(path), rows_read=n)
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


def load_edgelist(
    path: str | os.PathLike,
    *,
    hosts: HostRule = None,
    name: str | None = None,
    engine: Engine | None = None,
    now: pd.Timestamp | None = None,
) -> Community:
    """Load a SNAP/KONECT edge list as a :class:`~communitylab.Community` (see :func:`read_edgelist`)."""
    events, report = read_edgelist(path)
    return Community.from_frames(
        events, hosts=hosts, name=name or Path(path).name.split(".")[0], source=str(path),
        engine=engine, now=now, report=report,
    )
