"""Figures of the intervention study: the series, the fitted model and its counterfactual."""

from __future__ import annotations

import pandas as pd
from matplotlib.ticker import FuncFormatter

from communitylab.plots.theme import PALETTE, date_axis, new_axes

__all__ = ["plot_interrupted_series", "plot_comparison_series", "plot_event_study", "plot_synthetic"]


def _x(values) -> pd.Series:
    s = pd.Series(values)
    return s.dt.tz_localize(None) if isinstance(s.dtype, pd.DatetimeTZDtype) else s


def plot_interrupted_series(model, ax=None, *, changepoints: pd.DataFrame | None = None, ylabel: str | None = None, title: str | None = None):
    """Observed counts, the fitted model with its band, the counterfactual (no intervention) with
    its band, and the phases' start dates; optionally the segments of :func:`poisson_changepoints`.

    Parameters
    ----------
    model : InterruptedTimeSeries
        A fitted model.
    changepoints : DataFrame, optional
        Segments found without the milestones, drawn as grey steps at their mean rate.
    """
    ax = new_axes(ax, figsize=(8, 4.2))
    fit, cf = model.predict(), model.predict(counterfactual=True)
    x = _x(fit[model.time_])
    ax.plot(x, fit["observed"], "o", ms=3.5, color=PALETTE["member"], label="observed")
    ax.plot(x, fit["expected"], color=PALETTE["accent"], lw=1.8, label="model")
    ax.fill_between(x, fit["ci_low"], fit["ci_high"], color=PALETTE["accent"], alpha=0.2, lw=0)
    after = x >= _x([model.phases_[0].start_time])[0]
    ax.plot(x[after], cf["expected"][after], color=PALETTE["neutral"], ls="--", lw=1.5, label="without the interventions")
    ax.fill_between(x[after], cf["ci_low"][after], cf["ci_high"][after], color=PALETTE["neutral"], alpha=0.2, lw=0)
    top = max(fit["observed"].max(), fit["ci_high"].max()) * 1.05
    for i, p in enumerate(model.phases_, start=1):
        t0 = _x([p.start_time])[0]
        ax.axvline(t0, color=PALETTE["host"], lw=1, ls=":")
        ax.text(t0, top, f" {i}", va="top", ha="left", fontsize=8, fontweight="bold", color=PALETTE["host"])
        ax.plot([], [], ls="none", label=f"{i}: {p.name}")  # the full milestone name, in the legend
    if changepoints is not None and len(changepoints):
        for _, seg in changepoints.iterrows():
            ax.hlines(seg["rate"], _x([seg["start"]])[0], _x([seg["end"]])[0], color="0.35", lw=2.5, alpha=0.6)
        ax.plot([], [], color="0.35", lw=2.5, alpha=0.6, label="segments found without the dates")
    ax.set_ylim(0, top * 1.02)
    ax.set_ylabel(ylabel or model.value_)
    ax.set_title(title or "Before and after the interventions")
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False, fontsize=8)
    if pd.api.types.is_datetime64_any_dtype(x):
        date_axis(ax)
    return ax


def _start_line(ax, start) -> None:
    t = pd.Timestamp(start)
    ax.axvline(t.tz_localize(None) if t.tzinfo is not None else t, color="0.3", ls=":", lw=1)


def plot_comparison_series(indexed: pd.DataFrame, treated: str, start, ax=None, *, ylabel: str = "index (pre-period mean = 1)",
                           title: str | None = None):
    """The treated community and each comparison community on one chart, each divided by its own
    mean before the start (``indexed``: :attr:`ComparisonResult.indexed`), so that communities of
    different sizes share an axis; the start as a dotted line."""
    ax = new_axes(ax, figsize=(8, 4.2))
    x = _x(indexed.index)
    for name in indexed.columns:
        if name != treated:
            ax.plot(x, indexed[name].to_numpy(), color=PALETTE["neutral"], lw=0.8, alpha=0.6)
    ax.plot([], [], color=PALETTE["neutral"], lw=0.8, label=f"comparison communities ({indexed.shape[1] - 1})")
    ax.plot(x, indexed[treated].to_numpy(), color=PALETTE["host"], lw=1.8, label=f"{treated} (treated)")
    _start_line(ax, start)
    ax.set_ylabel(ylabel)
    ax.set_title(title or "The treated community beside the comparison communities")
    ax.legend(loc="upper left", fontsize=8, frameon=False)
    date_axis(ax)
    return ax


def plot_event_study(event: pd.DataFrame, ax=None, *, bin_label: str = "bins of periods from the start", title: str | None = None):
    """Rate ratios of the treated against the comparison communities per bin before and after the
    start (the bin just before is the reference, 1), with their intervals: flat at 1 before the
    start is what the comparison needs."""
    ax = new_axes(ax, figsize=(7, 3.8))
    e = event.sort_values("bin")
    est = e[~e["reference"]]
    ax.axhline(1, color="0.6", lw=1)
    ax.axvline(-0.5, color="0.3", ls=":", lw=1)
    ax.vlines(est["bin"], est["ci_low"], est["ci_high"], color=PALETTE["member"])
    ax.scatter(est["bin"], est["rate_ratio"], color=PALETTE["member"], zorder=3, label="rate ratio, 95% interval")
    ax.scatter([-1], [1], facecolors="none", edgecolors=PALETTE["member"], zorder=3, label="reference")
    ax.set_yscale("log")
    plain = FuncFormatter(lambda v, _: f"{v:g}")
    ax.yaxis.set_major_formatter(plain)
    ax.yaxis.set_minor_formatter(plain)
    ax.set_xlabel(bin_label)
    ax.set_ylabel("treated / comparison (rate ratio)")
    ax.set_title(title or "Before and after the start, against the comparison communities")
    ax.legend(loc="upper left", fontsize=8, frameon=False)
    return ax


def plot_synthetic(synth, ax=None, *, ylabel: str = "index (pre-period mean = 1)", title: str | None = None):
    """The treated series and its synthetic control (the weighted mix of donors), the start as a
    dotted line; the gap after the start is the synthetic control's estimate."""
    ax = new_axes(ax, figsize=(8, 4.2))
    s = synth.series
    x = _x(s["time"])
    ax.plot(x, s["synthetic"].to_numpy(), color=PALETTE["neutral"], lw=1.5, ls="--", label="synthetic community")
    ax.plot(x, s["treated"].to_numpy(), color=PALETTE["host"], lw=1.5, label=f"{synth.treated} (treated)")
    _start_line(ax, synth.start)
    ax.set_ylabel(ylabel)
    ax.set_title(title or "The treated community and its synthetic twin")
    ax.legend(loc="upper left", fontsize=8, frameon=False)
    date_axis(ax)
    return ax
