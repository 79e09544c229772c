"""Per-member frequency / recency / age (/ value) summaries, counted at day resolution."""

from __future__ import annotations

import numpy as np
import pandas as pd

from communitylab.community import Community

__all__ = ["rfm_summary", "member_activity_summary"]


def rfm_summary(
    transactions: pd.DataFrame,
    customer_id_col: str,
    datetime_col: str,
    *,
    monetary_value_col: str | None = None,
    observation_period_end: str | pd.Timestamp | None = None,
    time_scaler: float = 1.0,
) -> pd.DataFrame:
    """Frequency, recency and age per customer from a transaction table (pymc-marketing style).

    Transactions on the same calendar day are merged into one (their values summed). Then
    ``frequency`` = number of *repeat* purchase days, ``recency`` = days from the first to the
    last purchase, ``T`` = days from the first purchase to ``observation_period_end`` (default: the
    last transaction), each divided by ``time_scaler`` (7 for weeks). Transactions after the end
    are ignored. ``monetary_value`` = mean value of the repeat purchase days (0 if none).

    Counting is at day resolution on purpose: counting in calendar weeks changes many members'
    counts and the published CDNOW results no longer reproduce.

    Returns
    -------
    DataFrame
        indexed by customer id with ``frequency, recency, T`` (and ``monetary_value``).
    """
    df = transactions[[customer_id_col, datetime_col] + ([monetary_value_col] if monetary_value_col else [])].copy()
    df["_day"] = pd.to_datetime(df[datetime_col]).dt.normalize()
    end = pd.Timestamp(observation_period_end) if observation_period_end is not None else df["_day"].max()
    if end.tzinfo is None and df["_day"].dt.tz is not None:
        end = end.tz_localize(df["_day"].dt.tz)
    df = df[df["_day"] <= end]
    agg = {monetary_value_col: "sum"} if monetary_value_col else {}
    days = df.groupby([customer_id_col, "_day"], as_index=False).agg(agg) if agg else df[[customer_id_col, "_day"]].drop_duplicates()
    g = days.groupby(customer_id_col)["_day"]
    first, last, n = g.min(), g.max(), g.size()
    out = pd.DataFrame({
        "frequency": (n - 1).astype(float),
        "recency": (last - first).dt.days / time_scaler,
        "T": (end - first).dt.days / time_scaler,
    })
    if monetary_value_col:
        days = days.merge(first.rename("_first"), left_on=customer_id_col, right_index=True)
        repeat = days[days["_day"] > days["_first"]]
        out["monetary_value"] = repeat.groupby(customer_id_col)[monetary_value_col].mean().reindex(out.index).fillna(0.0)
    return out


def member_activity_summary(
    community: Community,
    *,
    kinds: tuple[str, ...] = ("post", "reply", "reaction"),
    observation_end: pd.Timestamp | None = None,
    time_scaler: float = 7.0,
) -> pd.DataFrame:
    """The same summary for community members, computed in the engine (no log in pandas).

    Active days (a post, reply or reaction) play the role of purchases. Hosts and unknown
    authors are excluded. Default unit: weeks (days / 7). One row per member comes back.
    """
    t = community.core
    m = t.filter(t.kind.isin(list(kinds)) & ~t.is_host & t.member_key.notnull())
    days = m.select(member_key=m.member_key, day=m.created_at.truncate("D")).distinct()
    agg = days.group_by("member_key").aggregate(first=days.day.min(), last=days.day.max(), n=days.count())
    df = community.execute(community.member_ids(agg)).set_index("member_id").sort_index()
    end = pd.Timestamp(observation_end) if observation_end is not None else community.execute(m.created_at.max()).floor("D")
    return pd.DataFrame({
        "frequency": (df["n"] - 1).astype(float),
        "recency": (df["last"] - df["first"]).dt.days / time_scaler,
        "T": np.maximum((end - df["first"]).dt.days, 0) / time_scaler,
    })
