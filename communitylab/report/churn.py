"""The churn-versus-acquisition study's words: its answer, its key figures and its captions."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from communitylab.report.formatting import key_figure, md_escape, money, source_label

__all__ = ["churn_answer", "churn_data_named", "sensitivity_caption", "value_per_customer_text", "churn_key_figures"]


def churn_answer(end: pd.DataFrame, winner: str, break_even: dict, retention: float, lift: float, horizon: int,
                 currency: str = "$") -> str:
    """The opening paragraph of the churn-versus-acquisition study, in plain words."""
    a, r = end.loc["acquire"], end.loc["retain"]
    diff = r["cumulative_value"] - a["cumulative_value"]
    m = lambda v: md_escape(money(v, currency))  # noqa: E731
    overlap = not (r["value_low"] > a["value_high"] or a["value_low"] > r["value_high"])
    sure = "the 90% bands overlap, so the ranking is not certain" if overlap else "the 90% bands do not overlap"
    be = break_even
    need = (f"To pay for itself the programme must lift retention from {retention:.1%} to {be['retention_needed']:.1%} "
            f"(+{be['improvement'] * 100:.1f} points); the assumed lift is +{lift * 100:.1f} points."
            if be["feasible"] else "The programme costs more per member than a member earns: it cannot pay for itself.")
    gap = f"keeping members yields {m(abs(diff))} {'more' if diff >= 0 else 'less'} than acquiring them"
    return (f"**Over {horizon} periods, {winner} wins**: cumulative discounted value {m(r['cumulative_value'])} (keep) vs "
            f"{m(a['cumulative_value'])} (acquire): {gap}; {sure} "
            f"(keep {m(r['value_low'])} to {m(r['value_high'])}; acquire {m(a['value_low'])} to {m(a['value_high'])}). {need}")


def churn_data_named(survivors: list, transactions: str, source: str) -> str:
    """What the churn study's figures rest on, named on its first screen (example or simulated data
    said as such, so nobody takes them for the client's own)."""
    from communitylab.study_advice import EXAMPLE_SURVIVORS

    cohort = ("the default survivor counts (the example cohort of Fader & Hardie 2007), not your members': give yours with "
              "-p survivors" if list(survivors) == EXAMPLE_SURVIVORS else f"the survivor counts given ({len(survivors)} periods from {survivors[0]:,})")
    tx = {"cdnow": "the CDNOW sample (a 1990s online music retailer), not your customers: give a CSV with -p transactions",
          "simulated": "a simulated log drawn from the published CDNOW fits, not your customers: give a CSV with -p transactions",
          }.get(transactions) or f"the transactions in {source_label(transactions)}"
    log = (f"a simulated community ({source.removeprefix('sim:')})" if source.startswith("sim:") else source_label(source))
    return (f"Retention and the decision: {md_escape(cohort)}. Value per customer: {md_escape(tx)}. "
            f"Cohorts and tenure from the event log: {md_escape(log)}.")


def sensitivity_caption(grid: pd.DataFrame, *, lift: float, cost: float, currency: str = "$") -> str:
    """The sensitivity chart's caption from its grid: where the break-even lies at the assumed cost and lift."""
    at_cost = grid[np.isclose(grid["acquisition_cost"], grid["acquisition_cost"].iloc[(grid["acquisition_cost"] - cost).abs().argmin()])]
    wins = at_cost[at_cost["keep_minus_acquire"] > 0]
    need = (f"at {money(cost, currency)} a member, keeping beats acquiring from a lift of {wins['retention_lift'].min() * 100:.1f} "
            "points (paying for itself, in the summary, is a lower bar: the programme's value against its own cost)"
            if len(wins) else f"at {money(cost, currency)} a member, keeping does not beat acquiring at any lift up to "
                              f"{grid['retention_lift'].max() * 100:.0f} points")
    return (f"Cumulative value of keeping minus acquiring (blue: keeping wins; red: acquiring wins) by the programme's retention "
            f"lift and the cost of a new member; {need}. The dot is this study's assumption ({lift * 100:.1f} points, "
            f"{money(cost, currency)}).")


def value_per_customer_text(expected_value: pd.Series, currency: str = "$") -> str:
    """One sentence on what a customer is worth over the next 52 weeks, in money."""
    v = pd.Series(expected_value, dtype=float).dropna()
    mean, median, n = float(v.mean()), float(v.median()), len(v)
    se = float(v.std(ddof=1) / np.sqrt(n)) if n > 1 else np.nan
    lo, hi = mean - 1.96 * se, mean + 1.96 * se
    return (f"**A customer is expected to spend {md_escape(money(mean, currency))} over the next 52 weeks on average** "
            f"({md_escape(money(lo, currency))} to {md_escape(money(hi, currency))}, 95% interval over {n:,} customers; the median "
            f"customer {md_escape(money(median, currency))}: a few customers hold most of the value, table below).")


def churn_key_figures(at_horizon: pd.DataFrame, retention: tuple[float, float, float], break_even: Mapping[str, Any], stated: float, *,
                      horizon: int, n_draws: int, cohort_size: int, lift: float, lost_share: float, lost_over_periods: float,
                      currency: str = "$") -> list[dict[str, Any]]:
    """The churn study's figures that matter: each strategy's value at the horizon, the cohort's
    retention, the retention a programme needs to pay for itself, and the one a statement implies."""
    keep, acquire = at_horizon.loc["retain"], at_horizon.loc["acquire"]
    r0, r_low, r_high = retention
    feasible = bool(break_even["feasible"])
    band = "90% band over parameter draws"
    return [
        key_figure(f"Cumulative value after {horizon} periods, keeping members", keep["cumulative_value"], keep["value_low"],
                   keep["value_high"], n_draws, currency=currency, note=band),
        key_figure(f"Cumulative value after {horizon} periods, acquiring members", acquire["cumulative_value"], acquire["value_low"],
                   acquire["value_high"], n_draws, currency=currency, note=band),
        key_figure("Retention a period, from the cohort", r0, r_low, r_high, cohort_size, share=True,
                   note=f"equivalent constant rate over {horizon} periods; 90% band"),
        key_figure("Retention the programme must reach to pay for itself", break_even["retention_needed"] if feasible else np.nan,
                   share=True, note=f"assumed lift +{lift * 100:.1f} points" if feasible else "cannot pay for itself"),
        key_figure("Retention the statement implies", stated, share=True, note=f"losing {lost_share:.0%} over {lost_over_periods:g} periods"),
    ]
