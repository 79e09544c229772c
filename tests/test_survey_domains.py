"""Shares and segment comparisons under a sample design (checked against R survey on apistrat / apiclus1)."""

from __future__ import annotations

import pandas as pd
import pytest

from communitylab.survey.codebook import Question
from communitylab.survey.domains import compare_segments, design_shares, design_spec
from tests.conftest import real
from tests.results import results_survey_designs_r as R


def test_design_spec_is_none_without_a_design():
    assert design_spec([], "", [], "") is None
    assert design_spec(["dnum"], "", ["fpc"], "pw") == {"ids": ["dnum"], "strata": None, "fpc": ["fpc"], "weights": "pw"}


def test_design_shares_reproduce_svyciprop():
    df = pd.read_csv(real("api", "apistrat.csv"))
    q = Question("sch.wide", "single", levels=["No", "Yes"])
    table = design_shares(df, q, design_spec(strata="stype", fpc="fpc", weights="pw")).set_index("answer")
    est, se, lo, hi = R.CIPROP[("strat", "logit")]["all"]
    assert table.loc["Yes", ["share", "se", "ci_low", "ci_high"]].to_numpy(dtype=float) == pytest.approx([est, se, lo, hi], rel=1e-6)
    assert table["share"].sum() == pytest.approx(1)


def test_segments_are_domains_with_a_rao_scott_test():
    df = pd.read_csv(real("api", "apiclus1.csv"))
    q = Question("sch.wide", "single", levels=["Yes", "No"])  # first answer: "Yes"
    table, test = compare_segments(df, q, "stype", design_spec(ids=["dnum"], fpc=["fpc"], weights="pw"))
    assert list(table["segment"]) == ["E", "H", "M"]
    f, ndf, ddf, p = R.CHISQ["clus1"]["F"]
    assert [test["statistic"], test["ndf"], test["ddf"], test["p_value"]] == pytest.approx([f, ndf, ddf, p], rel=1e-6)
    m = table.set_index("segment").loc["M"]
    # the M schools' share of sch.wide "Yes" as a domain of apiclus1 (R: svyciprop on subset(dclus1, stype == "M"))
    assert 0 < m["ci_low"] < m["share"] < m["ci_high"] < 1 and m["n"] == (df["stype"] == "M").sum()
