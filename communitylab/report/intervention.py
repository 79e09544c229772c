"""The revitalization study's words: its answer, the placebo check, key figures and diagnostics."""

from __future__ import annotations

from typing import Any

import pandas as pd

from communitylab.report.formatting import key_figure, p_text

__all__ = ["PLACEBO_ALPHA", "placebo_check", "intervention_answer", "intervention_key_figures", "before_after_table", "its_diagnostics"]


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
                              note=p_text(e['level_p_value']) + (f"; placebo p = {p:.2f}" if p is not None else "")))
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
    s = model.summary
    ac = model.residual_autocorrelation()
    lines = [f"n = {s.attrs['n']} periods, {model.phases_[0].start} before the first intervention; errors: {s.attrs['cov_type']}."]
    disp = s.attrs["dispersion"]
    if model.family == "poisson":
        lines.append(f"Dispersion {disp:.2f}: the counts are {'noisier than' if disp > 1.2 else 'about as noisy as'} Poisson"
                     + (f" (the {model.cov_type} errors allow for it)." if disp > 1.2 and model.cov_type in ("quasi", "hac") else "."))
    worst = ac.loc[ac["ljung_box_p"].idxmin()] if len(ac) else None
    if worst is not None and worst["ljung_box_p"] < 0.05:
        lines.append(f"Residuals are autocorrelated (lag-1 autocorrelation {ac['acf'].iloc[0]:.2f}; Ljung-Box {p_text(worst['ljung_box_p'])} at lag {int(worst['lag'])}): "
                     + ("the intervals above may be too narrow; the study shows the same model with HAC errors below." if model.cov_type != "hac"
                        else "the HAC errors allow for it."))
    else:
        lines.append("No clear residual autocorrelation (Ljung-Box p ≥ 0.05 up to lag 6).")
    return " ".join(lines)
