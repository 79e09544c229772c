"""Figures of the intervention study: the series, the fitted model and its counterfactual."""

from __future__ import annotations

import pandas as pd

from communitylab.plots.theme import PALETTE, date_axis, new_axes

__all__ = ["plot_interrupted_series"]


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
