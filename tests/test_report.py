"""Report helpers: the executive summary's key figures, the before/after table, captions."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from communitylab import datasets, report


def test_key_figures_format_each_row_for_what_it_is():
    table = report.key_figures([
        report.key_figure("Share answered", 0.42, 0.35, 0.49, 591, share=True),
        report.key_figure("Rate ratio", 1.8, 1.2, 2.6, 197, unit="×", note="declining"),
        report.key_figure("Value kept", 255217.4, 239966.0, 270540.2, 1000, currency="$"),
        report.key_figure("Value in euros", -61775.0, currency="EUR"),
    ], level=0.90)
    assert list(table.columns) == ["Figure", "Estimate (90% interval)", "n", "Note"]
    assert table["Estimate (90% interval)"].tolist() == ["42% (35–49%)", "1.8 × (1.2–2.6)", "$255,217 ($239,966 to $270,540)", "-61,775 EUR"]
    assert table["n"].tolist() == ["591", "197", "1,000", "–"]


def test_survey_key_figures_quote_the_question_tables():
    from communitylab.survey import items

    survey = datasets.load_survey("seed-survey")
    r, cb = survey["responses"], survey["codebook"]
    figures = report.survey_key_figures(r, cb, cb.population)
    assert figures[0]["figure"] == "Members who answered" and figures[0]["estimate"] == pytest.approx(len(r) / cb.population)
    q1 = cb.questions["q1_pertinence"]
    top2 = items.top_box(r, q1, boxes=2, population=cb.population)
    hit = next(f for f in figures if f["figure"].startswith(report.question_label(q1, 60)))
    assert "q1_pertinence" not in " ".join(f["figure"] for f in figures)  # questions by their text, never their codes
    assert (hit["estimate"], hit["low"], hit["high"], hit["n"]) == (top2["estimate"], top2["ci_low"], top2["ci_high"], top2["n"])
    assert 3 <= len(figures) <= 5


def test_before_after_table_reads_as_words():
    panel = pd.DataFrame({"community": ["before", "after"], "window": ["before 2024-04-30", "from 2024-08-28"],
                          "members_contributing": [27, 254], "reply_earning_share": [0.28, 0.353], "ci_low": [0.175, 0.329],
                          "ci_high": [0.417, 0.378], "gini": [0.934, 0.596], "answered_share": [0.353, np.nan]}).set_index("community")
    table = report.before_after_table(panel)
    assert list(table.columns) == ["Measure", "before", "after"]
    rows = table.set_index("Measure")
    assert rows.loc["Reply earning share"].tolist() == ["28% (18–42%)", "35% (33–38%)"]
    assert rows.loc["Members contributing"].tolist() == ["27", "254"]
    assert rows.loc["Answered share"].tolist() == ["35%", "–"]


def test_caption_escapes_its_text():
    assert report.caption("a < b").data == '<p class="cl-caption">a &lt; b</p>'


def test_money_in_markdown_is_never_read_as_a_formula():
    header = report.run_header("Churn", {"margin": report.money(100, "$"), "acquisition cost": report.money(300, "$")})
    assert r"margin: \$100" in header and r"acquisition cost: \$300" in header and " $" not in header
    end = pd.DataFrame({"cumulative_value": [316992.0, 255217.0], "value_low": [301890.0, 239966.0], "value_high": [332066.0, 270540.0]},
                       index=["acquire", "retain"])
    answer = report.churn_answer(end, "acquiring members", {"feasible": False}, 0.77, 0.05, 10, "$")
    assert r"\$61,775 less" in answer and " $" not in answer
