"""Survey figures drawn with matplotlib (plot-likert breaks on pandas 3)."""

from __future__ import annotations

import matplotlib as mpl
import numpy as np
import pandas as pd

from communitylab.plots.theme import new_axes

__all__ = ["plot_likert", "plot_shares"]


def plot_likert(distributions: dict[str, pd.DataFrame], ax=None, *, midpoint: bool | None = None):
    """Diverging stacked bars: negative levels left of zero, positive right.

    ``distributions`` maps an item label to :func:`~communitylab.survey.items.likert_distribution`
    output. With an odd number of levels the middle one is a neutral midpoint, split half left and
    half right and drawn grey; with an even number there is no midpoint (``midpoint`` overrides).
    """
    ax = new_axes(ax, figsize=(8, 1.2 + 0.6 * len(distributions)))
    first = next(iter(distributions.values()))
    levels = list(first["level"])
    k = len(levels)
    mid = (k % 2 == 1) if midpoint is None else midpoint
    half = k // 2
    cmap = mpl.colormaps["RdBu"]
    colors = [cmap(0.1 + 0.8 * i / max(k - 1, 1)) for i in range(k)]
    if mid:
        colors[half] = (0.8, 0.8, 0.8, 1.0)
    for y, dist in enumerate(distributions.values()):
        share = dist.set_index("level")["share"].reindex(levels).fillna(0).to_numpy()
        neg = share[:half].sum() + (share[half] / 2 if mid else 0)
        left = -neg
        for i, s in enumerate(share):
            ax.barh(y, s, left=left, color=colors[i], edgecolor="white", label=levels[i] if y == 0 else None)
            if s >= 0.06:
                ax.text(left + s / 2, y, f"{s:.0%}", ha="center", va="center", fontsize=7)
            left += s
    ax.axvline(0, color="black", lw=0.8)
    ax.set_yticks(range(len(distributions)), [f"{lab} (n={d['n'].iloc[0]})" for lab, d in distributions.items()])
    ax.set_xlim(-1, 1)
    ax.xaxis.set_major_formatter(mpl.ticker.FuncFormatter(lambda v, _: f"{abs(v):.0%}"))
    ax.legend(ncol=min(k, 5), loc="upper center", bbox_to_anchor=(0.5, -0.15), frameon=False, fontsize=8)
    return ax


def plot_shares(table: pd.DataFrame, label: str = "option", ax=None, *, title: str = ""):
    """Shares with interval bars (``share``, ``ci_low``, ``ci_high``), one row per option."""
    ax = new_axes(ax)
    y = np.arange(len(table))
    ax.errorbar(table["share"], y, xerr=[table["share"] - table["ci_low"], table["ci_high"] - table["share"]], fmt="o", capsize=3)
    ax.set_yticks(y, table[label])
    ax.set_xlim(0, 1)
    ax.xaxis.set_major_formatter(mpl.ticker.PercentFormatter(1.0))
    ax.set_title(title)
    return ax
