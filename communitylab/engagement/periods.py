"""Periods (day, week from Monday, month) as consecutive integers, in the engine and in pandas.

Integers group and step (the previous period is ``p - 1``) faster than truncated timestamps:
:func:`period_index` numbers them in the engine, :func:`period_index_of` in pandas (the same
numbers), :func:`period_start` turns them back into UTC timestamps.
"""

from __future__ import annotations

import ibis
import pandas as pd

__all__ = ["period_index", "period_index_of", "period_start", "period_of_day"]

_DAY0 = pd.Timestamp("1900-01-01")  # a Monday: weeks counted from it start on Monday


def period_index(col, period: str):
    """Each timestamp of an engine column as its period's integer: months since year 0
    (``year * 12 + month - 1``), days since 1900-01-01, weeks (from Monday) since 1900-01-01."""
    if period == "month":
        return col.year().cast("int64") * 12 + col.month().cast("int64") - 1
    days = col.date().delta(ibis.date(_DAY0.year, _DAY0.month, _DAY0.day), unit="day").cast("int64")
    return days if period == "day" else days // 7


def period_index_of(times: pd.Series, period: str) -> pd.Series:
    """:func:`period_index` of pandas timestamps (UTC when they carry a time zone)."""
    t = pd.Series(times)
    t = t.dt.tz_convert("UTC").dt.tz_localize(None) if t.dt.tz is not None else t
    if period == "month":
        return (t.dt.year * 12 + t.dt.month - 1).astype("int64")
    days = (t.dt.normalize() - _DAY0).dt.days.astype("int64")
    return days if period == "day" else days // 7


def period_start(index, period: str) -> pd.Series:
    """The start (UTC) of each period of :func:`period_index`."""
    index = pd.Series(index, dtype="int64")
    if period == "month":
        out = pd.to_datetime(pd.DataFrame({"year": index // 12, "month": index % 12 + 1, "day": 1}))
    else:
        out = _DAY0 + pd.to_timedelta(index * (1 if period == "day" else 7), unit="D")
    return pd.Series(out, index=index.index).dt.tz_localize("UTC").astype("datetime64[us, UTC]")


def period_of_day(days: pd.Series, period: str) -> pd.Series:
    """The start of each UTC day's period (``day``, ``week`` from Monday, ``month``), as ``days``."""
    return period_start(period_index_of(days, period), period).astype(days.dtype)
