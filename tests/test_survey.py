"""Survey estimation: R's survey package on the api data, interval formulas computed independently,
the seed survey's published aggregates, weighting that recovers the truth."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from communitylab import DataValidationError
from communitylab.survey.codebook import load_codebook, read_responses
from communitylab.survey.design import svymean, svytotal
from communitylab.survey.items import (
    compare_options,
    cronbach_alpha,
    crosstab_test,
    likert_distribution,
    multiselect_table,
    top_box,
)
from communitylab.survey.proportions import (
    hypergeometric_ci,
    margin_of_error,
    nonresponse_bounds,
    proportion_ci,
    sample_size_for_margin,
)
from communitylab.survey.simulate import simulate_member_survey
from communitylab.survey.weighting import (
    poststratify,
    rake,
    weighted_mean,
    weighted_share,
    weighting_comparison,
)
from tests.conftest import DATA, real
from tests.results import results_survey_r as R
from tests.results.results_binom_r import BINOM_CONFINT

SEED = DATA / "seed-survey"


def test_stratified_mean_matches_r_survey():
    """R: svymean(~api00, svydesign(id=~1, strata=~stype, weights=~pw, data=apistrat, fpc=~fpc))."""
    d = pd.read_csv(real("api", "apistrat.csv"))
    m = svymean(d, "api00", strata="stype", fpc="fpc", weights="pw")
    assert m["estimate"] == pytest.approx(R.STRAT_MEAN_API00, rel=1e-8)
    assert m["se"] == pytest.approx(R.STRAT_SE_API00, rel=1e-7)
    assert svymean(d, "api00", strata="stype", weights="pw")["se"] == pytest.approx(R.STRAT_SE_API00_NOFPC, rel=1e-7)


def test_srs_mean_and_total_match_r_survey():
    """R: svymean(~api00, dsrs); svytotal(~enroll, dsrs) with dsrs <- svydesign(id=~1, fpc=~fpc, data=apisrs)."""
    d = pd.read_csv(real("api", "apisrs.csv"))
    m, t = svymean(d, "api00", fpc="fpc"), svytotal(d, "enroll", fpc="fpc")
    assert m["estimate"] == pytest.approx(R.SRS_MEAN_API00, rel=1e-9) and m["se"] == pytest.approx(R.SRS_SE_API00, rel=1e-8)
    assert t["estimate"] == pytest.approx(R.SRS_TOTAL_ENROLL, rel=1e-9) and t["se"] == pytest.approx(R.SRS_SE_ENROLL, rel=1e-8)


@pytest.mark.parametrize("case", sorted(BINOM_CONFINT))
def test_intervals_match_r_binom_confint(case):
    """R: binom::binom.confint(k, n, tol = 1e-8), the values statsmodels tests itself against."""
    k, n = case
    for method, (lo, hi) in BINOM_CONFINT[case].items():
        got = proportion_ci(k, n, method=method)
        digits = 1e-6 if n == 30 else 1e-9  # the n = 30 references are printed to 7 significant digits
        assert got["ci_low"] == pytest.approx(max(lo, 0.0), rel=digits, abs=1e-12), method
        assert got["ci_high"] == pytest.approx(min(hi, 1.0), rel=digits, abs=1e-12), method


@pytest.mark.parametrize("k, n", [(4, 15), (0, 15), (12, 13), (50, 200)])
def test_intervals_match_their_closed_forms(k, n):
    """Wilson's formula, and the beta quantiles of Clopper-Pearson and Jeffreys, written out here."""
    z = stats.norm.ppf(0.975)
    p = k / n
    centre = (p + z**2 / (2 * n)) / (1 + z**2 / n)
    half = z / (1 + z**2 / n) * np.sqrt(p * (1 - p) / n + z**2 / (4 * n**2))
    w = proportion_ci(k, n, method="wilson")
    assert (w["ci_low"], w["ci_high"]) == pytest.approx((centre - half, centre + half), rel=1e-9, abs=1e-12)
    cp = proportion_ci(k, n, method="clopper-pearson")
    lo = stats.beta.ppf(0.025, k, n - k + 1) if k > 0 else 0.0
    hi = stats.beta.ppf(0.975, k + 1, n - k) if k < n else 1.0
    assert (cp["ci_low"], cp["ci_high"]) == pytest.approx((lo, hi), rel=1e-7, abs=1e-12)
    j = proportion_ci(k, n, method="jeffreys")
    jl = stats.beta.ppf(0.025, k + 0.5, n - k + 0.5) if k > 0 else 0.0
    jh = stats.beta.ppf(0.975, k + 0.5, n - k + 0.5) if k < n else 1.0
    assert (j["ci_low"], j["ci_high"]) == pytest.approx((jl, jh), rel=1e-7, abs=1e-12)


