"""The churn study's words: the data named, the decision's sensitivity, money in money."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from communitylab import report
from communitylab.retention import economics as econ


def test_the_data_a_decision_rests_on_is_named():
    default = report.churn_data_named([1000, 631, 468, 382, 326, 289, 262, 241], "cdnow", "sim:living")
    assert "default survivor counts" in default and "CDNOW sample" in default and "simulated community (living)" in default
    own = report.churn_data_named([500, 400, 350], "cdnow", "sim:living")
    assert "survivor counts given (3 periods from 500)" in own


def test_sensitivity_agrees_with_the_projection_and_moves_the_right_way():
    kw = dict(members=1000, margin=100.0, budget=20000.0, horizon=10, discount_rate=0.1)
    grid = econ.decision_sensitivity(0.771, **kw, lifts=np.array([0.0, 0.05, 0.1]), costs=np.array([150.0, 300.0, 600.0]))
    table = grid.pivot(index="acquisition_cost", columns="retention_lift", values="keep_minus_acquire")
    assert (np.diff(table.to_numpy(), axis=1) > 0).all()  # a larger lift favours keeping
    assert (np.diff(table.to_numpy(), axis=0) > 0).all()  # a dearer new member favours keeping
    proj = econ.project_member_base(1000, 0.771, margin=100.0, budget=20000.0, acquisition_cost=300.0, retention_with_programme=0.821,
                                    horizon=10, discount_rate=0.1)
    end = proj[proj.period == 10].set_index("strategy")["cumulative_value"]
    assert table.loc[300.0, 0.05] == pytest.approx(end["retain"] - end["acquire"])


def test_sensitivity_caption_reads_the_grid():
    grid = pd.DataFrame({"retention_lift": [0.0, 0.1, 0.0, 0.1], "acquisition_cost": [300.0, 300.0, 600.0, 600.0],
                         "keep_minus_acquire": [-5.0, 3.0, 1.0, 9.0]})
    text = report.sensitivity_caption(grid, lift=0.05, cost=300.0)
    assert "at $300 a member, keeping beats acquiring from a lift of 10.0 points" in text


def test_value_per_customer_is_money():
    text = report.value_per_customer_text(pd.Series([0.0, 10.0, 20.0, 130.0]), "€")
    assert "€40" in text and "4 customers" in text and "median customer €15" in text
