"""Every event-log metric of the health study on logs at the edge of the contract: it answers, never crashes."""

from __future__ import annotations

import pandas as pd
import pytest

from communitylab import Community
from communitylab import engagement as eng


def _community(rows, hosts=()) -> Community:
    ev = pd.DataFrame(rows, columns=["event_id", "member_id", "kind", "created_at", "thread_id", "parent_id"])
    ev["created_at"] = pd.to_datetime(ev["created_at"], utc=True)
    return Community.from_frames(ev, hosts=list(hosts), name="edge")


LOGS = {
    "only the host speaks": ([("p1", "h", "post", "2024-01-01", "p1", None), ("r1", "h", "reply", "2024-01-02", "p1", "p1")], ["h"]),
    "unknown authors": ([("p1", None, "post", "2024-01-01", "p1", None), ("r1", None, "reply", "2024-02-02", "p1", "p1")], []),
    "only joins": ([("j1", "a", "join", "2024-01-01", None, None), ("j2", "b", "join", "2024-03-01", None, None)], []),
    "one post": ([("p1", "a", "post", "2024-01-01", "p1", None)], []),
}

METRICS = {
    "activity by month": lambda c: eng.activity_by_period(c, "month"),
    "activity by week, active period": lambda c: eng.activity_by_period(c, "week", active_period_only=True),
    "levels": lambda c: eng.level_summary(c, "month", last=6),
    "verdict": eng.health_verdict,
    "structure": eng.conversation_structure,
    "engagement mix": eng.engagement_mix,
    "join-ask-leave": eng.join_ask_leave,
    "newcomer retention": eng.newcomer_retention,
    "contributions": eng.contribution_counts,
    "silences": lambda c: eng.activity_during_silences(c, 14),
    "host regularity": eng.host_regularity,
}


@pytest.mark.parametrize("log", list(LOGS))
def test_every_metric_answers_on_an_edge_log(log):
    rows, hosts = LOGS[log]
    c = _community(rows, hosts)
    for name, metric in METRICS.items():
        try:
            metric(c)
        except Exception as e:  # noqa: BLE001 - the test names the metric that failed
            pytest.fail(f"{name} on '{log}': {type(e).__name__}: {e}")