def test_finite_population_narrows_intervals_and_census_is_exact():
    assert proportion_ci(4, 15, population=314)["ci_high"] < proportion_ci(4, 15)["ci_high"]
    census = proportion_ci(4, 15, population=15)
    assert census["ci_low"] == census["ci_high"] == pytest.approx(4 / 15)
    h = hypergeometric_ci(4, 15, 314)
    assert h["ci_low"] < 4 / 15 < h["ci_high"]
    full = hypergeometric_ci(4, 15, 15)
    assert full["ci_low"] == full["ci_high"] == pytest.approx(4 / 15)


def test_margin_and_sample_size_by_hand():
    assert margin_of_error(15, 314) == pytest.approx(1.959964 * np.sqrt(0.25 / 15 * 299 / 313), rel=1e-6)
    assert sample_size_for_margin(0.05, 314) == 174  # n0 = 384.1; 384.1 / (1 + 383.1/314)
    assert sample_size_for_margin(0.05) == 385
    b = nonresponse_bounds(4, 15, 314)
    assert b["lower"] == pytest.approx(4 / 314) and b["upper"] == pytest.approx((4 + 299) / 314)


def test_seed_survey_reconstruction_agrees_with_the_post():
    cb = load_codebook(SEED / "codebook.yml")
    r = read_responses(SEED / "responses.csv", cb)
    assert cb.population == 314 and len(r) == 15
    q1 = likert_distribution(r, cb.questions["q1_pertinence"]).set_index("level")
    assert q1.loc["Not pertinent", "count"] == 0
    assert top_box(r, cb.questions["q1_pertinence"])["estimate"] == pytest.approx(4 / 15)
    q2 = multiselect_table(r, cb.questions["q2_purpose"]).set_index("option")["chosen"]
    assert q2.to_dict() == {"Publish relevant content": 12, "Encourage conversation between members": 11}
    mc = compare_options(r, cb.questions["q2_purpose"], "Publish relevant content", "Encourage conversation between members")
    assert mc["only_a"] == 2 and mc["only_b"] == 1 and mc["p_value"] == pytest.approx(1.0)  # 12 vs 11 is no difference


def test_answers_outside_the_codebook_are_reported_not_recoded():
    cb = load_codebook(SEED / "codebook.yml")
    bad = pd.read_csv(SEED / "responses.csv", dtype=str)
    bad.loc[6, "q1_pertinence"] = "Quite pertinent"
    with pytest.raises(DataValidationError, match=r"column 'q1_pertinence': 1 row\(s\) invalid \(rows 7\)"):
        read_responses(bad, cb)
    bad = pd.read_csv(SEED / "responses.csv", dtype=str)
    bad.loc[0, "q2_purpose"] = "Publish relevant content;Sell things"
    with pytest.raises(DataValidationError, match="q2_purpose"):
        read_responses(bad, cb)
    with pytest.raises(DataValidationError, match="type"):
        load_codebook({"questions": {"q": {"type": "slider"}}})


def test_crosstabs():
    d = pd.DataFrame({"a": ["x"] * 8 + ["y"] * 8, "b": ["u"] * 7 + ["v"] + ["u"] + ["v"] * 7})
    table, res = crosstab_test(d, "a", "b")
    assert res["test"] == "Fisher exact" and res["p_value"] == pytest.approx(stats.fisher_exact([[7, 1], [1, 7]])[1])
    d3 = pd.DataFrame({"a": list("xyz") * 10, "b": list("uv") * 15})
    _, res3 = crosstab_test(d3, "a", "b", n_permutations=300, seed=1)
    assert res3["test"] == "chi-square" and 0 < res3["p_value_permutation"] <= 1


def test_cronbach_alpha_by_hand():
    items = pd.DataFrame({"i1": [1, 2, 3, 4, 5], "i2": [2, 2, 3, 5, 5], "i3": [1, 3, 3, 4, 4]})
    x = items.to_numpy(float)
    expected = 3 / 2 * (1 - x.var(axis=0, ddof=1).sum() / x.sum(axis=1).var(ddof=1))
    assert cronbach_alpha(items, n_boot=100)["alpha"] == pytest.approx(expected)


def test_weighting_recovers_the_member_base():
    sim = simulate_member_survey(4000, seed=3)
    r, margins = sim["responses"], sim["margins"]
    satisfied = r["satisfaction"].isin(["Satisfied", "Very satisfied"]).astype(float)
    truth = sim["truth"]["satisfied_share"]
    raw = satisfied.mean()
    w_ps = poststratify(r, "segment", margins["segment"])
    w_rk = rake(r, margins)
    for w in (w_ps, w_rk):
        est = weighted_share(satisfied, w, population=4000)
        assert abs(est["estimate"] - truth) < abs(raw - truth)
        assert est["ci_low"] <= truth <= est["ci_high"]
    for col, m in margins.items():
        got = w_rk.groupby(r[col]).sum()
        for k, v in m.items():
            assert got[k] == pytest.approx(v, rel=1e-8)


