"""Small helpers that make a study read like a report (run header, load report, tidy tables)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

import pandas as pd

__all__ = ["segment_test", "money", "source_label", "run_header", "format_estimates", "churn_answer", "survey_capability", "intervention_answer", "its_diagnostics"]


def source_label(source: str, show_personal_data: bool = False) -> str:
    """How a report names its data: a bundled name or scenario as is; a local path as its file name
    and content hash (``slack-export.zip, sha256 1a2b3c4d5e6f``), never the folder it sits in
    (which may name the client or the analyst), unless personal data are shown."""
    import hashlib
    from pathlib import Path

    from communitylab.datasets import DATASETS

    if source in DATASETS or source.startswith("sim:"):
        return source
    path = Path(source).expanduser()
    if not path.exists():
        return path.name
    if show_personal_data:
        return str(path)
    h = hashlib.sha256()
    files = sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
    for f in files:
        h.update(f.relative_to(path).as_posix().encode() if path.is_dir() else b"")
        with open(f, "rb") as fh:
            for chunk in iter(lambda: fh.read(1 << 20), b""):
                h.update(chunk)
    return f"{path.name}, sha256 {h.hexdigest()[:12]}"


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
    m = lambda v: money(v, currency)  # noqa: E731
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
    lines = [
        f"**Since the first intervention, {outcome.replace('_', ' ')} ran {ratio:.1f}× what the earlier trend predicts** "
        f"({impact['observed']:,.0f} observed against {impact['counterfactual']:,.0f} expected over {int(impact['periods'])} {period}s; "
        f"{level:.0%} interval of the ratio {impact['ratio_low']:.1f} to {impact['ratio_high']:.1f}). "
        + (f"The interval excludes 1: the outcome is {direction} than the trend allows." if sure else "The interval includes 1: the data cannot tell a change from the trend.")
    ]
    clear = effects[(effects["level_ci_low"] > no_change) | (effects["level_ci_high"] < no_change)]
    times = "×" if no_change == 1.0 else ""
    if len(clear):
        parts = [f"*{r.phase}* ({times}{r.level_change:.1f}, {r.level_ci_low:.1f} to {r.level_ci_high:.1f})" for r in clear.itertuples()]
        lines.append(f"Phases with a level change whose interval excludes {no_change:g}: " + "; ".join(parts) + ".")
    else:
        lines.append(f"No single phase has a level change whose interval excludes {no_change:g}.")
    n = placebo.attrs.get("n_placebos", 0)
    if n:
        p = placebo.attrs["p_values"]
        best = min(p, key=p.get)
        lines.append(
            f"Placebo check: the same model fitted at {n} fake dates before the first intervention; for the largest real "
            f"phase change (*{best}*) the placebo p-value (share of fake dates, counting the real one, with a change at "
            f"least as large) is {p[best]:.2f}"
            + (" (the smallest value possible with so few fake dates)." if p[best] <= 1 / (n + 1) + 1e-12 else ".")
        )
    else:
        lines.append("Too few periods before the first intervention for a placebo check.")
    lines.append(
        "Caveats: this is a single-group before/after design; anything else that changed at the same time (a product launch, "
        "a season, a platform change) is confounded with the interventions, and milestones grouped into one phase cannot be "
        "told apart."
    )
    return "\n\n".join(lines)


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
