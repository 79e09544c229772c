"""One shared look for every communitylab figure."""

from __future__ import annotations

import matplotlib.pyplot as plt

PALETTE = {"member": "#2a6f97", "host": "#d1495b", "neutral": "#8d99ae", "accent": "#edae49", "good": "#00798c"}


def new_axes(ax=None, figsize=(7, 4)):
    """Return ``ax`` or a fresh Axes of the house size."""
    if ax is None:
        _, ax = plt.subplots(figsize=figsize, layout="constrained")
    ax.spines[["top", "right"]].set_visible(False)
    return ax


def date_axis(ax) -> None:
    """Few, non-overlapping date labels on a time axis, whatever the number of periods."""
    import matplotlib.dates as mdates

    locator = mdates.AutoDateLocator(minticks=3, maxticks=8)
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))
