"""Small helpers that make a study read like a report (run header, load report, tidy tables).

Two layers: :mod:`communitylab.report.formatting`, the words and layout every study shares
(numbers in words, key figures with their intervals, captions, tables or the reason there is
none), and one module of sentences per study: :mod:`~communitylab.report.churn`,
:mod:`~communitylab.report.survey`, :mod:`~communitylab.report.intervention`. The notebooks
call them all as ``report.<name>``.

Examples
--------
>>> from communitylab import report
>>> report.money(61775.4), report.money(-61775.4, "EUR")
('$61,775', '-61,775 EUR')
"""

from __future__ import annotations

from communitylab.report.churn import (
    churn_answer,
    churn_data_named,
    churn_key_figures,
    sensitivity_caption,
    value_per_customer_text,
)
from communitylab.report.formatting import (
    actions_text,
    caption,
    executive_summary,
    glossary,
    key_figure,
    key_figures,
    money,
    p_text,
    run_header,
    setup,
    show_figure,
    source_label,
    table_or_reason,
    text,
)
from communitylab.report.intervention import (
    PLACEBO_ALPHA,
    before_after_table,
    intervention_answer,
    intervention_key_figures,
    its_diagnostics,
    placebo_check,
)
from communitylab.report.survey import (
    crosstab_sentence,
    options_sentence,
    question_label,
    reliability_sentence,
    segment_test,
    survey_capability,
    survey_key_figures,
)

__all__ = ["intervention_key_figures", "before_after_table", "survey_key_figures", "setup", "caption", "show_figure", "key_figure",
           "key_figures", "executive_summary", "actions_text", "text", "glossary", "churn_data_named", "sensitivity_caption",
           "value_per_customer_text", "question_label", "options_sentence", "crosstab_sentence", "placebo_check", "table_or_reason",
           "reliability_sentence", "churn_key_figures", "segment_test", "money", "source_label", "run_header", "churn_answer",
           "survey_capability", "intervention_answer", "its_diagnostics", "PLACEBO_ALPHA", "p_text"]
