"""Tables for people: every table a report shows, formatted through great-tables.

A study never shows a raw ``DataFrame``: :func:`table` turns one into a ``great_tables.GT`` with

* column names in words (``reply_earning_share`` -> "Reply earning share"; a few known terms spelled
  out, see :data:`LABELS`);
* shares as percentages, and an estimate with its interval as one cell: "42% (35–49%)" (columns
  ``x`` / ``x_low`` / ``x_high``, or ``estimate`` / ``ci_low`` / ``ci_high``, are merged);
* counts with thousands separators, other numbers to three significant digits, p-values as
  "0.003" or "< 0.001", dates as dates;
* no pandas index column (a meaningful index becomes an ordinary first column);
* long tables (more than ``searchable_from`` rows) paginated with a search box.

Which columns are shares is read from the column names (:func:`is_share`), from ``df.attrs["percent"]``
(set by the function that made the table) and from the ``percent`` argument, in that order of
increasing precedence. :func:`use_in_notebook` makes ``display(df)`` go through :func:`table`, so a study
cannot show a raw ``DataFrame`` by accident.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["LABELS", "table", "estimates", "label", "is_share", "as_percent", "as_number", "as_pvalue", "as_interval", "as_duration", "is_hours", "all_or_none", "is_unbounded", "use_in_notebook"]

#: Column names that read better spelled out than mechanically de-snake-cased.
LABELS: dict[str, str] = {
    "n": "n",
    "k": "Count",
    "m2m": "Member to member",
    "m2m_share": "Member-to-member share",
    "ci_low": "Low",
    "ci_high": "High",
    "p": "p",
    "p_value": "p-value",
    "pvalue": "p-value",
    "se": "Standard error",
    "std_err": "Standard error",
    "coef": "Coefficient",
    "df": "Degrees of freedom",
    "deff": "Design effect",
    "top1_share": "Top 1% share",
    "top10_share": "Top 10% share",
    "gini": "Gini",
    "T": "T (age)",
    "rr": "Rate ratio",
    "ratio": "Ratio",
    "id": "Id",
    "url": "URL",
    "utc": "UTC",
    "median_hours_to_first_reply": "Median time to first reply",
    "percentile_all": "Share of peers below it",
    "percentile_kind": "Share of its kind below it",
    "n_all": "Peers",
    "n_kind": "Peers of its kind",
    "shown": "This community",
    "dormant": "Lapsed",  # active the period before, not in this one; "dormant" is a verdict (communitylab.glossary)
}

_SHARE = re.compile(r"((^|_)(share|shares|proportion|prop|pct|percent|reciprocity|retention|retained|"
                    r"response_rate|retention_rate|churn_rate|reply_rate|answered|p_alive|prob|probability|survival)$)"
                    r"|^reciprocity|^answered_within_|^share_")
_NOT_SHARE = re.compile(r"(ratio|count|n|members|days|hours|weeks|value)$")
_PVALUE = re.compile(r"(^p$|^p_value$|^pvalue$|_p$|_p_value$|^p_)")
#: First columns that name what each row measures; such a table is formatted row by row.
ROW_LABELS = ("metric", "measure", "signal", "statistic", "quantity", "figure")
_COUNTS = ("n", "count", "k", "events", "replies", "members", "pairs", "weeks")
_SUFFIXES = (("_low", "_high"), ("_lo", "_hi"), ("_lower", "_upper"), ("_ci_low", "_ci_high"))
_BARE = (("ci_low", "ci_high"), ("low", "high"), ("lower", "upper"), ("lo", "hi"))


def label(name: Any) -> str:
    """A column name in words: ``"first_reply_hours"`` -> ``"First reply hours"``."""
    text = str(name)
    if text in LABELS:
        return LABELS[text]
    words = text.replace("_", " ").strip()
    words = re.sub(r"\bm2m\b", "member-to-member", words)
    words = re.sub(r"(\d)\s?pct\b", r"\1%", words)
    words = re.sub(r"\bpct\b", "%", words)
    words = re.sub(r"\bmember to member\b", "member-to-member", words)
    return words[:1].upper() + words[1:] if words and not words[:1].isupper() else words


def is_share(name: Any) -> bool:
    """Whether a column name says it holds a share in [0, 1] (``*_share``, ``*_rate`` of members, ...)."""
    text = str(name).lower()
    return bool(_SHARE.search(text)) and not _NOT_SHARE.search(text)


def _is_missing(x: Any) -> bool:
    return x is None or x is pd.NA or x is pd.NaT or (isinstance(x, float) and math.isnan(x))


def as_percent(x: Any, *, sign: bool = False) -> str:
    """A share as a percentage: 0.423 -> "42%", 0.0423 -> "4.2%", 0.00423 -> "0.42%"."""
    if _is_missing(x):
        return "–"
    v = 100 * float(x)
    a = abs(v)
    decimals = 0 if a >= 9.95 or a == 0 else 1 if a >= 0.995 else 2
    text = f"{v:,.{decimals}f}"
    text = (text[:-2] if decimals == 1 and text.endswith(".0") else text) + "%"
    return ("+" + text) if sign and v > 0 else text


def as_number(x: Any, *, sigfig: int = 3) -> str:
    """A number to ``sigfig`` significant digits with thousands separators; whole numbers as integers."""
    if _is_missing(x):
        return "–"
    if isinstance(x, bool | np.bool_):
        return "yes" if x else "no"
    v = float(x)
    if not math.isfinite(v):
        return "∞" if v > 0 else "−∞" if v < 0 else "–"
    if float(v).is_integer() and 1 <= abs(v) < 1e9:
        return f"{int(v):,}"
    if v == 0:
        return "0"
    if abs(v) < 1e-3 or abs(v) >= 1e9:  # far from 1: scientific notation, not a row of zeros or digits
        return f"{v:.{sigfig - 1}e}".replace("e-0", "e-").replace("e+0", "e").replace("e+", "e")
    decimals = max(0, sigfig - 1 - math.floor(math.log10(abs(v))))
    text = f"{v:,.{decimals}f}"
    return text.rstrip("0").rstrip(".") if decimals else text


def is_hours(name: Any) -> bool:
    """Whether a column or row measures a duration in hours (``median_hours_to_first_reply``)."""
    return isinstance(name, str) and bool(re.search(r"(^|_)hours(_|$)", name))


def as_duration(hours: Any, low: Any = None, high: Any = None) -> str:
    """Hours in the unit a reader uses: "13 min", "5.2 h", "3.5 days"; an interval in the same unit.

    Examples
    --------
    >>> as_duration(0.225, 0.205, 0.269)
    '14 min (12–16 min)'
    >>> as_duration(30)
    '30 h'
    >>> as_duration(100)
    '4.2 days'
    """
    if _is_missing(hours):
        return "–"
    h = float(hours)
    if not math.isfinite(h):
        return "not reached"
    unit, per = ("min", 1 / 60) if h < 1 else ("h", 1.0) if h < 48 else ("days", 24.0)

    def fmt(v: float) -> str:
        x = v / per
        return f"{x:.0f}" if unit == "min" or x >= 100 else as_number(x, sigfig=2)

    text = f"{fmt(h)} {unit}"
    if low is None or high is None or _is_missing(low) or _is_missing(high):
        return text
    hi = fmt(float(high)) if math.isfinite(float(high)) else "∞: not reached"
    return f"{text} ({fmt(float(low))}–{hi} {unit})" if math.isfinite(float(high)) else f"{text} (from {fmt(float(low))} {unit})"


def as_pvalue(x: Any) -> str:
    """A p-value: "0.003", "0.21", "< 0.001"."""
    if _is_missing(x):
        return "–"
    v = float(x)
    return "< 0.001" if v < 0.001 else f"{v:.3f}" if v < 0.01 else f"{v:.2f}"


def as_interval(estimate: Any, low: Any, high: Any, *, share: bool = False) -> str:
    """An estimate with its interval in one cell: "42% (35–49%)" or "1.8 (1.2–2.6)"."""
    fmt = as_percent if share else as_number
    head = fmt(estimate)
    if _is_missing(low) or _is_missing(high):
        return head
    if float(low) == float(high) == float(estimate):  # no spread at all (every resample agrees): an interval would tell nothing
        return head
    lo, hi = fmt(low), fmt(high)
    if share:  # a bound that rounds to the estimate, though it differs, gets a decimal: "100% (99.7–100%)", never "(100–100%)"
        lo = f"{float(low) * 100:.1f}%" if lo == head and float(low) != float(estimate) else lo
        hi = f"{float(high) * 100:.1f}%" if hi == head and float(high) != float(estimate) else hi
    if not share and is_unbounded(estimate, low, high):  # e.g. a rate ratio from a handful of weeks
        return f"{head} (0–∞: too little data to bound it)"
    if float(low) < 0:  # "−66% to 66%" reads better than "-66–66%"
        return f"{head} ({lo.replace('-', '−')} to {hi.replace('-', '−')})"
    return f"{head} ({lo[:-1] if share else lo}–{hi})"


def all_or_none(estimate: Any, low: Any, high: Any, n: Any) -> str:
    """"all 1,305 of 1,305" or "none of 40" for a share of exactly 1 or 0 whose interval is no wider
    than the point (a "100% (100–100%)" that tells nothing the count does not); "" otherwise."""
    try:
        e, count = float(estimate), int(n)
    except (TypeError, ValueError):
        return ""
    if e not in (0.0, 1.0) or count <= 0:
        return ""
    degenerate = _is_missing(low) or _is_missing(high) or float(low) == float(high)
    if not degenerate:
        return ""
    return f"all {count:,} of {count:,}" if e == 1.0 else f"none of {count:,}"


def is_unbounded(estimate: Any, low: Any, high: Any) -> bool:
    """Whether a positive estimate's interval spans more than twelve orders of magnitude around it
    (0.0161 from 5.5e-18 to 4.7e13): its bounds say nothing beyond "somewhere above 0"."""
    try:
        e, lo, hi = float(estimate), float(low), float(high)
    except (TypeError, ValueError):
        return False
    return math.isfinite(e) and e > 0 and lo > 0 and lo < e * 1e-6 and (hi > e * 1e6 or not math.isfinite(hi))


def estimates(rows: pd.DataFrame, *, label_column: str, estimate: str = "estimate", low: str = "ci_low", high: str = "ci_high",
              n: str | None = "n", share: str | None = "share", unit: str | None = None, level: float = 0.95,
              keep: Iterable[str] = ()) -> pd.DataFrame:
    """Rows of mixed estimates (a share here, a rate there) as text for people, one per row.

    Each row's estimate and interval become one cell ("42% (35–49%)" for a share, "1.8 (1.2–2.6)"
    otherwise; ``unit`` names a column whose text follows the number); ``keep`` columns are carried
    over as they are.
    """
    out = pd.DataFrame({label(label_column): rows[label_column].astype(str).to_numpy()})
    texts = []
    for _, r in rows.iterrows():
        is_share_row = bool(r[share]) if share and share in rows else False
        count = r[n] if n and n in rows and not _is_missing(r[n]) else None
        text = as_interval(r[estimate], r.get(low, np.nan), r.get(high, np.nan), share=is_share_row)
        whole = all_or_none(r[estimate], r.get(low, np.nan), r.get(high, np.nan), count) if is_share_row else ""
        text = whole or text
        u = str(r[unit]) if unit and unit in rows and not _is_missing(r[unit]) else ""
        if u and not is_share_row:
            text = text.replace(" (", f" {u} (", 1) if "(" in text else f"{text} {u}"
        texts.append(text)
    out[f"Estimate ({level:.0%} interval)"] = texts
    if n and n in rows:
        out["n"] = [("–" if _is_missing(v) else f"{int(v):,}") for v in rows[n]]
    for c in keep:
        if c in rows:
            out[label(c)] = rows[c].to_numpy()
    return out


def _interval_columns(columns: list[str]) -> dict[str, tuple[str, str]]:
    """{estimate column: (low column, high column)} found by naming convention."""
    found: dict[str, tuple[str, str]] = {}
    names = set(columns)
    for c in columns:
        for lo, hi in _SUFFIXES:
            if f"{c}{lo}" in names and f"{c}{hi}" in names:
                found[c] = (f"{c}{lo}", f"{c}{hi}")
                break
    taken = {x for pair in found.values() for x in pair}
    # "level_change", "level_ci_low", "level_ci_high": the estimate is the column just before its interval
    bare = {lo for lo, _ in _BARE}
    for i, c in enumerate(columns):
        if c in bare:
            continue
        for lo_suffix, hi_suffix in (("_ci_low", "_ci_high"), ("_low", "_high")):
            if c.endswith(lo_suffix) and c not in taken and i > 0:
                hi = c[: -len(lo_suffix)] + hi_suffix
                estimate = columns[i - 1]
                if hi in names and estimate not in found and estimate not in taken:
                    found[estimate] = (c, hi)
                    taken |= {c, hi}
                break
    for lo, hi in _BARE:
        if lo in names and hi in names and lo not in taken:
            # the estimate is named so, or it is the column just before the interval (the kit's convention)
            estimate = next((c for c in ("estimate", "value", "coef", "mean", "share", "ratio", "median", "proportion", "rate_ratio")
                             if c in names and c not in found), None)
            before = columns.index(lo) - 1
            if estimate is None and before >= 0 and columns[before] not in taken:
                estimate = columns[before]
            if estimate is not None:
                found[estimate] = (lo, hi)
                break
    return found


def _flat(df: pd.DataFrame | pd.Series) -> pd.DataFrame:
    if isinstance(df, pd.Series):
        df = df.to_frame(df.name if df.name is not None else "value")
    out = df.copy()
    if isinstance(out.columns, pd.MultiIndex):
        out.columns = [" ".join(str(x) for x in c if str(x)) for c in out.columns]
    if not isinstance(out.index, pd.RangeIndex) or out.index.name is not None:
        names = [n if n is not None else "" for n in out.index.names]
        if len(names) == 1 and names[0] == "":
            names = [" "]
        out.index.names = names
        out = out.reset_index()
    out.columns = [str(c) for c in out.columns]
    return out


def table(
    df: pd.DataFrame | pd.Series,
    *,
    title: str | None = None,
    note: str | None = None,
    percent: Iterable[str] = (),
    labels: Mapping[str, str] | None = None,
    hide: Iterable[str] = (),
    searchable_from: int = 20,
):
    """Format a result table for a report.

    Parameters
    ----------
    df : DataFrame or Series
        Any table the kit returns. A non-default index becomes the first column.
    title : str, optional
        Shown above the table.
    note : str, optional
        Shown under the table (sample sizes, caveats).
    percent : iterable of str
        Columns holding shares in [0, 1], in addition to those the names (or ``df.attrs["percent"]``) declare.
    labels : mapping, optional
        Column labels that override the automatic ones.
    hide : iterable of str
        Columns left out of the display.
    searchable_from : int
        Tables with more rows than this are paginated with a search box.

    Returns
    -------
    great_tables.GT
        Renders itself in JupyterLab and in the exported report.
    """
    import great_tables as gt

    attrs = dict(getattr(df, "attrs", {}) or {})
    data = _flat(df).drop(columns=[c for c in hide if c in getattr(df, "columns", [])], errors="ignore")
    declared = set(attrs.get("percent", ())) | set(percent)
    columns = list(data.columns)
    merged = _interval_columns(columns)
    shown: dict[str, pd.Series] = {}
    numeric_cols: list[str] = []
    consumed = {x for pair in merged.values() for x in pair}
    # a metric/value table ("metric": "top_1pct_share", "estimate": 0.08): the row says whether it is a share
    first = columns[0] if columns else None
    by_row = first in ROW_LABELS and not pd.api.types.is_numeric_dtype(data[first])
    row_share = data[first].map(is_share).to_numpy(bool) if by_row else np.zeros(len(data), bool)
    row_hours = data[first].map(is_hours).to_numpy(bool) if by_row else np.zeros(len(data), bool)
    if by_row:
        data[first] = data[first].map(lambda v: label(v) if isinstance(v, str) else v)
    for c in columns:
        if c in consumed:
            continue
        s = data[c]
        as_pct = c in declared or (is_share(c) and pd.api.types.is_numeric_dtype(s) and not pd.api.types.is_bool_dtype(s))
        rowwise = by_row and not as_pct and pd.api.types.is_float_dtype(s) and c not in _COUNTS
        if c in merged:
            lo, hi = merged[c]
            pct = [as_pct or lo in declared or (rowwise and r) for r in row_share]
            hrs = [is_hours(c) or (rowwise and h) for h in row_hours]
            shown[c] = pd.Series([as_duration(e, a, b) if h else as_interval(e, a, b, share=p)
                                  for e, a, b, p, h in zip(s, data[lo], data[hi], pct, hrs)], dtype=object)
            numeric_cols.append(c)
        elif is_hours(c) and pd.api.types.is_numeric_dtype(s):
            shown[c] = s.map(as_duration).astype(object)
            numeric_cols.append(c)
        elif rowwise and row_share.any():
            shown[c] = pd.Series([as_percent(v) if r else as_number(v) for v, r in zip(s, row_share)], dtype=object)
            numeric_cols.append(c)
        elif pd.api.types.is_bool_dtype(s):
            shown[c] = s.map(lambda v: "–" if _is_missing(v) else "yes" if v else "no").astype(object)
        elif pd.api.types.is_datetime64_any_dtype(s):
            fmt = "%Y-%m-%d %H:%M" if (s.dropna().dt.normalize() != s.dropna()).any() else "%Y-%m-%d"
            shown[c] = s.dt.strftime(fmt).fillna("–").astype(object)
        elif pd.api.types.is_numeric_dtype(s):
            if as_pct:
                shown[c] = s.map(as_percent).astype(object)
            elif _PVALUE.search(c.lower()):
                shown[c] = s.map(as_pvalue).astype(object)
            else:
                shown[c] = s.map(as_number).astype(object)
            numeric_cols.append(c)
        else:
            shown[c] = s.map(_text).astype(object)
    out = pd.DataFrame(shown)
    names = {c: (labels or {}).get(c) or label(c) for c in out.columns}
    if len(set(names.values())) < len(names):  # two columns would read the same: keep them apart
        names = {c: (labels or {}).get(c) or label(c) if list(names.values()).count(names[c]) == 1 else str(c) for c in out.columns}
    out.columns = [names[c] for c in out.columns]
    numeric_labels = [names[c] for c in numeric_cols]
    t = gt.GT(out)
    if title:
        t = t.tab_header(title=title)
    if note:
        t = t.tab_source_note(note)
    if numeric_labels:
        t = t.cols_align("right", columns=numeric_labels)
    t = t.opt_row_striping().tab_options(table_font_size="14px", column_labels_font_weight="bold", table_width="auto",
                                         table_margin_left="0px")
    if len(out) > searchable_from:
        t = t.opt_interactive(use_search=True, use_pagination=True, page_size_default=15, use_compact_mode=True)
    return t


def _text(v: Any) -> str:
    if _is_missing(v):
        return "–"
    if isinstance(v, float | np.floating):
        return as_number(v)
    if isinstance(v, pd.Timestamp):
        return v.strftime("%Y-%m-%d")
    if isinstance(v, list | tuple):
        return ", ".join(_text(x) for x in v)
    return str(v)


def _html(obj: Any) -> str:
    return table(obj).as_raw_html()


def use_in_notebook() -> None:
    """Make ``display(df)`` of any DataFrame or Series render through :func:`table` in this kernel."""
    from IPython import get_ipython

    shell = get_ipython()
    if shell is None:
        return
    formatter = shell.display_formatter.formatters["text/html"]
    formatter.for_type(pd.DataFrame, _html)
    formatter.for_type(pd.Series, _html)
