"""The survey study in sentences: each test with its caveat, questions by their text."""

from __future__ import annotations

import pandas as pd

from communitylab import report
from communitylab.survey.codebook import Question


def test_a_question_is_named_by_its_text():
    q = Question("q1_pertinence", "likert", "In your opinion, are groups or communities on LinkedIn still pertinent?")
    assert report.question_label(q) == q.text
    assert report.question_label(q, 30) == "In your opinion, are groups…"
    assert report.question_label(Question("q9", "text")) == "q9"


def test_a_chi_square_on_small_expected_counts_gives_the_permutation_p_and_says_why():
    test = pd.Series({"test": "chi-square", "statistic": 20.0, "dof": 9, "p_value": 0.008, "p_value_permutation": 0.0091,
                      "min_expected": 0.27, "n": 15})
    text = report.crosstab_sentence(test, "Your role", "Pertinence")
    assert "permutation test, p = 0.0091" in text and "as low as 0.27" in text and "unreliable" in text
    assert "a lead to check, not a finding" in text  # 15 respondents
    big = report.crosstab_sentence(test.copy().replace({0.27: 8.0, 15: 400}), "Your role", "Pertinence")
    assert "chi-square test, p = 0.008" in big and "permutation" not in big and "lead" not in big


def test_mcnemar_in_words():
    mc = pd.Series({"option_a": "A", "option_b": "B", "chose_a": 12, "chose_b": 11, "both": 10, "only_a": 2, "only_b": 1, "p_value": 1.0})
    text = report.options_sentence(mc, Question("q2", "multi", "What should they do?"))
    assert "12 respondents chose *A* and 11 chose *B*" in text and "Only the 3 who chose one but not the other" in text
    assert "no difference can be told" in text and "chose_a" not in text
