"""Per-member summaries, cohorts and tenure survival."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from communitylab.retention.cohorts import cohort_retention, cohort_survivors
from communitylab.retention.summary import member_activity_summary, rfm_summary
from communitylab.retention.survival import kaplan_meier, member_tenure, proportional_hazards
from communitylab.simulate import simulate
from tests.conftest import real


def test_rfm_summary_reproduces_the_cdnow_calibration_table():
    """The cdnow data set's provenance (README in ../shared/data): same-day orders merged, cut at 1997-09-30, days/7; max diff 0.0043."""
    raw = pd.read_csv(real("cdnow", "CDNOW_sample.txt"), sep=r"\s+", header=None, names=["master", "id", "date", "cds", "dollars"], dtype={"date": str})
    raw["date"] = pd.to_datetime(raw["date"], format="%Y%m%d")
    s = rfm_summary(raw, "id", "date", monetary_value_col="dollars", observation_period_end="1997-09-30", time_scaler=7)
    ref = pd.read_csv(real("cdnow", "cdnow_customers_summary.csv")).set_index("ID")
    assert (s["frequency"].to_numpy() == ref["frequency"].to_numpy()).all()
    assert np.abs(s["recency"].to_numpy() - ref["recency"].to_numpy()).max() < 0.005
    assert np.abs(s["T"].to_numpy() - ref["T"].to_numpy()).max() < 0.005
    zbar = pd.read_csv(real("cdnow", "cdnow_customers_summary_with_transactions.csv"))["zbar"].to_numpy()
    assert np.abs(s["monetary_value"].to_numpy() - zbar).max() <= 0.005 + 1e-9
    assert (s["frequency"] > 0).sum() == 946


def test_member_activity_summary_by_hand(tiny):
    s = member_activity_summary(tiny, time_scaler=1)
    # a: active 01-02, 01-03 -> frequency 1, recency 1 day, T from 01-02 to 02-01 = 30 days
    assert s.loc["a"].tolist() == [1.0, 1.0, 30.0]
    assert "h" not in s.index


def test_cohort_retention_and_survivors(tiny):
    c = cohort_retention(tiny)
    assert c.loc[c.index[0], "size"] == 3 and c.loc[c.index[0], 1] == pytest.approx(1 / 3)
    assert cohort_survivors(tiny).tolist() == [3, 1]


def test_cohort_cells_beyond_the_data_are_not_observed():
    c = cohort_retention(simulate("living", seed=0, days=120).community())
    assert np.isnan(c.iloc[-1, -1])


def test_tenure_km_and_cox():
    t = member_tenure(simulate("living", seed=0).community())
    assert {"tenure_days", "churned", "first_post_got_reply", "acquisition_channel"} <= set(t.columns)
    km = kaplan_meier(t)
    assert km["survival"].is_monotonic_decreasing and (km["ci_low"] <= km["survival"]).all()
    ph = proportional_hazards(t, "first_post_got_reply + C(segment)")
    assert (ph["ci_low"] < ph["hazard_ratio"]).all() and (ph["hazard_ratio"] < ph["ci_high"]).all()


def test_cox_model_says_why_it_cannot_be_fitted():
    import pandas as pd

    from communitylab.retention.survival import proportional_hazards

    tenure = pd.DataFrame({"tenure_days": [10.0, 20, 30, 40], "churned": [0, 0, 0, 0], "first_post_got_reply": [1, 0, 1, 0]})
    out = proportional_hazards(tenure)
    assert out["hazard_ratio"].isna().all() and out["note"].iloc[0] == "no member has churned yet"
    flat = tenure.assign(churned=[1, 0, 1, 1], first_post_got_reply=1)
    assert "no variation in first_post_got_reply" in proportional_hazards(flat)["note"].iloc[0]
