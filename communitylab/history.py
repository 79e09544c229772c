"""Week-over-week: the ``summary.json`` of past runs of a study as a trend table and chart.

``communitylab history community_health`` reads every successful run under
``reports/community_health/`` (failed runs are left out), in run order, and lays out each run's
headline figures: top-level numbers, texts and booleans, and the values of listed signals
(``signals``: ``signal -> value``), one column each.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pandas as pd

__all__ = ["run_history", "plot_history"]


def _figures(summary: dict[str, Any]) -> dict[str, Any]:
    row: dict[str, Any] = {}
    for key, value in summary.items():
        if key.startswith("_"):
            continue
        if isinstance(value, bool | int | float | str) or value is None:
            row[key] = value
        elif isinstance(value, list) and value and all(isinstance(v, dict) and {"signal", "value"} <= set(v) for v in value):
            row.update({f"{key}: {v['signal']}": v["value"] for v in value})
    return row


def run_history(study: str, out_dir: str | os.PathLike = "reports") -> pd.DataFrame:
    """One row per successful run: ``run_id, finished_utc`` and the run's headline figures.

    Raises
    ------
    FileNotFoundError
        No successful run of ``study`` under ``out_dir``.
    ParameterError
        ``study`` is a path, not a study's name.
    """
    from communitylab.errors import ParameterError

    if not study or any(c in study for c in "/\\") or study.startswith("."):
        raise ParameterError(f"no study {study!r}: expected a study name, not a path")
    root = Path(out_dir) / study
    rows = []
    for folder in sorted(p for p in root.glob("*") if p.is_dir() and not p.name.startswith(("failed-", "."))):
        path = folder / "summary.json"
        if not path.exists():
            continue
        summary = json.loads(path.read_text())
        finished = summary.get("_finished_utc")
        if finished is None and (folder / "manifest.json").exists():
            finished = json.loads((folder / "manifest.json").read_text()).get("finished_utc")
        rows.append({"run_id": folder.name, "finished_utc": pd.Timestamp(finished) if finished else pd.NaT, **_figures(summary)})
    if not rows:
        raise FileNotFoundError(f"no successful run of {study!r} under {root}")
    out = pd.DataFrame(rows).sort_values(["finished_utc", "run_id"], kind="stable").reset_index(drop=True)
    return out


def plot_history(history: pd.DataFrame, *, columns: list[str] | None = None, max_panels: int = 9):
    """Small multiples of the numeric figures over the runs; returns the matplotlib Figure."""
    import matplotlib.pyplot as plt

    numeric = [c for c in history.columns if c not in ("run_id", "finished_utc") and pd.api.types.is_numeric_dtype(history[c])
               and not pd.api.types.is_bool_dtype(history[c])]
    columns = (columns or numeric)[:max_panels]
    n = max(1, len(columns))
    ncols = min(3, n)
    nrows = -(-n // ncols)
    fig, axes = plt.subplots(nrows, ncols, figsize=(4 * ncols, 2.6 * nrows), squeeze=False, layout="constrained")
    x = history["finished_utc"] if history["finished_utc"].notna().all() else pd.RangeIndex(len(history))
    for ax, col in zip(axes.ravel(), columns):
        ax.plot(x, history[col], marker="o")
        ax.set_title(col, fontsize=9)
        ax.tick_params(axis="x", labelrotation=30, labelsize=7)
    for ax in axes.ravel()[len(columns):]:
        ax.set_axis_off()
    return fig
