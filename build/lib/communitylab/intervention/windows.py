"""Before and after: the health panel and verdict of the stretch before the first intervention
and of the stretch after the last one."""

from __future__ import annotations

import pandas as pd

from communitylab.community import Community
from communitylab.engagement.compare import compare_communities
from communitylab.engagement.health import HealthThresholds, health_verdict

__all__ = ["before_after"]


def before_after(community: Community, before_end, after_start, *, thresholds: HealthThresholds | None = None) -> pd.DataFrame:
    """The comparison panel (:func:`~communitylab.engagement.compare_communities`) and the health
    verdict for the events before ``before_end`` and those from ``after_start`` on.

    The stretch in between (the interventions being rolled out) is left out of both. Returns one
    row per window (``before``, ``after``) with ``verdict`` and ``reasons`` (the signals that
    drove it, in words) in front of the panel's columns.
    """
    windows = {"before": community.window(end=before_end), "after": community.window(start=after_start)}
    table = compare_communities(windows, rank_by="member_to_member_share").set_index("community").loc[list(windows)]
    verdicts = {name: health_verdict(c, thresholds) for name, c in windows.items()}
    table.insert(0, "verdict", [verdicts[k].label for k in windows])
    table.insert(1, "reasons", ["; ".join(verdicts[k].reasons) for k in windows])
    table.insert(0, "window", [f"before {pd.Timestamp(before_end):%Y-%m-%d}", f"from {pd.Timestamp(after_start):%Y-%m-%d}"])
    return table.drop(columns=["rank"], errors="ignore")
