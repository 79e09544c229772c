"""The shipped peer table and forecast: recomputed from the table, and applied to a community."""

from __future__ import annotations

import json
import sys

import numpy as np
import pandas as pd
import pytest

from communitylab import datasets
from communitylab.engagement.peers import FEATURES, dormancy_forecast, load_peer_table, peer_percentiles
from tests.conftest import ROOT

sys.path.insert(0, str(ROOT / "benchmarks"))
import build_peers  # noqa: E402

MODEL = json.loads((ROOT / "data/peers/forecast.json").read_text())


def test_the_published_validation_is_recomputed_from_the_shipped_table():
    table = load_peer_table()
    rows = table[table["eligible"]].reset_index(drop=True)
    v = build_peers.validate(rows, tuple(MODEL["features"]))
    published = MODEL["validation"]
    for key in ("n_cuts", "n_quiet", "n_communities", "n_folds"):
        assert v[key] == published[key], key
    for key in ("auc", "brier", "auc_trend", "auc_verdict"):
        assert v[key] == pytest.approx(published[key], abs=1e-4), key
    res, _, _ = build_peers.fit(rows, FEATURES)
    np.testing.assert_allclose(res.params, MODEL["coef"], atol=1e-4)  # the table is written to 6 significant digits


def test_censored_histories_never_count_as_deaths():
    t = load_peer_table()
    berlios = t["community"].str.startswith("mailinglist-") & ~t["community"].isin(build_peers.NOT_BERLIOS)
    assert (pd.to_datetime(t.loc[berlios, "cut"]) + pd.DateOffset(months=6) <= pd.Timestamp("2013-10-01")).all()
    assert t["community"].nunique() >= 34


def test_auc_is_the_mann_whitney_statistic():
    assert build_peers.auc(np.array([0.9, 0.8, 0.1, 0.1]), np.array([1, 0, 1, 0])) == pytest.approx(0.625)


def test_a_community_against_its_peers_and_its_forecast(tiny):
    c = datasets.load_community("sim:living:days=730")
    p = peer_percentiles(c)
    assert (p["n_all"] >= 17).all() and p["percentile_all"].between(0, 1).all()
    f = dormancy_forecast(c)
    assert 0 < f.low <= f.probability <= f.high < 1
    assert set(f.drivers["feature"]) == set(MODEL["features"])
    assert f"AUC {MODEL['validation']['auc']:.2f}" in f.sentence() and "rough guide" in f.sentence()
    assert f.key_figure()["n"] == MODEL["validation"]["n_cuts"] and f.to_dict()["applicable"]
    quiet = dormancy_forecast(tiny)  # seven member posts and replies
    assert not quiet.applicable and "already quiet" in quiet.sentence() and quiet.key_figure() is None
    young = dormancy_forecast(datasets.load_community("sim:living"))  # one year: the peers were first cut at a year
    assert not young.applicable and "less than a year" in young.reason


def test_a_peer_is_never_compared_with_itself():
    c = datasets.load_community("sim:living:days=730")
    table = load_peer_table()
    n = table["community"].nunique()
    assert peer_percentiles(c)["n_all"].max() == n
    c.name = table["community"].iloc[0]
    assert peer_percentiles(c)["n_all"].max() == n - 1
    c.name = "GPSD-Users"  # the panel's mailinglist-gpsd-users under the name a user gave its store
    assert "mailinglist-gpsd-users" in set(table["community"]) and peer_percentiles(c)["n_all"].max() == n - 1


def test_forecast_beats_the_base_rate_and_calibrates_within_ten_points():
    v = MODEL["validation"]
    assert v["brier"] < v["brier_base_rate"]
    assert all(abs(d["observed"] - d["predicted"]) <= 0.10 for d in v["calibration"] if d["n"] >= 30)
