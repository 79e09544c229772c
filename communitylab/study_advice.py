"""Actions for the churn, survey and revitalization studies, from documented tables of rules.

Each study computes a few *signals* from its results (:func:`churn_signals`,
:func:`survey_signals`, :func:`intervention_signals`): a dict from a signal's id to the values
its sentence needs when the signal is present, or None when it is not. Each rules table
(:data:`CHURN_RULES`, :data:`SURVEY_RULES`, :data:`INTERVENTION_RULES`) maps a signal to an
action and why, in order of priority; :func:`actions_from` keeps the first three to five that
fire. The health study's rules live in :mod:`communitylab.engagement.advice`.

Examples
--------
>>> signals = {"bands_overlap": None, "acquire_wins": {"gap": "$61,775", "horizon": 10}}
>>> [a["signal"] for a in actions_from(CHURN_RULES, signals)]
['acquire_wins']
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

__all__ = ["StudyRule", "CHURN_RULES", "SURVEY_RULES", "INTERVENTION_RULES", "actions_from", "churn_signals", "survey_signals",
           "intervention_signals", "example_data"]

#: The churn study's default survivor counts: the example cohort of Fader & Hardie (2007).
EXAMPLE_SURVIVORS = [1000, 631, 468, 382, 326, 289, 262, 241]


def example_data(survivors: Sequence[float], transactions: str, source: str) -> str | None:
    """What example or simulated data a churn run rests on, in words; None when all is the user's own."""
    used = [what for what, yes in (("the example survivor counts of Fader & Hardie (2007)", list(survivors) == EXAMPLE_SURVIVORS),
                                   ("the CDNOW transactions", transactions == "cdnow"),
                                   ("simulated transactions", transactions == "simulated"),
                                   ("a simulated community log", source.startswith("sim:"))) if yes]
    return ", ".join(used[:-1]) + (" and " if len(used) > 1 else "") + used[-1] if used else None


@dataclass(frozen=True)
class StudyRule:
    """One row of a study's advice table: when ``signal`` is present, ``action``, because ``because``
    (formatted with the signal's values)."""

    signal: str
    action: str
    because: str


CHURN_RULES: tuple[StudyRule, ...] = (
    StudyRule("example_data", "Replace the example data with your own before deciding: your cohort's survivor counts "
              "(-p survivors) and your transactions (-p transactions).", "The figures rest on {what}, not on your members."),
    StudyRule("bands_overlap", "Run a small pilot of the programme and measure its real lift before committing the budget.",
              "The 90% bands of the two strategies overlap over {horizon} periods: the ranking is not certain."),
    StudyRule("acquire_wins", "Put this period's budget into acquiring members, and revisit once a programme's lift is measured.",
              "Acquiring yields {gap} more than keeping over {horizon} periods, and the 90% bands do not overlap."),
    StudyRule("keep_wins", "Fund the retention programme rather than acquisition.",
              "Keeping yields {gap} more than acquiring over {horizon} periods, and the 90% bands do not overlap."),
    StudyRule("lift_short", "Fund a programme only if it can lift retention by at least {needed} points.",
              "To pay for itself the programme must lift retention from {retention} to {target}; the assumed lift is {lift} points."),
    StudyRule("cannot_pay", "Cut the programme's cost per member below the margin a member earns, or drop it.",
              "The programme costs more per member than a member earns: it cannot pay for itself."),
    StudyRule("statement_off", "Correct the belief about churn that circulates: it is {direction} than what the cohort shows.",
              "\u201cWe lose {lost} every {periods} periods\u201d implies keeping {stated} a period; the cohort keeps {cohort}."),
)

SURVEY_RULES: tuple[StudyRule, ...] = (
    StudyRule("low_response", "Read the results as the views of those who answered; to speak for the membership, follow up "
              "non-respondents or weight the answers to the member base.",
              "Only {rate} of {population} members answered; the silent majority could change any share."),
    StudyRule("wide_margin", "Collect at least {need} answers before the next decision that rests on this survey.",
              "With {n} answers a share is known to about \u00b1{moe}; \u00b110 points needs {need}."),
    StudyRule("strong_agreement", "Act first on what members agree on most: {item}.",
              "{share} ({low} to {high}) of {n} respondents chose it."),
    StudyRule("no_difference", "Do not rank {a} above {b} (or the reverse) on this survey.",
              "Only {split} respondents chose one but not the other: no difference can be told (p = {p})."),
    StudyRule("association_lead", "Check the link between {row} and {col} with more answers before acting on it.",
              "It is clear among {n} respondents, too few to rely on."),
    StudyRule("next_survey", "Survey again in a few months with the same questions, to see a trend rather than a snapshot.",
              "This is one survey of {n} respondents."),
)

