"""How a study reads like a report: run header, numbers in words, key figures, captions, tables.

The words every study shares; each study's own sentences are in :mod:`communitylab.report.churn`,
:mod:`~communitylab.report.survey` and :mod:`~communitylab.report.intervention` (the health study's
in :mod:`communitylab.engagement.health` and :mod:`communitylab.study_advice`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["source_label", "run_header", "text", "md_escape", "p_text", "money", "setup", "caption", "show_figure", "key_figure", "key_figures", "executive_summary", "table_or_reason", "glossary", "actions_text"]


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
    return md_escape(str(value))


def _plain_value(value: Any) -> str:
    """A setting as a reader writes it: text without quotes, lists joined, nothing for empty."""
    if isinstance(value, list | tuple):
        return ", ".join(_plain_value(v) for v in value) or "none"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:g}"
    return md_escape(str(value)) if str(value) else "none"


def md_escape(text: str) -> str:
    """Text safe inside Markdown: a dollar sign is money, never the start of a formula."""
    return text.replace("$", r"\$")


def p_text(p: float) -> str:
    """A p-value in words a report can print: ``p = 0.042``, or ``p < 0.001`` where three decimals
    would show 0.000.

    Examples
    --------
    >>> p_text(0.0421), p_text(3e-7)
    ('p = 0.042', 'p < 0.001')
    """
    return "p < 0.001" if p < 0.001 else f"p = {p:.3f}"


def money(value: float, currency: str = "$") -> str:
    """``$61,775`` / ``61,775 €``: a currency symbol of one character goes first, a code after."""
    text = f"{abs(value):,.0f}"
    sign = "-" if value < 0 else ""
    return f"{sign}{currency}{text}" if len(currency) == 1 else f"{sign}{text} {currency}"


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
        display(Markdown("**How this answer was reached.** " + " ".join(md_escape(w) for w in why)))
    if outlook:
        display(Markdown("**What comes next, and compared with whom.** " + " ".join(md_escape(w) for w in outlook)))
    if data:
        display(Markdown("**What this rests on.** " + data))


def table_or_reason(table: pd.DataFrame, reason: str | None, *, lead: str | None = None, **table_options: Any) -> None:
    """Show ``table`` (after ``lead``, a sentence introducing it), or, when the section does not
    apply, the ``reason`` in one sentence instead (never an empty or meaningless table)."""
    from IPython.display import Markdown, display

    from communitylab import tables

    if reason:
        display(Markdown(f"_{md_escape(reason)}_"))
        return
    if lead:
        display(Markdown(lead))
    display(tables.table(table, **table_options))


def glossary(terms: list[str]) -> None:
    """Show the report's glossary: each term it uses, with its one meaning (:mod:`communitylab.glossary`)."""
    from IPython.display import Markdown, display

    from communitylab.glossary import glossary_markdown

    display(Markdown(glossary_markdown(terms)))


def actions_text(actions: list[dict[str, str]]) -> str:
    """Markdown of what to do: each action in bold, then why (the signal that calls for it)."""
    lines = ["### What to do", ""]
    lines += [f"{i}. **{md_escape(a['action'])}** {md_escape(a['because'])}" for i, a in enumerate(actions, start=1)]
    return "\n".join(lines)
