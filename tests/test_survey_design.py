"""Complex designs (strata, one- and two-stage clusters, fpc), domains, design-based proportions,
tests and quantiles against R ``survey`` 4.1 on the api data (R calls in tests/results/)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from communitylab.schema import DataValidationError
from communitylab.survey import design as D
from tests.conftest import real
from tests.results import results_survey_designs_r as R

# the designs of tests/results/survey_designs.R, argument for argument
DESIGNS = {
    "srs": ("apisrs", {"fpc": "fpc"}),
    "strat": ("apistrat", {"strata": "stype", "weights": "pw", "fpc": "fpc"}),
    "clus1": ("apiclus1", {"ids": "dnum", "weights": "pw", "fpc": "fpc"}),
    "clus2": ("apiclus2", {"ids": ["dnum", "snum"], "fpc": ["fpc1", "fpc2"]}),
}
RTOL = 1e-6  # "at least 6 significant digits"


def load(name):
    file, spec = DESIGNS[name]
    df = pd.read_csv(real("api", f"{file}.csv"))
    df["sw"] = (df["sch.wide"] == "Yes").astype(float)
    df["aw"] = (df["awards"] == "Yes").astype(float)
    return df, spec


@pytest.mark.parametrize("name", DESIGNS)
def test_means_totals_and_domains(name):
    df, spec = load(name)
    ref = R.MEANS[name]
    cases = {
        "mean": D.svymean(df, "api00", **spec),
        "total": D.svytotal(df, "enroll", **spec),  # apiclus2 has missing enroll: na.rm=TRUE
        "domain_mean_E": D.svymean(df, "api00", domain=df["stype"] == "E", **spec),
        "domain_total_H": D.svytotal(df, "enroll", domain=df["stype"] == "H", **spec),
    }
    for key, got in cases.items():
        np.testing.assert_allclose([got["estimate"], got["se"]], ref[key], rtol=RTOL, err_msg=key)


def test_domain_differs_from_subsetting_the_data_first():
    # apisrs with its fpc: R's domain SE is 11.1935; subsetting the rows first treats the 71
    # elementary schools as a simple random sample of their own and gets another SE
    df, spec = load("srs")
    right = D.svymean(df, "api00", domain=df["stype"] == "E", **spec)
    wrong = D.svymean(df[df["stype"] == "E"].reset_index(drop=True), "api00", **spec)
    assert right["se"] == pytest.approx(R.MEANS["srs"]["domain_mean_E"][1], rel=RTOL)
    assert abs(wrong["se"] / right["se"] - 1) > 0.005
    # and a total: the subset's own "fpc" design inflates every weight (6194/71 instead of 6194/200)
    total = D.svytotal(df, "enroll", domain=df["stype"] == "H", **spec)
    first = D.svytotal(df[df["stype"] == "H"].reset_index(drop=True), "enroll", **spec)
    assert total["estimate"] == pytest.approx(R.MEANS["srs"]["domain_total_H"][0], rel=RTOL)
    assert first["estimate"] > 5 * total["estimate"]


@pytest.mark.parametrize("name", DESIGNS)
def test_svyby(name):
    df, spec = load(name)
    by = D.svyby(df, "api00", "stype", **spec).set_index("stype")
    for level, (est, se) in R.SVYBY[name].items():
        np.testing.assert_allclose([by.loc[level, "estimate"], by.loc[level, "se"]], [est, se], rtol=RTOL)
    assert list(by.columns) == ["estimate", "se", "ci_low", "ci_high", "n"]


@pytest.mark.parametrize("name", DESIGNS)
@pytest.mark.parametrize("method", ["logit", "likelihood", "beta", "mean", "xlogit", "asin"])
def test_svyciprop(name, method):
    df, spec = load(name)
    ref = R.CIPROP[(name, method)]
    # R's likelihood interval profiles IRLS fits converged to 1e-8 in deviance: its own steps move by ~2e-5
    rtol = 5e-6 if method == "likelihood" else RTOL
    for key, got in (("all", D.svyciprop(df, "sw", method=method, **spec)),
                     ("domain_M", D.svyciprop(df, "aw", method=method, domain=df["stype"] == "M", **spec))):
        np.testing.assert_allclose([got["estimate"], got["se"]], ref[key][:2], rtol=RTOL, err_msg=key)
        np.testing.assert_allclose([got["ci_low"], got["ci_high"]], ref[key][2:], rtol=rtol, err_msg=key)


@pytest.mark.parametrize("name", DESIGNS)
def test_svychisq_rao_scott(name):
    df, spec = load(name)
    f = D.svychisq(df, "stype", "sch.wide", **spec)
    np.testing.assert_allclose([f["statistic"], f["ndf"], f["ddf"], f["p_value"]], R.CHISQ[name]["F"], rtol=RTOL)
    c = D.svychisq(df, "stype", "sch.wide", statistic="Chisq", **spec)
    np.testing.assert_allclose([c["pearson"], c["ndf"], c["p_value"]], R.CHISQ[name]["Chisq"], rtol=RTOL)


@pytest.mark.parametrize("name", DESIGNS)
def test_svyttest(name):
    df, spec = load(name)
    t = D.svyttest(df, "api00", "sch.wide", **spec)
    np.testing.assert_allclose([t["estimate"], t["statistic"], t["df"], t["p_value"]], R.TTEST[name], rtol=RTOL)
    assert (t["group_a"], t["group_b"]) == ("No", "Yes") and t["ci_low"] < t["estimate"] < t["ci_high"]


@pytest.mark.parametrize("name", DESIGNS)
def test_svyquantile_woodruff(name):
    df, spec = load(name)
    q = D.svyquantile(df, "api00", [0.25, 0.5], **spec).set_index("quantile")
    for p, ref in R.QUANTILES[name].items():
        np.testing.assert_allclose(q.loc[p, ["estimate", "ci_low", "ci_high", "se"]].to_numpy(dtype=float), ref, rtol=RTOL)


def test_fpc_as_a_fraction_equals_fpc_as_a_population():
    df, _ = load("clus1")
    frac = df.assign(f=15 / df["fpc"])  # 15 districts sampled
    a = D.svymean(df, "api00", ids="dnum", fpc="fpc")
    b = D.svymean(frac, "api00", ids="dnum", fpc="f")
    np.testing.assert_allclose(a[["estimate", "se"]].to_numpy(dtype=float), b[["estimate", "se"]].to_numpy(dtype=float), rtol=1e-12)


def test_bad_designs_are_named():
    df, _ = load("clus2")
    with pytest.raises(DataValidationError, match="one fpc column per stage"):
        D.svymean(df, "api00", ids=["dnum", "snum"], fpc="fpc1")
    with pytest.raises(DataValidationError, match="'district'"):
        D.svymean(df, "api00", ids="district")
    one = df.assign(h=np.where(df["dnum"] == df["dnum"].iloc[0], "alone", "rest"))
    with pytest.raises(ValueError, match="only one sampled unit"):
        D.svymean(one, "api00", ids="dnum", strata="h")
    with pytest.raises(DataValidationError, match="0/1"):
        D.svyciprop(df, "api00")
