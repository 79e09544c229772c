"""The member survey's words: what a sample of its size can tell, questions, options, cross-tabs."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd

from communitylab.report.formatting import key_figure, md_escape

__all__ = ["segment_test", "survey_capability", "question_label", "options_sentence", "crosstab_sentence", "survey_key_figures", "reliability_sentence"]


def segment_test(question: str, segment: str, test: Mapping[str, Any]) -> str:
    """One sentence for a segment comparison: the Rao–Scott F test in words."""
    return (f"**{question}** by {segment}: top-two-box share per {segment} (domains of the design); Rao–Scott F = {test['statistic']:.2f} on "
            f"{test['ndf']:.2f} and {test['ddf']:.1f} df, p = {test['p_value']:.3g}.")


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


def question_label(question, width: int = 80) -> str:
    """A question as a reader knows it: its text (shortened at a word, with "…"), its code only
    when the codebook gives no text."""
    text = " ".join(str(getattr(question, "text", "") or "").split())
    if not text:
        return str(question.id)
    return text if len(text) <= width else text[: text.rfind(" ", 0, width - 1)].rstrip(" ,;:") + "…"


def options_sentence(mc: Mapping[str, Any], question) -> str:
    """An exact McNemar comparison of two options, in words (``mc`` from :func:`communitylab.survey.items.compare_options`)."""
    a, b = md_escape(str(mc["option_a"])), md_escape(str(mc["option_b"]))
    split = int(mc["only_a"]) + int(mc["only_b"])
    clear = mc["p_value"] < 0.05
    return (f"Asked \u201c{md_escape(question_label(question))}\u201d, {int(mc['chose_a']):,} respondents chose *{a}* and "
            f"{int(mc['chose_b']):,} chose *{b}*. Only the {split:,} who chose one but not the other tell the options apart "
            f"({int(mc['only_a']):,} only the first, {int(mc['only_b']):,} only the second): "
            + (f"the difference is clear (exact McNemar test, p = {mc['p_value']:.2g})." if clear else
               f"no difference can be told (exact McNemar test, p = {mc['p_value']:.2g}); "
               "with so few respondents in disagreement, a real difference could still go unseen."))


def crosstab_sentence(test: Mapping[str, Any], row_label: str, col_label: str) -> str:
    """A test of independence in words, with its caveat: the exact or permutation p-value wherever
    expected counts are small (``test`` from :func:`communitylab.survey.items.crosstab_test`)."""
    n = int(test["n"])
    what = f"{md_escape(row_label)} and {md_escape(col_label)}"
    if test["test"] == "Fisher exact":
        p = float(test["p_value"])
        return (f"Between {what} ({n:,} respondents), " + ("there is a clear association" if p < 0.05 else "no association can be told")
                + f" (Fisher's exact test, p = {p:.2g}).")
    small = float(test["min_expected"]) < 5
    p = float(test["p_value_permutation"] if small else test["p_value"])
    how = (f"permutation test, p = {p:.2g}: expected counts as low as {float(test['min_expected']):.2g} make the usual chi-square "
           f"p-value ({float(test['p_value']):.2g}) unreliable" if small else f"chi-square test, p = {p:.2g}")
    few = f" With {n:,} respondents, read it as a lead to check, not a finding." if p < 0.05 and n < 30 else ""
    return (f"Between {what} ({n:,} respondents), " + ("there is a clear association" if p < 0.05 else "no association can be told")
            + f" ({how}).{few}")


def survey_key_figures(responses: pd.DataFrame, codebook, population: int | None, *, method: str = "wilson",
                       level: float = 0.95, limit: int = 5) -> list[dict[str, Any]]:
    """The survey's headline figures: the response rate, then the top-two-box share of each Likert
    question and the most chosen option of each multi-select question, each with its interval and n."""
    from communitylab.survey import items, proportions

    out = []
    n = len(responses)
    if population:
        out.append(key_figure("Members who answered", n / population, n=n, share=True,
                              note=f"of {population:,} invited; margin of error ±"
                                   f"{proportions.margin_of_error(n, population, level=level):.0%}"))
    for q in codebook.questions.values():
        if len(out) >= limit:
            break
        if q.type == "likert":
            top = items.top_box(responses, q, boxes=2, population=population or None, method=method, level=level)
            out.append(key_figure(f"{question_label(q, 60)}: {' or '.join(q.levels[-2:])}", top["estimate"], top["ci_low"],
                                  top["ci_high"], top["n"], share=True, note="top-two-box"))
        elif q.type == "multi":
            table = items.question_summary(responses, q, population=population or None, method=method, level=level)
            best = table.sort_values("share", ascending=False).iloc[0]
            out.append(key_figure(f"{question_label(q, 60)}: {best['option']}", best["share"], best["ci_low"], best["ci_high"],
                                  best["n"], share=True, note="the most chosen option"))
    return out


def reliability_sentence(alpha: Mapping[str, Any] | None, scale_items: list[str]) -> str:
    """Cronbach's alpha of a scale in words, or why reliability does not apply (``alpha`` None)."""
    items = ", ".join(scale_items) or "none given"
    if alpha is None:
        return f"_Scale reliability does not apply: the survey has no items of one scale ({items}; parameter `scale_items`)._"
    return (f"Scale reliability: Cronbach's alpha of {items} is {alpha['alpha']:.2f} (95% interval {alpha['ci_low']:.2f} to "
            f"{alpha['ci_high']:.2f}, n = {int(alpha['n'])}).")
