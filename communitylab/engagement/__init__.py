"""Engagement and health metrics over an event log (Ibis expressions; tidy pandas out)."""

from communitylab.engagement.activity import activity_by_period, member_periods, stickiness, suitable_period
from communitylab.engagement.cadence import (
    activity_during_silences,
    host_dependence,
    host_regularity,
    host_silences,
    observation_window,
)
from communitylab.engagement.compare import (
    compare_communities,
    comparison_panel,
    reply_earning_share,
    split_by_channel,
)
from communitylab.engagement.conversation import (
    conversation_structure,
    degree_centralization,
    engagement_mix,
    member_to_member_share,
    reciprocity,
    reciprocity_counts,
    repeated_ties,
    reply_direction_matrix,
    reply_edges,
    thread_depth,
)
from communitylab.engagement.health import VERDICTS, HealthThresholds, HealthVerdict, health_verdict
from communitylab.engagement.inequality import (
    contribution_counts,
    contributions_per_member,
    degree_gini,
    gini,
    lorenz_curve,
    participation_inequality,
    top_share,
)
from communitylab.engagement.levels import (
    LEVELS,
    LevelRules,
    engagement_levels,
    level_counts,
    level_summary,
    level_transitions,
)
from communitylab.engagement.newcomers import (
    first_contributions,
    join_ask_leave,
    join_ask_leave_gap,
    newcomer_retention,
    newcomer_retention_gap,
)
from communitylab.engagement.peers import (
    DormancyForecast,
    dormancy_forecast,
    kind_of,
    peer_percentiles,
    peer_sentence,
)
from communitylab.engagement.responsiveness import (
    answered_within,
    first_replies,
    reply_survival_curve,
    time_to_first_reply,
    waiting_times,
)
from communitylab.engagement.trajectory import TRAJECTORY_LABELS, trajectory

__all__ = ["DormancyForecast", "dormancy_forecast", "kind_of", "peer_percentiles", "peer_sentence",
    "LEVELS", "LevelRules", "engagement_levels", "level_transitions", "level_counts", "level_summary", "first_contributions", "join_ask_leave", "newcomer_retention",
    "VERDICTS", "HealthThresholds", "HealthVerdict", "activity_by_period", "activity_during_silences",
    "answered_within", "compare_communities", "comparison_panel", "contribution_counts", "contributions_per_member", "conversation_structure",
    "degree_centralization", "degree_gini", "engagement_mix", "first_replies", "gini", "health_verdict",
    "host_regularity", "host_silences", "lorenz_curve", "member_periods", "observation_window",
    "participation_inequality", "reciprocity", "reply_direction_matrix", "reply_earning_share", "reply_edges",
    "reply_survival_curve", "split_by_channel", "stickiness", "thread_depth", "time_to_first_reply", "top_share", "waiting_times",
    "repeated_ties", "member_to_member_share", "reciprocity_counts", "host_dependence", "trajectory", "TRAJECTORY_LABELS",
    "suitable_period", "join_ask_leave_gap", "newcomer_retention_gap",
]