@pytest.mark.parametrize("calibration", ["poststratify", "rake"])
@pytest.mark.parametrize("variable", ["api00", "awards01"])
@pytest.mark.parametrize("use_fpc", [False, True])
def test_calibrated_means_match_r_survey(calibration, variable, use_fpc):
    """R: svymean(~variable, postStratify(d, ~stype, pop.types)) and
    svymean(~variable, rake(d, list(~stype, ~sch.wide), ...)), d an SRS design of apisrs."""
    d = pd.read_csv(real("api", "apisrs.csv"))
    d["awards01"] = (d["awards"] == "Yes").astype(float)
    if calibration == "poststratify":
        w, cells = poststratify(d, "stype", R.POP_STYPE), d["stype"]
    else:
        w, cells = rake(d, {"stype": R.POP_STYPE, "sch.wide": R.POP_SCHWIDE}, tol=1e-14), d[["stype", "sch.wide"]]
    got = weighted_mean(d[variable], w, calibrated_on=cells, population=6194 if use_fpc else None)
    mean, se = R.CALIBRATED[(calibration, variable, use_fpc)]
    assert got["estimate"] == pytest.approx(mean, rel=1e-9)
    assert got["se"] == pytest.approx(se, rel=1e-7)
    if calibration == "rake":
        assert w[(d["stype"] == "E") & (d["sch.wide"] == "Yes")].iloc[0] == pytest.approx(R.RAKE_WEIGHT_E_YES, rel=1e-9)
        assert w[(d["stype"] == "H") & (d["sch.wide"] == "No")].iloc[0] == pytest.approx(R.RAKE_WEIGHT_H_NO, rel=1e-9)
    fixed = weighted_mean(d[variable], w, population=6194 if use_fpc else None)
    assert fixed["estimate"] == got["estimate"] and fixed["se"] > got["se"]  # calibration earns precision


def test_fixed_weights_mean_matches_r_survey():
    """R: svymean(~awards01, svydesign(id=~1, weights=~w2, data=apisrs)), w2 = 2 for elementary schools."""
    d = pd.read_csv(real("api", "apisrs.csv"))
    w2 = pd.Series(np.where(d["stype"] == "E", 2.0, 1.0), index=d.index)
    got = weighted_share((d["awards"] == "Yes").astype(float), w2)
    assert (got["estimate"], got["se"]) == pytest.approx(R.FIXED_WEIGHTS_AWARDS, rel=1e-9)


def test_weighting_comparison_table():
    sim = simulate_member_survey(4000, seed=3)
    r = sim["responses"]
    top = r["satisfaction"].isin(["Satisfied", "Very satisfied"]).astype(float)
    table = weighting_comparison(top, r, sim["margins"], population=4000)
    assert list(table.index) == ["unweighted", "post-stratified (segment)", "post-stratified (region)", "raked (segment, region)"]
    assert table.loc["unweighted", "design_effect"] == pytest.approx(1.0)
    assert (table["design_effect"].iloc[1:] > 1).all() and (table["ci_low"] <= table["estimate"]).all()
    with pytest.warns(RuntimeWarning, match="after 1 iterations"):
        rake(r, sim["margins"], max_iter=1)
    with pytest.raises(DataValidationError, match="rows 2.*positive weights"):
        weighted_mean(pd.Series([1.0, 0.0, 1.0]), pd.Series([1.0, 0.0, 2.0]))


def test_open_answers_are_pseudonymous_and_redacted():
    from communitylab.datasets import load_survey
    from communitylab.survey.items import open_answers

    s = load_survey("seed-survey")
    q = s["codebook"].questions["q7_suggestions"]
    out = open_answers(s["responses"], q, s["id_col"])
    assert out["respondent"].str.startswith("R-").all() and not out["answer"].str.contains("@").any()
    assert open_answers(s["responses"], q, s["id_col"], show_personal_data=True)["answer"].str.contains("@").any()


def test_xlsx_export_is_read_like_csv(tmp_path):
    cb = load_codebook(SEED / "codebook.yml")
    path = tmp_path / "export.xlsx"
    pd.read_csv(SEED / "responses.csv", dtype=str).to_excel(path, index=False)
    r = read_responses(path, cb)
    assert len(r) == 15 and (r["q1_pertinence"] == "Very pertinent").sum() == 4


def test_open_answer_terms_never_quote_one_respondent():
    import pandas as pd

    from communitylab.survey.codebook import Question
    from communitylab.survey.items import open_answer_terms

    q = Question(id="q7", text="Suggestions", type="text", levels=[])
    r = pd.DataFrame({"q7": ["More case studies please", "case studies and events", "Zelda Quixote should host events",
                             "events, case studies", None, "  ", "mail zelda.q@example.org about events"]})
    terms = open_answer_terms(r, q, min_answers=3)
    assert terms.attrs["answered"] == 5
    assert terms.set_index("term")["answers"].to_dict() == {"events": 4, "case": 3, "studies": 3}
    assert terms.set_index("term")["share"]["events"] == pytest.approx(4 / 5)
    assert not terms["term"].str.contains("zelda|quixote|example").any()
