"""Member lifecycle per period and stickiness on a hand log."""

from __future__ import annotations

import pandas as pd
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


LIFECYCLE = ["active", "new", "returning", "dormant"]


def _lifecycle_by_hand(events: pd.DataFrame, hosts, period: str, lo=None, hi=None) -> pd.DataFrame:
    """The lifecycle in plain pandas, from pandas Periods (weeks ending Sunday start on Monday)."""
    ev = events[events["kind"].isin(["post", "reply", "reaction"]) & events["member_id"].notna() & ~events["member_id"].isin(hosts)]
    if lo is not None:
        ev = ev[(ev["created_at"] >= lo) & (ev["created_at"] <= hi)]
    freq = {"day": "D", "week": "W-SUN", "month": "M"}[period]
    per = ev["created_at"].dt.tz_convert("UTC").dt.tz_localize(None).dt.to_period(freq)
    mp = pd.DataFrame({"m": ev["member_id"].to_numpy(), "k": per.array.asi8}).drop_duplicates().sort_values(["m", "k"])
    prev = mp["k"].shift().where(mp["m"].eq(mp["m"].shift()))
    nxt = mp["k"].shift(-1).where(mp["m"].eq(mp["m"].shift(-1)))
    out = pd.DataFrame({"active": mp.groupby("k").size(), "new": prev.isna().groupby(mp["k"]).sum(),
                        "returning": (prev == mp["k"] - 1).groupby(mp["k"]).sum()})
    out = out.join((mp.loc[nxt.isna() | (nxt != mp["k"] + 1), "k"] + 1).value_counts().rename("dormant"), how="outer").fillna(0)
    out.index = pd.DatetimeIndex([pd.Period(ordinal=k, freq=freq).start_time.tz_localize("UTC") for k in out.index]).as_unit("ns")
    return out.astype("int64")[LIFECYCLE]


def _check_lifecycle(kit: pd.DataFrame, ref: pd.DataFrame) -> None:
    kit = kit.set_index("period")
    kit.index = kit.index.as_unit("ns")
    assert ref.index[:-1].isin(kit.index).all()  # all but the dormancy after the last period, which is not shown
    pd.testing.assert_frame_equal(kit[LIFECYCLE], ref.reindex(kit.index, fill_value=0), check_dtype=False, check_names=False)
    assert (kit["resurrected"] == kit["active"] - kit["new"] - kit["returning"]).all()


@pytest.mark.parametrize("period", ["day", "week", "month"])
def test_lifecycle_equals_pandas_within_the_active_period(period):
    """A log with stray events years before its active period: only the active period counts,
    including the two periods the window cuts."""
    from communitylab import datasets
    from communitylab.engagement import observation_window

    c = datasets.load_community("twcs-sample")
    ev = c.to_pandas()
    lo, hi = observation_window(c)
    _check_lifecycle(activity_by_period(c, period, active_period_only=True), _lifecycle_by_hand(ev, c.hosts, period, lo, hi))
    _check_lifecycle(activity_by_period(c, period), _lifecycle_by_hand(ev, c.hosts, period))


@pytest.mark.parametrize("period", ["day", "week", "month"])
def test_lifecycle_on_a_keyed_store_equals_pandas(tmp_path, period):
    """The store's integer keys take the packed member × period path: the same lifecycle."""
    from communitylab.loaders import open_store, write_store
    from communitylab.simulate import simulate_large_log

    ev = simulate_large_log(20_000, n_members=300, days=120, seed=3)
    write_store(ev, tmp_path / "store")
    hosts = {f"host{i}" for i in range(5)}
    c = open_store(tmp_path / "store", hosts=hosts)
    assert c.keys is not None
    _check_lifecycle(activity_by_period(c, period), _lifecycle_by_hand(ev, hosts, period))
    lo, hi = pd.Timestamp("2024-01-10 13:00", tz="UTC"), pd.Timestamp("2024-03-20 08:00", tz="UTC")
    from communitylab.engagement.activity import _lifecycle, period_start

    life = c.execute(_lifecycle(c, period, (lo, hi)))
    life["period"] = period_start(life.pop("p"), period).to_numpy()
    ref = _lifecycle_by_hand(ev, hosts, period, lo, hi)
    life = life.set_index("period").sort_index()
    life.index = life.index.as_unit("ns")
    pd.testing.assert_frame_equal(life[LIFECYCLE], ref, check_dtype=False, check_names=False)


def test_the_member_period_table_keeps_32_bit_counts_and_totals_stay_exact(tmp_path):
    """The shared member × period table is kept with 32-bit counts (a third narrower in memory);
    what is read from it (contributions per member) comes out as 64-bit totals, equal to a count
    by hand."""
    from communitylab.engagement import contribution_counts
    from communitylab.engagement.activity import COUNTED_KINDS, member_period_counts
    from communitylab.loaders import open_store, write_store
    from communitylab.simulate import simulate_large_log

    ev = simulate_large_log(20_000, n_members=300, days=120, seed=5)
    write_store(ev, tmp_path / "store")
    hosts = {f"host{i}" for i in range(5)}
    c = open_store(tmp_path / "store", hosts=hosts)
    schema = member_period_counts(c, "month").schema()
    assert [str(schema[f"n_{k}"]) for k in COUNTED_KINDS] == ["int32"] * len(COUNTED_KINDS)
    kit = contribution_counts(c)
    members = ev[~ev["member_id"].isin(hosts) & ev["member_id"].notna()]
    by_hand = members[members["kind"].isin(["post", "reply"])].groupby("member_id").size()
    by_hand = by_hand.reindex(members["member_id"].unique(), fill_value=0).sort_values(ascending=False)
    assert kit.dtype == "int64"
    assert kit.tolist() == by_hand.tolist()


def test_the_activity_caption_says_what_the_line_draws():
    import matplotlib

    matplotlib.use("Agg")
    import numpy as np
    import pandas as pd

    from communitylab import plots

    activity = pd.DataFrame({"period": pd.date_range("2024-01-01", periods=3, freq="MS", tz="UTC"), "active": [5, 6, 7], "new": [5, 1, 1],
                             "returning": [0, 5, 6], "resurrected": [0, 0, 0], "dormant": [0, 0, 0], "posts": [3, 3, 3], "replies": [9, 9, 9],
                             "reactions": [0, 0, 0], "host_posts": [1, 0, 2], "host_replies": [10, 20, 30]})
    ax = plots.plot_activity(activity)
    line = ax.figure.axes[1].lines[0].get_ydata()
    assert np.array_equal(line, [11, 20, 32])  # the hosts' posts and replies, as the caption says
    assert "counts the hosts' posts and replies" in plots.activity_caption(activity, "month")
    quiet = activity.assign(host_posts=0, host_replies=0)
    ax = plots.plot_activity(quiet)
    assert len(ax.figure.axes) == 1 and "no host line" in plots.activity_caption(quiet, "month")