INTERVENTION_RULES: tuple[StudyRule, ...] = (
    StudyRule("supported", "Keep the interventions in place, and keep the phase that came with the largest change: {phase}.",
              "{outcome} ran {ratio}\u00d7 the earlier trend, and fake dates before show no change as large (p = {p})."),
    StudyRule("not_supported", "Do not claim the interventions worked yet: add comparison communities or wait for more periods.",
              "{outcome} ran {ratio}\u00d7 the earlier trend, but fake dates before show changes as large (p = {p})."),
    StudyRule("no_change", "Rethink the interventions, or give them more time, before investing further.",
              "The data cannot tell a change in {outcome} from its earlier trend ({ratio}\u00d7, interval {low} to {high})."),
    StudyRule("shared_change", "Quote the change beyond the comparison communities (\u00d7{did}), not the before/after figure "
              "(\u00d7{alone}): part of the change happened everywhere.", "The comparison communities changed too over the same "
              "periods: before/after alone says \u00d7{alone}, the comparison \u00d7{did} (interval {low} to {high})."),
    StudyRule("not_parallel", "Find comparison communities that moved like this one before the start (same platform, same "
              "audience), then run the study again.", "Before the start the treated and comparison communities did not run "
              "parallel (leads jointly p = {p}), so the comparison is doubtful."),
    StudyRule("no_comparison", "Add comparison communities with no intervention (other channels, the same community elsewhere, "
              "similar communities: parameter comparison) to tell the intervention from what changed everywhere.",
              "Without them, a season, a platform change or the market cannot be ruled out."),
    StudyRule("no_placebo", "Collect more history before the next intervention, so its effect can be checked.",
              "Too few periods before the first intervention to test fake dates."),
    StudyRule("autocorrelated", "Read the intervals as too narrow, or use the HAC errors the study shows.",
              "The model's residuals are autocorrelated (Ljung-Box p = {p})."),
    StudyRule("keep_measuring", "Run this study again each month to see whether the change lasts.",
              "The effect is estimated over {periods} {period}s after the first intervention."),
)


def actions_from(rules: Sequence[StudyRule], signals: Mapping[str, Mapping[str, Any] | None], *, limit: int = 5) -> list[dict[str, str]]:
    """The actions of the rules whose signal is present, in the table's order, at most ``limit``."""
    out = []
    for rule in rules:
        values = signals.get(rule.signal)
        if values is None or len(out) >= limit:
            continue
        out.append({"action": rule.action.format(**values), "because": rule.because.format(**values), "signal": rule.signal})
    return out


def churn_signals(at_horizon, winner: str, break_even: Mapping[str, Any], retention: float, lift: float, stated: float,
                  lost_share: float, lost_over_periods: float, horizon: int, *, example_data: str | None,
                  currency: str = "$") -> dict[str, dict | None]:
    """The churn study's signals (see the module docstring); ``example_data``: what default data the run rests on, or None."""
    from communitylab.report import money

    a, r = at_horizon.loc["acquire"], at_horizon.loc["retain"]
    overlap = not (r["value_low"] > a["value_high"] or a["value_low"] > r["value_high"])
    gap = money(abs(r["cumulative_value"] - a["cumulative_value"]), currency)
    feasible = bool(break_even.get("feasible"))
    needed = break_even.get("improvement", 0.0) if feasible else None
    return {
        "example_data": {"what": example_data} if example_data else None,
        "bands_overlap": {"horizon": horizon} if overlap else None,
        "acquire_wins": {"gap": gap, "horizon": horizon} if not overlap and winner == "acquiring members" else None,
        "keep_wins": {"gap": gap, "horizon": horizon} if not overlap and winner == "keeping members" else None,
        "lift_short": ({"needed": f"{needed * 100:.1f}", "retention": f"{retention:.1%}", "target": f"{break_even['retention_needed']:.1%}",
                        "lift": f"{lift * 100:.1f}"} if feasible and needed > lift else None),
        "cannot_pay": {} if not feasible else None,
        "statement_off": ({"direction": "gloomier" if stated < retention else "rosier", "lost": f"{lost_share:.0%}",
                           "periods": f"{lost_over_periods:g}", "stated": f"{stated:.1%}", "cohort": f"{retention:.1%}"}
                          if abs(stated - retention) >= 0.05 else None),
    }


