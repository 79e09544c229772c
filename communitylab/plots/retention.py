"""Retention figures: cohort matrix and tenure survival curves (``ax=`` accepted)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from communitylab.plots.theme import PALETTE, money_axis, new_axes, whole_ticks

__all__ = ["plot_cohort_retention", "plot_tenure_survival", "plot_cohort_fit", "plot_projection", "plot_decision_sensitivity"]


def plot_cohort_retention(table: pd.DataFrame, ax=None, *, max_periods: int = 12):
    """Heat map of the share of each cohort active k periods later (unobserved cells blank)."""
    ax = new_axes(ax, figsize=(8, 4.5))
    shares = table.drop(columns="size").iloc[:, : max_periods + 1].astype(float)
    im = ax.imshow(np.ma.masked_invalid(shares.to_numpy()), cmap="Blues", vmin=0, vmax=1, aspect="auto")
    ax.set_xticks(range(shares.shape[1]), [str(c) for c in shares.columns])
    labels = [f"{d:%Y-%m} (n={n})" for d, n in zip(table.index, table["size"])]
    ax.set_yticks(range(len(labels)), labels, fontsize=7)
    ax.set_xlabel("periods since the cohort's first period")
    ax.set_title("Cohort retention (share active)")
    ax.figure.colorbar(im, ax=ax, fraction=0.03)
    return ax


def plot_tenure_survival(km: pd.DataFrame, ax=None, *, labels=None):
    """Kaplan–Meier tenure curves with 95 % bands, one per group.

    ``labels`` maps group values to legend text (``{True: "first post answered", ...}``); 0/1
    and True/False groups without labels read "yes" / "no", never "0" / "1".
    """
    ax = new_axes(ax)
    colors = [PALETTE["member"], PALETTE["host"], PALETTE["accent"], PALETTE["good"], PALETTE["neutral"]]
    for (group, g), color in zip(km.groupby("group"), colors * 5):
        if labels is not None and group in labels:
            name = labels[group]
        elif str(group) in ("True", "1", "1.0"):
            name = "yes"
        elif str(group) in ("False", "0", "0.0"):
            name = "no"
        else:
            name = str(group)
        ax.step(np.r_[0, g["days"]], np.r_[1, g["survival"]], where="post", color=color, label=name)
        ax.fill_between(np.r_[0, g["days"]], np.r_[1, g["ci_low"]], np.r_[1, g["ci_high"]], step="post", color=color, alpha=0.2)
    ax.set_ylim(0, 1.05)
    ax.set_xlabel("days since first contribution")
    ax.set_ylabel("share still a member")
    ax.set_title("Member tenure (Kaplan–Meier, 95% band)")
    ax.legend(frameon=False, fontsize=8)
    return ax


def plot_cohort_fit(model, survivors, horizon: int = 10, ax=None):
    """Observed survivors of one cohort (points) and a fitted retention model's projection (line).

    ``model`` has ``survival_function(periods)`` (e.g. the shifted-beta-geometric fit).
    """
    ax = new_axes(ax)
    periods = np.arange(len(survivors) + horizon)
    ax.plot(periods, model.survival_function(periods) * survivors[0], color=PALETTE["member"], label="model projection")
    ax.scatter(np.arange(len(survivors)), survivors, color="black", zorder=3, s=18, label="observed")
    ax.set_xlabel("period")
    ax.set_ylabel("members still active")
    whole_ticks(ax, "both")  # periods and members are counts
    ax.set_ylim(bottom=0)
    ax.legend(frameon=False)
    return ax


def plot_projection(projection: pd.DataFrame, currency: str = "$", axes=None):
    """Members and cumulative discounted value under each strategy, median with its band.

    ``projection`` as returned by :func:`communitylab.retention.economics.project_member_base`.
    Returns the two Axes.
    """
    import matplotlib.pyplot as plt

    if axes is None:
        _, axes = plt.subplots(1, 2, figsize=(11, 4), layout="constrained")
    names = {"retain": "keep members (programme)", "acquire": "acquire members"}
    colors = {"retain": PALETTE["good"], "acquire": PALETTE["accent"]}
    for strategy, g in projection.groupby("strategy"):
        color = colors.get(strategy, PALETTE["neutral"])
        axes[0].plot(g["period"], g["members"], color=color, label=names.get(strategy, strategy))
        axes[0].fill_between(g["period"], g["members_low"], g["members_high"], color=color, alpha=0.2, lw=0)
        axes[1].plot(g["period"], g["cumulative_value"], color=color, label=names.get(strategy, strategy))
        axes[1].fill_between(g["period"], g["value_low"], g["value_high"], color=color, alpha=0.2, lw=0)
    axes[0].set_title("members")
    axes[1].set_title("cumulative discounted value")
    money_axis(axes[1], currency)
    for ax in axes:
        ax.set_xlabel("period")
        ax.spines[["top", "right"]].set_visible(False)
        whole_ticks(ax, "x")
    whole_ticks(axes[0], "y")  # members
    axes[0].legend(frameon=False)
    return axes


def plot_decision_sensitivity(grid: pd.DataFrame, *, lift: float, cost: float, currency: str = "$", ax=None):
    """Keeping minus acquiring over retention lift (x, points) and acquisition cost (y), from
    :func:`communitylab.retention.economics.decision_sensitivity`; the break-even line drawn, and
    the study's assumptions (``lift``, ``cost``) marked."""
    ax = new_axes(ax, figsize=(7, 4.5))
    table = grid.pivot(index="acquisition_cost", columns="retention_lift", values="keep_minus_acquire")
    x, y, z = table.columns.to_numpy() * 100, table.index.to_numpy(), table.to_numpy()
    span = float(np.nanmax(np.abs(z))) or 1.0
    mesh = ax.pcolormesh(x, y, z, cmap="RdBu", vmin=-span, vmax=span, shading="nearest")
    if np.nanmin(z) < 0 < np.nanmax(z):
        ax.contour(x, y, z, levels=[0.0], colors="black", linewidths=1.2)
    ax.plot([lift * 100], [cost], marker="o", color="black", ms=7)
    ax.annotate("this study's assumptions", (lift * 100, cost), xytext=(6, 6), textcoords="offset points", fontsize=8)
    bar = ax.figure.colorbar(mesh, ax=ax, label="keeping minus acquiring (cumulative value)")
    money_axis(bar.ax, currency)
    money_axis(ax, currency)
    ax.set_xlabel("retention lift of the programme (points)")
    ax.set_ylabel("cost of acquiring one member")
    ax.set_title("Which strategy wins, as the assumptions change")
    return ax

