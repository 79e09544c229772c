"""Plots: tidy DataFrames in, matplotlib Axes out; every function accepts ``ax=``."""

from communitylab.plots.engagement import (
    plot_activity,
    plot_comparison,
    plot_direction_matrix,
    plot_lorenz,
    plot_reply_network,
    plot_reply_survival,
)
from communitylab.plots.retention import plot_cohort_retention, plot_tenure_survival

__all__ = ["plot_cohort_retention", "plot_tenure_survival", "plot_activity", "plot_comparison", "plot_direction_matrix", "plot_lorenz", "plot_reply_network", "plot_reply_survival"]
