"""One timestamp policy for every connector: a stated range, epochs read by magnitude, no date
ever turned into another.

The range
    An event dated before :data:`EARLIEST` (1990-01-01 UTC; ``COMMUNITYLAB_EARLIEST`` or
    ``validate_events(earliest=...)`` moves it) or more than :data:`FUTURE_TOLERANCE` (one day)
    after ``now`` is excluded and counted by reason in the load report. No online community
    export holds real events before 1990; what does is a placeholder (1970-01-01, 1900-01-01, year
    1) or damage, and one such event would stretch every window by decades.
Integer epochs
    A column of numbers is read as time since 1970 in the unit its magnitude implies: seconds
    below 1e11 (up to the year 5138), milliseconds below 1e14, microseconds below 1e17,
    nanoseconds above; the unit is stated in the load report.
No conversion that wraps
    A date-time whose conversion to UTC leaves the representable range (``31 Dec 9999 -2359`` is
    year 10000 in UTC) is out of range, never the date the overflow happens to give.

Examples
--------
>>> import pandas as pd
>>> from communitylab.timestamps import epoch_unit, from_epoch
>>> epoch_unit(pd.Series([1714557600, 1714557601]))
's'
>>> str(from_epoch(pd.Series([1714557600000]))[0])
'2024-05-01 10:00:00+00:00'
"""

from __future__ import annotations

import datetime as dt
import os

import numpy as np
import pandas as pd

from communitylab.errors import ParameterError

__all__ = ["EARLIEST", "FUTURE_TOLERANCE", "earliest", "epoch_rule", "epoch_unit", "from_epoch", "utc_datetime"]

#: Events before this are outside the stated range (``COMMUNITYLAB_EARLIEST`` moves it).
EARLIEST = pd.Timestamp("1990-01-01", tz="UTC")
#: Events later than ``now`` by more than this are in the future (clock errors, placeholders).
FUTURE_TOLERANCE = pd.Timedelta(days=1)

_UNITS = ((1e11, "s"), (1e14, "ms"), (1e17, "us"))


def earliest(value: str | pd.Timestamp | None = None) -> pd.Timestamp:
    """The lower bound in force: ``value``, else ``COMMUNITYLAB_EARLIEST``, else :data:`EARLIEST`.

    Raises
    ------
    ValueError
        The bound given is not a date.
    """
    chosen = value if value is not None else os.environ.get("COMMUNITYLAB_EARLIEST") or EARLIEST
    try:
        ts = pd.Timestamp(chosen)
    except (ValueError, TypeError) as exc:
        raise ParameterError(f"the earliest date (COMMUNITYLAB_EARLIEST or earliest=) must be a date such as 1990-01-01; got {chosen!r}") from exc
    return ts.tz_localize("UTC") if ts.tzinfo is None else ts.tz_convert("UTC")


def epoch_unit(values: pd.Series) -> str:
    """The unit (``s``, ``ms``, ``us``, ``ns``) of integer times since 1970, from their magnitude.

    The median magnitude of the non-zero values decides, so a few zeros (placeholders) do not.
    """
    mag = np.abs(pd.to_numeric(values, errors="coerce").to_numpy(dtype="float64", na_value=np.nan))
    mag = mag[np.isfinite(mag) & (mag > 0)]
    if not len(mag):
        return "s"
    m = float(np.median(mag))
    return next((unit for bound, unit in _UNITS if m < bound), "ns")


def epoch_rule(unit: str) -> str:
    """The load report's words for numbers read as times in ``unit``."""
    words = {"s": "seconds", "ms": "milliseconds", "us": "microseconds", "ns": "nanoseconds"}[unit]
    return f"numeric timestamps read as {words} since 1970 (unit from their magnitude)"


def from_epoch(values: pd.Series, unit: str | None = None) -> pd.Series:
    """Integer (or float) times since 1970 as ``datetime64[us, UTC]``; out-of-range values become NaT.

    A value too large for the unit's range is NaT (and then excluded as damaged), never wrapped.
    """
    unit = unit or epoch_unit(values)
    num = pd.to_numeric(values, errors="coerce").astype("float64")
    per_us = {"s": 1e6, "ms": 1e3, "us": 1.0, "ns": 1e-3}[unit]
    us = num * per_us
    limit = float(np.iinfo("int64").max) / 2
    us = us.where(us.abs() < limit)
    whole = us.round().astype("Int64")
    return pd.Series(pd.to_datetime(whole.to_numpy(dtype="float64", na_value=np.nan), unit="us", utc=True),
                     index=values.index).astype("datetime64[us, UTC]")


def utc_datetime(value: dt.datetime) -> pd.Timestamp | None:
    """A date-time (with or without offset; without is taken as UTC) as a UTC ``Timestamp``, or
    None when its conversion leaves the representable range (year 0 or 10000 in UTC)."""
    try:
        if value.tzinfo is None:
            value = value.replace(tzinfo=dt.UTC)
        return pd.Timestamp(value.astimezone(dt.UTC)).as_unit("us")
    except (OverflowError, ValueError, pd.errors.OutOfBoundsDatetime):
        return None