def survey_signals(n: int, population: int | None, figures: Sequence[Mapping[str, Any]], comparison: Mapping[str, Any] | None,
                   crosstab: Mapping[str, Any] | None, *, labels: tuple[str, str] = ("", ""), level: float = 0.95) -> dict[str, dict | None]:
    """The survey study's signals: a low response rate, a wide margin, the item members agree on most
    (from ``figures``, :func:`communitylab.report.survey_key_figures`), a comparison that cannot tell
    two options apart (``comparison``, :func:`communitylab.survey.items.compare_options`), an
    association from too few respondents (``crosstab``, the test of
    :func:`communitylab.survey.items.crosstab_test`; ``labels``: its row and column), and always a
    next survey."""
    from communitylab.survey.proportions import margin_of_error, sample_size_for_margin
    from communitylab.tables import as_percent

    rate = n / population if population else None
    moe = margin_of_error(n, population or None, level=level)
    need10 = sample_size_for_margin(0.10, population, level=level) if population else None
    shares = [f for f in figures if f.get("share") and f.get("figure") != "Members who answered" and f.get("estimate") is not None]
    top = max(shares, key=lambda f: f["estimate"]) if shares else None
    p_cross = None if crosstab is None else (crosstab.get("p_value_permutation") if crosstab.get("min_expected", 5) < 5 else crosstab["p_value"])
    return {
        "low_response": {"rate": f"{rate:.1%}", "population": f"{population:,}"} if rate is not None and rate < 0.5 else None,
        "wide_margin": {"n": f"{n:,}", "moe": f"{moe:.0%}", "need": f"{need10:,}"} if need10 and moe > 0.10 else None,
        "strong_agreement": ({"item": top["figure"], "share": as_percent(top["estimate"]), "low": as_percent(top["low"]),
                              "high": as_percent(top["high"]), "n": f"{int(top['n']):,}"} if top and top["estimate"] >= 0.6 else None),
        "no_difference": ({"a": comparison["option_a"], "b": comparison["option_b"], "split": int(comparison["only_a"]) + int(comparison["only_b"]),
                           "p": f"{comparison['p_value']:.2g}"} if comparison is not None and comparison["p_value"] >= 0.05 else None),
        "association_lead": ({"row": labels[0], "col": labels[1], "n": f"{int(crosstab['n']):,}"}
                             if p_cross is not None and p_cross < 0.05 and crosstab["n"] < 30 else None),
        "next_survey": {"n": f"{n:,}"},
    }


def _comparison_signals(impact, versus) -> dict[str, dict | None]:
    did = getattr(versus, "did", None)
    if did is None:
        return {"shared_change": None, "not_parallel": None, "no_comparison": {}}
    apart = impact["ratio_low"] > did.ci_high or impact["ratio_high"] < did.ci_low
    return {"shared_change": {"did": f"{did.rate_ratio:.2f}", "alone": f"{impact['ratio']:.2f}", "low": f"{did.ci_low:.2f}",
                              "high": f"{did.ci_high:.2f}"} if apart else None,
            "not_parallel": {"p": f"{did.pretrend_p:.2g}"} if did.parallel_before is False else None,
            "no_comparison": None}


def intervention_signals(impact, placebo, effects, residual_p: float | None, outcome: str, period: str, *,
                         versus=None) -> dict[str, dict | None]:
    """The revitalization study's signals, read as its headline reads them (:func:`communitylab.report.intervention_answer`,
    :func:`communitylab.report.placebo_check`); ``versus``: the comparison designs
    (:func:`communitylab.intervention.compare`), None or without a comparison when there is none."""
    from communitylab.report import placebo_check

    what = outcome.replace("_", " ").capitalize()
    sure = impact["ratio_low"] > 1 or impact["ratio_high"] < 1
    best, best_p, ok = placebo_check(placebo)
    p_values = {best: best_p} if best is not None else {}
    base = {"outcome": what, "ratio": f"{impact['ratio']:.1f}", "low": f"{impact['ratio_low']:.1f}", "high": f"{impact['ratio_high']:.1f}"}
    largest = effects.loc[effects["level_change"].idxmax(), "phase"] if len(effects) else "the first"
    return {
        "supported": {**base, "phase": largest, "p": f"{p_values[best]:.2f}"} if sure and ok else None,
        "not_supported": {**base, "p": f"{p_values[best]:.2f}"} if sure and best is not None and not ok else None,
        "no_change": base if not sure else None,
        **_comparison_signals(impact, versus),
        "no_placebo": {} if best is None else None,
        "autocorrelated": {"p": f"{residual_p:.3f}"} if residual_p is not None and residual_p < 0.05 else None,
        "keep_measuring": {"periods": int(impact["periods"]), "period": period},
    }
