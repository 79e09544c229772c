"""Member lifecycle per period and stickiness on a hand log."""

from __future__ import annotations

import pytest

from communitylab.engagement import activity_by_period, stickiness


def test_lifecycle_by_month(tiny):
    a = activity_by_period(tiny, "month").set_index(activity_by_period(tiny, "month")["period"].dt.strftime("%Y-%m"))
    jan, feb = a.loc["2024-01"], a.loc["2024-02"]
    assert (jan["active"], jan["new"], jan["returning"], jan["resurrected"]) == (3, 3, 0, 0)
    assert (feb["active"], feb["new"], feb["returning"], feb["dormant"]) == (1, 0, 1, 2)
    assert (jan["posts"], jan["replies"], jan["reactions"], jan["host_posts"]) == (2, 4, 1, 1)


def test_resurrected_members_and_gaps(tiny):
    a = activity_by_period(tiny, "week")
    assert a["period"].diff().dropna().dt.days.eq(7).all()  # empty weeks are kept
    assert a["active"].sum() == 4


def test_bad_period(tiny):
    with pytest.raises(ValueError, match="period"):
        activity_by_period(tiny, "fortnight")


def test_stickiness(tiny):
    s = stickiness(tiny).set_index(stickiness(tiny)["month"].dt.strftime("%Y-%m"))
    # January: member-days a(2 days) b(2 days) c(1 day) = 5 over 31 days; MAU 3
    assert s.loc["2024-01", "dau"] == pytest.approx(5 / 31)
    assert s.loc["2024-01", "dau_mau"] == pytest.approx(5 / 31 / 3)
