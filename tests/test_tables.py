"""Tables for people: formats, merged intervals, labels, no index, searchable long tables."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

from communitylab import tables


@pytest.mark.parametrize("value, text", [(0.4237, "42%"), (0.0423, "4.2%"), (0.00423, "0.42%"), (0.05, "5%"), (1.0, "100%"),
                                         (np.nan, "–"), (None, "–")])
def test_percent(value, text):
    assert tables.as_percent(value) == text


@pytest.mark.parametrize("value, text", [(1234567, "1,234,567"), (1234.567, "1,235"), (12.345, "12.3"), (0.012345, "0.0123"),
                                         (0, "0"), (5.5e-17, "5.50e-17"), (4.7e13 + 0.5, "4.70e13"), (np.inf, "∞"), (True, "yes")])
def test_number(value, text):
    assert tables.as_number(value) == text


def test_interval_in_one_cell():
    assert tables.as_interval(0.42, 0.35, 0.49, share=True) == "42% (35–49%)"
    assert tables.as_interval(1.8, 1.2, 2.6) == "1.8 (1.2–2.6)"
    assert tables.as_interval(0.0, -0.66, 0.66, share=True) == "0% (−66% to 66%)"
    assert tables.as_interval(0.42, np.nan, np.nan, share=True) == "42%"
    assert tables.as_pvalue(0.0004) == "< 0.001" and tables.as_pvalue(0.0042) == "0.004" and tables.as_pvalue(0.21) == "0.21"


def test_labels_are_words():
    assert tables.label("reply_earning_share") == "Reply earning share"
    assert tables.label("top_1pct_share") == "Top 1% share"
    assert tables.label("m2m_share") == "Member-to-member share"
    assert tables.label("p_value") == "p-value"


def _shown(df, **kwargs) -> pd.DataFrame:
    return tables.table(df, **kwargs)._tbl_data


def test_a_table_for_people():
    df = pd.DataFrame({"community": ["a", "b"], "reply_earning_share": [0.42, 0.1], "ci_low": [0.35, 0.05], "ci_high": [0.49, 0.2],
                       "contributions": [12345, 7], "first_post": pd.to_datetime(["2024-01-02", "2024-03-04"])},
                      index=pd.Index([10, 11]))
    shown = _shown(df)
    assert list(shown.columns) == ["", "Community", "Reply earning share", "Contributions", "First post"]
    assert shown["Reply earning share"].tolist() == ["42% (35–49%)", "10% (5–20%)"]
    assert shown["Contributions"].tolist() == ["12,345", "7"]
    assert shown["First post"].tolist() == ["2024-01-02", "2024-03-04"]
    html = tables.table(df.reset_index(drop=True)).as_raw_html()
    assert 'class="dataframe"' not in html and "42% (35–49%)" in html and "Reply earning share" in html


def test_metric_tables_are_formatted_row_by_row():
    df = pd.DataFrame({"metric": ["gini", "top_1pct_share"], "estimate": [0.356, 0.085], "ci_low": [0.34, 0.066],
                       "ci_high": [0.39, 0.117], "n": [1442, 1442]})
    shown = _shown(df)
    assert shown["Metric"].tolist() == ["Gini", "Top 1% share"]
    assert shown["Estimate"].tolist() == ["0.356 (0.34–0.39)", "8.5% (6.6–12%)"]


def test_declared_shares_and_intervals_named_by_suffix():
    df = pd.DataFrame({"phase": ["x"], "level_change": [40.6], "level_ci_low": [2.2], "level_ci_high": [744.0], "kept": [0.5]})
    df.attrs["percent"] = ["kept"]
    shown = _shown(df)
    assert shown["Level change"].tolist() == ["40.6 (2.2–744)"] and shown["Kept"].tolist() == ["50%"]


def test_long_tables_are_searchable_and_short_ones_are_not():
    long = pd.DataFrame({"member": [f"m{i}" for i in range(50)], "posts": range(50)})
    assert "Reactable" not in tables.table(long.head(5)).as_raw_html()
    html = tables.table(long).as_raw_html()
    assert "Reactable" in html and '"searchable":true' in html.replace(" ", "")
    assert re.search(r"(src|href)=[\"']?https?://", html) is None  # the table's script is inline: nothing is fetched


def test_estimates_mix_shares_and_rates_row_by_row():
    rows = pd.DataFrame({"what": ["share answered", "rate ratio"], "estimate": [0.9, 1.8], "ci_low": [0.85, 1.2], "ci_high": [0.94, 2.6],
                         "n": [591, 197], "share": [True, False]})
    out = tables.estimates(rows, label_column="what")
    assert out["Estimate (95% interval)"].tolist() == ["90% (85–94%)", "1.8 (1.2–2.6)"]
    assert out["n"].tolist() == ["591", "197"]


def test_display_of_a_dataframe_goes_through_the_formatter():
    from IPython.core.interactiveshell import InteractiveShell

    shell = InteractiveShell.instance()
    try:
        tables.use_in_notebook()
        data, _ = shell.display_formatter.format(pd.DataFrame({"answered_share": [0.5]}))
        assert 'class="dataframe"' not in data["text/html"] and "50%" in data["text/html"]
    finally:
        shell.display_formatter.formatters["text/html"].pop(pd.DataFrame, None)
        shell.display_formatter.formatters["text/html"].pop(pd.Series, None)
        InteractiveShell.clear_instance()


def test_an_interval_spanning_many_orders_of_magnitude_reads_as_unbounded():
    assert tables.as_interval(0.0161, 5.52e-18, 4.72e13) == "0.0161 (0–∞: too little data to bound it)"
    assert tables.as_interval(0.5, 1e-3, 300.0) == "0.5 (0.001–300)"  # wide, but bounded: shown as it is
    assert tables.as_interval(float("inf"), 107.0, float("inf")) == "∞ (107–∞)"  # bounded below: shown as it is
