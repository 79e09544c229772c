"""The churn, survey and revitalization studies' actions: documented rules, each fired by its signal."""

from __future__ import annotations

import pandas as pd

from communitylab import study_advice as sa


def test_every_rule_formats_from_its_signal_and_keeps_the_table_order():
    for rules in (sa.CHURN_RULES, sa.SURVEY_RULES, sa.INTERVENTION_RULES):
        assert len({r.signal for r in rules}) == len(rules)
    signals = {"bands_overlap": {"horizon": 10}, "cannot_pay": {}, "example_data": {"what": "the example"}}
    got = sa.actions_from(sa.CHURN_RULES, signals)
    assert [a["signal"] for a in got] == ["example_data", "bands_overlap", "cannot_pay"]  # table order, not dict order
    assert all("{" not in a["action"] + a["because"] for a in got)
    assert len(sa.actions_from(sa.SURVEY_RULES, {r.signal: _values(r) for r in sa.SURVEY_RULES})) == 5  # at most five


def _values(rule):
    import string

    return {f: "x" for _, f, _, _ in string.Formatter().parse(rule.action + rule.because) if f}


def test_churn_signals_read_the_projection():
    at = pd.DataFrame({"cumulative_value": [316992.0, 255217.0], "value_low": [301890.0, 239966.0], "value_high": [332066.0, 270540.0]},
                      index=["acquire", "retain"])
    be = {"feasible": True, "improvement": 0.066, "retention_needed": 0.837}
    s = sa.churn_signals(at, "acquiring members", be, 0.771, 0.05, 0.871, 0.5, 5, 10, example_data=None)
    assert s["acquire_wins"] == {"gap": "$61,775", "horizon": 10} and s["bands_overlap"] is None and s["keep_wins"] is None
    assert s["lift_short"]["needed"] == "6.6" and s["statement_off"]["direction"] == "rosier" and s["example_data"] is None
    assert sa.example_data([1000, 631, 468, 382, 326, 289, 262, 241], "mine.csv", "sim:living") == (
        "the example survivor counts of Fader & Hardie (2007) and a simulated community log")
    assert sa.example_data([10, 5], "mine.csv", "export.zip") is None


def test_intervention_signals_follow_the_headline():
    impact = pd.Series({"ratio": 2.0, "ratio_low": 1.5, "ratio_high": 3.0, "periods": 10})
    effects = pd.DataFrame({"phase": ["a", "b"], "level_change": [1.2, 3.0]})
    placebo = pd.DataFrame()
    placebo.attrs = {"n_placebos": 19, "p_values": {"b": 0.05}}
    s = sa.intervention_signals(impact, placebo, effects, 0.2, "member_posts", "week")
    assert s["supported"]["phase"] == "b" and s["not_supported"] is None and s["autocorrelated"] is None
    placebo.attrs = {"n_placebos": 19, "p_values": {"b": 0.3}}
    assert sa.intervention_signals(impact, placebo, effects, 0.01, "member_posts", "week")["not_supported"] is not None


def test_survey_signals_flag_a_small_survey():
    figures = [{"figure": "Members who answered", "estimate": 0.048, "share": True},
               {"figure": "Publish relevant content", "estimate": 0.92, "low": 0.67, "high": 0.99, "n": 13, "share": True}]
    mc = {"option_a": "A", "option_b": "B", "only_a": 2, "only_b": 1, "p_value": 1.0}
    cross = {"test": "chi-square", "p_value": 0.008, "p_value_permutation": 0.009, "min_expected": 0.27, "n": 15}
    s = sa.survey_signals(15, 314, figures, mc, cross, labels=("role", "pertinence"))
    assert s["low_response"]["rate"] == "4.8%" and s["wide_margin"]["need"] == "74"
    assert s["strong_agreement"]["item"] == "Publish relevant content" and s["no_difference"]["split"] == 3
    assert s["association_lead"] == {"row": "role", "col": "pertinence", "n": "15"}
