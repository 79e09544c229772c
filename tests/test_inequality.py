"""Gini, Lorenz, top shares and participation, against hand values and KONECT's degree Gini."""

from __future__ import annotations

import numpy as np
import pandas as pd
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
from tests.conftest import NOW, real


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


@pytest.mark.parametrize("path, konect", [("collegemsg", 0.754), ("digg-reply", 0.631648)])
def test_degree_gini_matches_konect(path, konect):
    """KONECT: Gini coefficient 75.4 % (opsahl-ucsocial), 0.631648 (munmun_digg_reply)."""
    from communitylab.engagement.conversation import reply_pairs

    g = degree_gini(load_edgelist(real(path), now=NOW))  # from the replies' ends
    assert g == pytest.approx(konect, abs=5e-4 if konect == 0.754 else 5e-6)
    c = load_edgelist(real(path), now=NOW)
    reply_pairs(c)  # the reply network built: the degrees read from it (Digg has self-loops)
    assert degree_gini(c) == pytest.approx(g, rel=1e-12)


def test_bootstrap_interval_covers_the_estimate():
    rng = np.random.default_rng(0)
    from communitylab.bootstrap import bootstrap_ci

    x = rng.poisson(3, size=400)
    est, lo, hi = bootstrap_ci(x, np.mean, seed=1)
    assert lo < est < hi and hi - lo < 0.5


def test_tied_statistics_equal_the_plain_ones_on_the_expanded_values():
    from communitylab.engagement.inequality import _gini_tied, _share_positive_tied, _top_share_tied

    rng = np.random.default_rng(1)
    v = np.array([0.0, 1.0, 2.0, 5.0, 40.0])
    W = rng.integers(0, 30, size=(20, 5)).astype(float)
    W[:, 1] += 1
    for row in W:
        expanded = np.repeat(v, row.astype(int))
        assert _gini_tied(v, row[None])[0] == pytest.approx(gini(expanded), rel=1e-12)
        assert _share_positive_tied(v, row[None])[0] == pytest.approx((expanded > 0).mean(), rel=1e-12)
        for f in (0.01, 0.1, 0.5):
            assert _top_share_tied(v, row[None], f)[0] == pytest.approx(top_share(expanded, f), rel=1e-12)


def test_tied_bootstrap_matches_resampling_the_members():
    """Same distribution as resampling members one by one (bootstrap_ci): intervals agree within
    Monte Carlo error."""
    from communitylab.bootstrap import bootstrap_ci, bootstrap_tied
    from communitylab.engagement.inequality import _gini_tied

    counts = np.random.default_rng(2).negative_binomial(1, 0.2, size=3000).astype(float)
    tied = bootstrap_tied(counts, {"gini": _gini_tied}, n_boot=2000, seed=0)["gini"]
    plain = bootstrap_ci(counts, gini, n_boot=2000, seed=1)
    assert tied[0] == pytest.approx(gini(counts), rel=1e-12)
    width = plain[2] - plain[1]
    assert abs(tied[1] - plain[1]) < 0.1 * width and abs(tied[2] - plain[2]) < 0.1 * width


def test_contribution_counts_are_the_per_member_column_without_ids():
    from communitylab import datasets
    from communitylab.engagement import contribution_counts, contributions_per_member

    for c in (datasets.load_community("stackexchange-beer"), datasets.load_community("twcs-sample")):
        for hosts in (False, True):
            expected = contributions_per_member(c, include_hosts=hosts)["contributions"].sort_values(ascending=False)
            assert contribution_counts(c, include_hosts=hosts).tolist() == expected.tolist()


def test_contributions_read_from_the_shared_member_period_counts_are_the_same(tmp_path):
    """Once the member × period counts exist, contributions are summed from them: the same
    numbers as counted from the events, with ids (frame) and with store keys, and as pandas'."""
    from communitylab import datasets
    from communitylab.engagement import contribution_counts, contributions_per_member
    from communitylab.engagement.activity import member_period_counts
    from communitylab.loaders import open_store, write_store

    beer = datasets.load_community("stackexchange-beer")
    write_store(beer.to_pandas(), tmp_path / "store")
    for c in (beer, open_store(tmp_path / "store", hosts=beer.hosts)):
        ev = c.to_pandas()
        ev = ev[ev["member_id"].notna() & ~ev["member_id"].isin(c.hosts)]
        by_hand = ev["kind"].isin(["post", "reply"]).groupby(ev["member_id"]).sum().sort_values(ascending=False)
        before = contributions_per_member(c)
        assert not member_period_counts.computed(c, "month")
        member_period_counts(c, "week")
        after = contributions_per_member(c)
        pd.testing.assert_frame_equal(before, after)
        assert sorted(after["contributions"]) == sorted(by_hand) and set(after["member_id"]) == set(by_hand.index)
        assert contribution_counts(c).tolist() == sorted(by_hand, reverse=True)
        assert contributions_per_member(c, ["reply"])["contributions"].sum() == (ev["kind"] == "reply").sum()
