"""Small helpers that make a study read like a report (run header, load report, tidy tables)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

import pandas as pd

__all__ = ["run_header", "format_estimates"]


def run_header(study: str, parameters: Mapping[str, Any], sources: Mapping[str, Any] | None = None) -> str:
    """Markdown stating what was analysed, when and with which version (first visible output)."""
    from communitylab import __version__

    now = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    params = ", ".join(f"`{k}` = {v!r}" for k, v in parameters.items())
    lines = [f"**{study}** — run {now}, communitylab {__version__}, pandas {pd.__version__}.", "", f"Parameters: {params}."]
    for name, community in (sources or {}).items():
        r = community.report
        lines.append(f"\nData `{name}`: {r.rows_read:,} rows read, {r.rows_loaded:,} loaded, {r.excluded:,} excluded by stated rules (load report below).")
    return "\n".join(lines)


def format_estimates(table: pd.DataFrame, *, percent: bool = False, digits: int = 2) -> pd.DataFrame:
    """``metric, estimate, ci_low, ci_high, n, method`` → one readable column ``estimate (95% CI)``."""
    def fmt(v: float) -> str:
        if pd.isna(v):
            return "–"
        return f"{v:.{digits - 2 if digits > 2 else 0}%}" if percent else f"{v:,.{digits}f}"

    out = table.copy()
    out["estimate (95% CI)"] = [
        f"{fmt(e)} ({fmt(lo)} to {fmt(hi)})" if pd.notna(lo) else fmt(e) for e, lo, hi in zip(out["estimate"], out["ci_low"], out["ci_high"])
    ]
    return out[["metric", "estimate (95% CI)", "n", "method"]]
