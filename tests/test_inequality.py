"""Gini, Lorenz, top shares and participation, against hand values and KONECT's degree Gini."""

from __future__ import annotations

import numpy as np
import pytest

from communitylab.engagement import (
    contributions_per_member,
    degree_gini,
    gini,
    lorenz_curve,
    participation_inequality,
    top_share,
)
from communitylab.loaders import load_edgelist
from tests.conftest import DATA, NOW


@pytest.mark.parametrize("values, expected", [([1, 1, 1, 1], 0.0), ([0, 0, 0, 1], 0.75), ([1, 2, 3], 4 / 18)])
def test_gini_hand_values(values, expected):
    assert gini(values) == pytest.approx(expected)


def test_gini_rejects_negative_values():
    with pytest.raises(ValueError):
        gini([1, -1])


def test_lorenz_and_top_share():
    lc = lorenz_curve([0, 0, 0, 4])
    assert lc["share_of_contributions"].tolist() == [0, 0, 0, 0, 1]
    assert top_share([10, 5, 3, 1, 1], 0.2) == pytest.approx(0.5)
    assert top_share([1] * 1000, 0.025) == pytest.approx(0.025)


def test_contributions_exclude_hosts_and_count_reactors(tiny):
    c = contributions_per_member(tiny).set_index("member_id")["contributions"].to_dict()
    assert c == {"a": 2, "b": 2, "c": 2}
    assert "h" in set(contributions_per_member(tiny, include_hosts=True)["member_id"])


def test_participation_inequality_is_seeded_and_tidy(tiny):
    a = participation_inequality(tiny, n_boot=200, seed=3)
    b = participation_inequality(tiny, n_boot=200, seed=3)
    assert a.equals(b)
    assert list(a.columns) == ["metric", "estimate", "ci_low", "ci_high", "n", "method"]
    row = a.set_index("metric")
    assert row.loc["share_contributing", "estimate"] == 1.0 and row.loc["gini", "estimate"] == 0.0


@pytest.mark.parametrize("path, konect", [("collegemsg/CollegeMsg.txt.gz", 0.754), ("digg-reply/munmun_digg_reply.txt.gz", 0.631648)])
def test_degree_gini_matches_konect(path, konect):
    """KONECT: Gini coefficient 75.4 % (opsahl-ucsocial), 0.631648 (munmun_digg_reply)."""
    g = degree_gini(load_edgelist(DATA / path, now=NOW))
    assert g == pytest.approx(konect, abs=5e-4 if konect == 0.754 else 5e-6)


def test_bootstrap_interval_covers_the_estimate():
    rng = np.random.default_rng(0)
    from communitylab.bootstrap import bootstrap_ci

    x = rng.poisson(3, size=400)
    est, lo, hi = bootstrap_ci(x, np.mean, seed=1)
    assert lo < est < hi and hi - lo < 0.5
