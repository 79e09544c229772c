"""Plots: tidy DataFrames in, matplotlib Axes out; every function accepts ``ax=``."""

from communitylab.plots.engagement import (
    activity_caption,
    network_layout,
    plot_activity,
    plot_comparison,
    plot_direction_matrix,
    plot_lorenz,
    plot_peer_percentiles,
    plot_reply_network,
    plot_reply_survival,
)
from communitylab.plots.intervention import (
    plot_comparison_series,
    plot_event_study,
    plot_interrupted_series,
    plot_synthetic,
)
from communitylab.plots.retention import (
    plot_cohort_fit,
    plot_cohort_retention,
    plot_decision_sensitivity,
    plot_projection,
    plot_tenure_survival,
)
from communitylab.plots.survey import plot_likert, plot_shares

__all__ = ["plot_cohort_fit", "plot_projection", "plot_interrupted_series", "plot_comparison_series", "plot_event_study", "plot_synthetic", "plot_likert", "plot_shares", "plot_cohort_retention", "plot_tenure_survival", "plot_activity", "plot_comparison", "plot_peer_percentiles", "plot_direction_matrix", "plot_lorenz", "plot_reply_network", "network_layout", "activity_caption", "plot_reply_survival", "plot_decision_sensitivity"]
