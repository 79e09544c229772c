"""One shared look for every communitylab figure, with colour-blind-safe colours.

The qualitative colours are the Okabe–Ito palette (distinguishable under the common forms of
colour blindness); sequential maps are ``Blues`` and diverging ones ``RdBu`` (both ColorBrewer's
colour-blind-safe schemes). :func:`use` applies the theme; every study calls it through
:func:`communitylab.report.setup`.
"""

from __future__ import annotations

import matplotlib as mpl
import matplotlib.pyplot as plt

#: Okabe & Ito (2008), "Color universal design".
OKABE_ITO = ["#0072B2", "#D55E00", "#009E73", "#E69F00", "#56B4E9", "#CC79A7", "#F0E442", "#000000"]
PALETTE = {"member": "#0072B2", "host": "#D55E00", "neutral": "#8C8C8C", "accent": "#E69F00", "good": "#009E73"}
SEQUENTIAL = "Blues"
DIVERGING = "RdBu"

RC = {
    "axes.prop_cycle": mpl.cycler(color=OKABE_ITO),
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.titlesize": 12,
    "axes.titleweight": "bold",
    "axes.labelsize": 10,
    "xtick.labelsize": 9,
    "ytick.labelsize": 9,
    "legend.fontsize": 9,
    "legend.frameon": False,
    "figure.figsize": (7.0, 4.0),
    "figure.dpi": 100,
    "image.cmap": SEQUENTIAL,
    "font.family": "DejaVu Sans",
}


def use() -> None:
    """Apply the communitylab theme to every figure drawn from now on in this process."""
    mpl.rcParams.update(RC)


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


def money_axis(ax, currency: str = "$", which: str = "y") -> None:
    """Money on an axis as a reader writes it: "$300k", "$1.2M", "-$50k" (a one-character symbol
    first, a code after: "300k CAD"), never "300000"."""
    from matplotlib.ticker import FuncFormatter

    def fmt(v: float, _pos: int) -> str:
        a = abs(v)
        text = f"{a / 1e6:.3g}M" if a >= 1e6 else f"{a / 1e3:.3g}k" if a >= 1e3 else f"{a:.3g}"
        sign = "−" if v < 0 else ""
        return f"{sign}{currency}{text}" if len(currency) == 1 else f"{sign}{text} {currency}"

    (ax.yaxis if which == "y" else ax.xaxis).set_major_formatter(FuncFormatter(fmt))


def whole_ticks(ax, which: str = "y") -> None:
    """Ticks on whole numbers only (``x``, ``y`` or ``both``): counts and periods, never 2.5 of them."""
    from matplotlib.ticker import MaxNLocator

    for axis in ((ax.xaxis, ax.yaxis) if which == "both" else (ax.xaxis,) if which == "x" else (ax.yaxis,)):
        axis.set_major_locator(MaxNLocator(integer=True))

