"""Small helpers that make a study read like a report (run header, load report, tidy tables)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["intervention_key_figures", "before_after_table", "survey_key_figures", "setup", "caption", "show_figure", "key_figure", "key_figures", "executive_summary", "actions_text", "text", "glossary", "churn_data_named", "sensitivity_caption", "value_per_customer_text", "question_label", "options_sentence", "crosstab_sentence", "placebo_check", "table_or_reason", "reliability_sentence", "churn_key_figures", "segment_test", "money", "source_label", "run_header", "churn_answer", "survey_capability", "intervention_answer", "its_diagnostics"]


def source_label(source: str, show_personal_data: bool = False) -> str:
    """How a report names its data: a registered name or scenario as is; a local path as its file name
    and content hash (``slack-export.zip, sha256 1a2b3c4d5e6f``), never the folder it sits in
    (which may name the client or the analyst), unless personal data are shown."""
    from pathlib import Path

    from communitylab.datasets import DATASETS
    from communitylab.files import sha256_tree
    from communitylab.locations import basename, is_uri

    if source in DATASETS or source.startswith("sim:"):
        return source
    if is_uri(source):  # a store on shared storage: its name, not the bucket or host that holds it
        return source if show_personal_data else basename(source)
    path = Path(source).expanduser()
    if not path.exists():
        return path.name
    if show_personal_data:
        return str(path)
    return f"{path.name}, sha256 {sha256_tree(path)[:12]}"


def run_header(study: str, parameters: Mapping[str, Any], sources: Mapping[str, Any] | None = None) -> str:
    """Markdown stating what was analysed and when, its settings in plain words (first visible
    output); package versions are in the run's ``manifest.json``, not in a client's report."""
    now = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    params = "; ".join(f"{k}: {_plain_value(v)}" for k, v in parameters.items())
    lines = [f"**{study}** — run {now}.", "", f"Settings: {params}."]
    for name, community in (sources or {}).items():
        r = community.report
        lines.append(f"\nData `{name}`: {r.rows_read:,} rows read, {r.rows_loaded:,} loaded, {r.excluded:,} excluded by stated rules (load report below).")
    return "\n".join(lines)


def text(value: Any) -> str:
    """Text from data or a parameter (a community's name, an answer), safe inside a study's
    Markdown: a dollar sign is money, never a formula (HTML in it is escaped when the report renders)."""
    return _md_escape(str(value))


def _plain_value(value: Any) -> str:
    """A setting as a reader writes it: text without quotes, lists joined, nothing for empty."""
    if isinstance(value, list | tuple):
        return ", ".join(_plain_value(v) for v in value) or "none"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:g}"
    return _md_escape(str(value)) if str(value) else "none"


def _md_escape(text: str) -> str:
    """Text safe inside Markdown: a dollar sign is money, never the start of a formula."""
    return text.replace("$", r"\$")


def segment_test(question: str, segment: str, test: Mapping[str, Any]) -> str:
    """One sentence for a segment comparison: the Rao–Scott F test in words."""
    return (f"**{question}** by {segment}: top-two-box share per {segment} (domains of the design); Rao–Scott F = {test['statistic']:.2f} on "
            f"{test['ndf']:.2f} and {test['ddf']:.1f} df, p = {test['p_value']:.3g}.")


def money(value: float, currency: str = "$") -> str:
    """``$61,775`` / ``61,775 €``: a currency symbol of one character goes first, a code after."""
    text = f"{abs(value):,.0f}"
    sign = "-" if value < 0 else ""
    return f"{sign}{currency}{text}" if len(currency) == 1 else f"{sign}{text} {currency}"


def churn_answer(end: pd.DataFrame, winner: str, break_even: dict, retention: float, lift: float, horizon: int,
                 currency: str = "$") -> str:
    """The opening paragraph of the churn-versus-acquisition study, in plain words."""
    a, r = end.loc["acquire"], end.loc["retain"]
    diff = r["cumulative_value"] - a["cumulative_value"]
    m = lambda v: _md_escape(money(v, currency))  # noqa: E731
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
    return (f"Retention and the decision: {_md_escape(cohort)}. Value per customer: {_md_escape(tx)}. "
            f"Cohorts and tenure from the event log: {_md_escape(log)}.")


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
    return (f"**A customer is expected to spend {_md_escape(money(mean, currency))} over the next 52 weeks on average** "
            f"({_md_escape(money(lo, currency))} to {_md_escape(money(hi, currency))}, 95% interval over {n:,} customers; the median "
            f"customer {_md_escape(money(median, currency))}: a few customers hold most of the value, table below).")


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
    a, b = _md_escape(str(mc["option_a"])), _md_escape(str(mc["option_b"]))
    split = int(mc["only_a"]) + int(mc["only_b"])
    clear = mc["p_value"] < 0.05
    return (f"Asked \u201c{_md_escape(question_label(question))}\u201d, {int(mc['chose_a']):,} respondents chose *{a}* and "
            f"{int(mc['chose_b']):,} chose *{b}*. Only the {split:,} who chose one but not the other tell the options apart "
            f"({int(mc['only_a']):,} only the first, {int(mc['only_b']):,} only the second): "
            + (f"the difference is clear (exact McNemar test, p = {mc['p_value']:.2g})." if clear else
               f"no difference can be told (exact McNemar test, p = {mc['p_value']:.2g}); "
               "with so few respondents in disagreement, a real difference could still go unseen."))


def crosstab_sentence(test: Mapping[str, Any], row_label: str, col_label: str) -> str:
    """A test of independence in words, with its caveat: the exact or permutation p-value wherever
    expected counts are small (``test`` from :func:`communitylab.survey.items.crosstab_test`)."""
    n = int(test["n"])
    what = f"{_md_escape(row_label)} and {_md_escape(col_label)}"
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


#: A placebo p-value above this means fake dates show changes as large as the real one: the
#: headline does not call the change an effect of the interventions.
PLACEBO_ALPHA = 0.1


def placebo_check(placebo: pd.DataFrame) -> tuple[str | None, float | None, bool]:
    """``(phase, p, supports)`` of a placebo-in-time table: the real phase with the smallest placebo
    p-value, that p-value, and whether it supports calling the change an effect (p at most
    :data:`PLACEBO_ALPHA`, or the smallest p that so few fake dates allow, 1/(n+1)); ``(None, None,
    False)`` when no fake date could be tested."""
    n = placebo.attrs.get("n_placebos", 0)
    p_values = placebo.attrs.get("p_values", {}) if n else {}
    if not p_values:
        return None, None, False
    best = min(p_values, key=p_values.get)
    p = float(p_values[best])
    return best, p, p <= PLACEBO_ALPHA or p <= 1 / (n + 1) + 1e-12


def intervention_answer(
    effects: pd.DataFrame, impact: pd.Series, placebo: pd.DataFrame, outcome: str, period: str, level: float = 0.95, *, no_change: float = 1.0
) -> str:
    """The opening paragraph of the intervention study: how much the outcome changed, how sure, and
    whether fake dates before the interventions show changes as large.

    ``no_change`` is the value of a phase effect meaning "nothing happened": 1 for the rate ratios
    of a Poisson model, 0 for the differences of a Gaussian one.
    """
    ratio = impact["ratio"]
    sure = impact["ratio_low"] > 1 or impact["ratio_high"] < 1
    direction = "higher" if ratio > 1 else "lower"
    best, best_p, placebo_ok = placebo_check(placebo)
    p_values = {best: best_p} if best is not None else {}
    what = outcome.replace("_", " ")
    figures = (f"{ratio:.1f}× what the earlier trend predicts ({impact['observed']:,.0f} observed against "
               f"{impact['counterfactual']:,.0f} expected over {int(impact['periods'])} {period}s; {level:.0%} interval of the ratio "
               f"{impact['ratio_low']:.1f} to {impact['ratio_high']:.1f})")
    # the headline is the conclusion of the interval and the checks together, never the point estimate alone
    if not sure:
        head = f"**The data cannot tell a change in {what} from its earlier trend.** It ran {figures}: the interval includes 1."
    elif best is None:
        head = (f"**{what.capitalize()} ran {direction} than its earlier trend predicts, but no check of that trend was possible** "
                f"(too few periods before the first intervention for fake dates). It ran {figures}.")
    elif placebo_ok:
        head = (f"**{what.capitalize()} changed after the interventions, and the check of the earlier trend supports it.** It ran "
                f"{figures}; fake dates before the interventions show no change as large (placebo p = {p_values[best]:.2f}).")
    else:
        head = (f"**{what.capitalize()} ran {direction} than the earlier trend predicts, but the check of that trend does not support "
                f"calling it an effect of the interventions.** It ran {figures}; yet fake dates before the interventions show "
                f"changes as large (placebo p = {p_values[best]:.2f}, above {PLACEBO_ALPHA:g}): chance or a trend the model misses "
                "may explain it.")
    lines = [head]
    clear = effects[(effects["level_ci_low"] > no_change) | (effects["level_ci_high"] < no_change)]
    times = "×" if no_change == 1.0 else ""
    if len(clear):
        parts = [f"*{r.phase}* ({times}{r.level_change:.1f}, {r.level_ci_low:.1f} to {r.level_ci_high:.1f})" for r in clear.itertuples()]
        lines.append(f"Phases with a level change whose interval excludes {no_change:g}: " + "; ".join(parts) + ".")
    else:
        lines.append(f"No single phase has a level change whose interval excludes {no_change:g}.")
    n = placebo.attrs.get("n_placebos", 0)
    if best is not None:
        lines.append(
            f"Placebo check: the same model fitted at {n} fake dates before the first intervention; for the largest real "
            f"phase change (*{best}*) the placebo p-value (share of fake dates, counting the real one, with a change at "
            f"least as large) is {best_p:.2f}"
            + (" (the smallest value possible with so few fake dates)." if best_p <= 1 / (n + 1) + 1e-12 else ".")
        )
    else:
        lines.append("Too few periods before the first intervention for a placebo check.")
    lines.append(
        "Caveats: this is a single-group before/after design; anything else that changed at the same time (a product launch, "
        "a season, a platform change) is confounded with the interventions, and milestones grouped into one phase cannot be "
        "told apart."
    )
    return "\n\n".join(lines)


def intervention_key_figures(effects: pd.DataFrame, impact: pd.Series, placebo: pd.DataFrame, outcome: str, period: str,
                             limit: int = 5) -> list[dict[str, Any]]:
    """The revitalization study's headline figures: the outcome against the world without the
    interventions, then each phase's change of level with its placebo p-value."""
    what = outcome.replace("_", " ")
    n = impact["periods"]
    out = [
        key_figure(f"{what.capitalize()} after the interventions, observed / expected without them", impact["ratio"],
                   impact["ratio_low"], impact["ratio_high"], n, unit="×", note=f"over the {int(n)} {period}s after the first milestone"),
        key_figure(f"Extra {what} over those {period}s", impact["difference"], impact["observed"] - impact["counterfactual_high"],
                   impact["observed"] - impact["counterfactual_low"], n,
                   note=f"{impact['observed']:,.0f} observed against {impact['counterfactual']:,.0f} expected"),
    ]
    p_values = placebo.attrs.get("p_values", {})
    for _, e in effects.iterrows():
        p = p_values.get(e["phase"])
        out.append(key_figure(f"Change of level at: {e['phase']}", e["level_change"], e["level_ci_low"], e["level_ci_high"],
                              e["periods_after"], unit="×",
                              note=f"p = {e['level_p_value']:.3f}" + (f"; placebo p = {p:.2f}" if p is not None else "")))
    return out[:limit]


def before_after_table(panel: pd.DataFrame) -> pd.DataFrame:
    """The before/after health panel (:func:`communitylab.intervention.before_after`) as a table for
    people: one row per measure, the reply-earning share with its interval."""
    from communitylab import tables

    panel = panel.reset_index() if "community" not in panel.columns else panel
    rows = []
    for column in panel.columns:
        if column in ("community", "ci_low", "ci_high", "reasons"):
            continue
        cells = []
        for _, row in panel.iterrows():
            v = row[column]
            if column == "reply_earning_share":
                cells.append(tables.as_interval(v, row.get("ci_low"), row.get("ci_high"), share=True))
            elif isinstance(v, str):
                cells.append(v)
            elif tables.is_share(column):
                cells.append(tables.as_percent(v))
            else:
                cells.append(tables.as_number(v))
        rows.append([tables.label(column), *cells])
    return pd.DataFrame(rows, columns=["Measure", *[str(c) for c in panel["community"]]])


def its_diagnostics(model) -> str:
    """Plain-words checks of a fitted :class:`~communitylab.intervention.InterruptedTimeSeries`:
    overdispersion, residual autocorrelation, and how many periods each side carries."""
    s = model.summary()
    ac = model.residual_autocorrelation()
    lines = [f"n = {s.attrs['n']} periods, {model.phases_[0].start} before the first intervention; errors: {s.attrs['cov_type']}."]
    disp = s.attrs["dispersion"]
    if model.family == "poisson":
        lines.append(f"Dispersion {disp:.2f}: the counts are {'noisier than' if disp > 1.2 else 'about as noisy as'} Poisson"
                     + (f" (the {model.cov_type} errors allow for it)." if disp > 1.2 and model.cov_type in ("quasi", "hac") else "."))
    worst = ac.loc[ac["ljung_box_p"].idxmin()] if len(ac) else None
    if worst is not None and worst["ljung_box_p"] < 0.05:
        lines.append(f"Residuals are autocorrelated (lag-1 autocorrelation {ac['acf'].iloc[0]:.2f}; Ljung-Box p = {worst['ljung_box_p']:.3f} at lag {int(worst['lag'])}): "
                     + ("the intervals above may be too narrow; the study shows the same model with HAC errors below." if model.cov_type != "hac"
                        else "the HAC errors allow for it."))
    else:
        lines.append("No clear residual autocorrelation (Ljung-Box p ≥ 0.05 up to lag 6).")
    return " ".join(lines)


def setup() -> None:
    """Prepare a study's kernel: the house theme for figures, every table through
    :func:`communitylab.tables.table`, and no warnings in the report (they go to the run's log)."""
    import logging
    import warnings

    from communitylab import tables
    from communitylab.plots import theme

    warnings.filterwarnings("ignore")
    logging.getLogger("py4j").setLevel(logging.ERROR)
    theme.use()
    tables.use_in_notebook()


def caption(text: str):
    """A caption to show under a figure (numbered "Figure n." in the rendered report)."""
    import html

    from IPython.display import HTML

    return HTML(f'<p class="cl-caption">{html.escape(text)}</p>')


def show_figure(text: str) -> None:
    """Show the current figure with its caption underneath."""
    import matplotlib.pyplot as plt
    from IPython.display import display

    plt.show()
    display(caption(text))


def key_figure(figure: str, estimate: float, low: float = np.nan, high: float = np.nan, n: float | None = None, *,
               share: bool = False, unit: str = "", currency: str = "", note: str = "") -> dict[str, Any]:
    """One figure that matters, for :func:`key_figures`: an estimate, its interval and its n.

    ``share`` formats it as a percentage, ``currency`` as money (:func:`money`), ``unit`` follows the number.
    """
    return {"figure": figure, "estimate": estimate, "low": low, "high": high, "n": n, "share": share, "unit": unit,
            "currency": currency, "note": note}


def key_figures(figures: list[dict[str, Any]], level: float = 0.95) -> pd.DataFrame:
    """The figures that matter as a table for people: "Figure", "Estimate (95% interval)", "n", "Note"."""
    from communitylab import tables

    rows = pd.DataFrame(figures, columns=["figure", "estimate", "low", "high", "n", "share", "unit", "currency", "note"])
    out = tables.estimates(rows, label_column="figure", low="low", high="high", unit="unit", level=level, keep=["note"])
    column = out.columns[1]
    for i, f in rows.iterrows():
        if isinstance(f["currency"], str) and f["currency"]:
            text = money(f["estimate"], f["currency"])
            if pd.notna(f["low"]) and pd.notna(f["high"]):
                text += f" ({money(f['low'], f['currency'])} to {money(f['high'], f['currency'])})"
            out.loc[i, column] = text
    return out


def executive_summary(answer: str, figures: list[dict[str, Any]], *, level: float | None = None,
                      actions: list[dict[str, str]] | None = None, why: list[str] | None = None, data: str | None = None,
                      outlook: list[str] | None = None) -> None:
    """Show a report's opening: the answer in words, the 3–5 figures that matter (each with its
    interval and n), then what to do (``actions``: :func:`communitylab.engagement.advice.actions`,
    each with why), how the answer was reached (``why``), what comes next (``outlook``: a forecast
    and how it compares with peers, in sentences) and the data it rests on (``data``: named on the
    first screen, example or simulated data said as such); the contents follow it."""
    from IPython.display import Markdown, display

    from communitylab import tables

    display(Markdown("## Summary\n\n" + answer))
    if figures:
        display(tables.table(key_figures(figures, level or 0.95), title="The figures that matter"))
    if actions:
        display(Markdown(actions_text(actions)))
    if why:
        display(Markdown("**How this answer was reached.** " + " ".join(_md_escape(w) for w in why)))
    if outlook:
        display(Markdown("**What comes next, and compared with whom.** " + " ".join(_md_escape(w) for w in outlook)))
    if data:
        display(Markdown("**What this rests on.** " + data))


def table_or_reason(table: pd.DataFrame, reason: str | None, *, lead: str | None = None, **table_options: Any) -> None:
    """Show ``table`` (after ``lead``, a sentence introducing it), or, when the section does not
    apply, the ``reason`` in one sentence instead (never an empty or meaningless table)."""
    from IPython.display import Markdown, display

    from communitylab import tables

    if reason:
        display(Markdown(f"_{_md_escape(reason)}_"))
        return
    if lead:
        display(Markdown(lead))
    display(tables.table(table, **table_options))


def reliability_sentence(alpha: Mapping[str, Any] | None, scale_items: list[str]) -> str:
    """Cronbach's alpha of a scale in words, or why reliability does not apply (``alpha`` None)."""
    items = ", ".join(scale_items) or "none given"
    if alpha is None:
        return f"_Scale reliability does not apply: the survey has no items of one scale ({items}; parameter `scale_items`)._"
    return (f"Scale reliability: Cronbach's alpha of {items} is {alpha['alpha']:.2f} (95% interval {alpha['ci_low']:.2f} to "
            f"{alpha['ci_high']:.2f}, n = {int(alpha['n'])}).")


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


def glossary(terms: list[str]) -> None:
    """Show the report's glossary: each term it uses, with its one meaning (:mod:`communitylab.glossary`)."""
    from IPython.display import Markdown, display

    from communitylab.glossary import glossary_markdown

    display(Markdown(glossary_markdown(terms)))


def actions_text(actions: list[dict[str, str]]) -> str:
    """Markdown of what to do: each action in bold, then why (the signal that calls for it)."""
    lines = ["### What to do", ""]
    lines += [f"{i}. **{_md_escape(a['action'])}** {_md_escape(a['because'])}" for i, a in enumerate(actions, start=1)]
    return "\n".join(lines)
