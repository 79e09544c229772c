"""Small helpers that make a study read like a report (run header, load report, tidy tables)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

import pandas as pd

__all__ = ["run_header", "format_estimates", "churn_answer", "survey_capability"]


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


def churn_answer(end: pd.DataFrame, winner: str, break_even: dict, retention: float, lift: float, horizon: int) -> str:
    """The opening paragraph of the churn-versus-acquisition study, in plain words."""
    a, r = end.loc["acquire"], end.loc["retain"]
    diff = r["cumulative_value"] - a["cumulative_value"]
    overlap = not (r["value_low"] > a["value_high"] or a["value_low"] > r["value_high"])
    sure = "the 90% bands overlap, so the ranking is not certain" if overlap else "the 90% bands do not overlap"
    be = break_even
    need = (f"To pay for itself the programme must lift retention from {retention:.1%} to {be['retention_needed']:.1%} "
            f"(+{be['improvement'] * 100:.1f} points); the assumed lift is +{lift * 100:.1f} points."
            if be["feasible"] else "The programme costs more per member than a member earns: it cannot pay for itself.")
    return (f"**Over {horizon} periods, {winner} wins**: cumulative discounted value {r['cumulative_value']:,.0f} (keep) vs "
            f"{a['cumulative_value']:,.0f} (acquire), a difference of {diff:,.0f}; {sure} "
            f"(keep {r['value_low']:,.0f} to {r['value_high']:,.0f}; acquire {a['value_low']:,.0f} to {a['value_high']:,.0f}). {need}")


def survey_capability(n: int, population: int | None, level: float = 0.95) -> str:
    """What a survey of ``n`` respondents out of ``population`` members can and cannot support."""
    from communitylab.survey.proportions import margin_of_error, sample_size_for_margin

    if not population:
        moe = margin_of_error(n, None, level=level)
        return f"{n} respondents; population unknown. Margin of error up to ±{moe:.0%} ({level:.0%} confidence) *if* respondents were a random sample."
    moe = margin_of_error(n, population, level=level)
    need5, need10 = sample_size_for_margin(0.05, population, level=level), sample_size_for_margin(0.10, population, level=level)
    rate = n / population
    lines = [
        f"**{n} of {population} members answered ({rate:.1%}).** Even if they were a random sample, a share is known only to "
        f"about ±{moe:.0%} ({level:.0%} confidence, finite population corrected); ±10 points would need {need10} answers, ±5 points {need5}.",
    ]
    if rate < 0.5:
        lines.append(
            f"With {1 - rate:.0%} of members silent, nonresponse dominates: if every non-respondent had answered the other way, "
            "any share could lie almost anywhere between 0 and 100% (bounds below). Treat the results as the views of those who "
            "answered, not of the membership."
        )
    return "\n\n".join(lines)
