"""What a model's ``fit`` takes, checked the same way everywhere.

One convention: a model of rows (members for the customer-value models, periods for the
interrupted time series) takes a DataFrame and the names of its columns, as lifetimes and
statsmodels' formula API do; a model of one sequence (survivors per period, durations and
whether each ended in the event) takes array-likes, as lifelines' ``fit(durations,
event_observed)`` does. Anything else is a :class:`~communitylab.errors.ParameterError` naming
what was expected, before any arithmetic.

Examples
--------
>>> import pandas as pd
>>> frame_of_columns(pd.DataFrame({"frequency": [1, 0]}), ["frequency"], "BetaGeoFitter.fit").shape
(2, 1)
>>> frame_of_columns([1, 2, 3], ["frequency", "recency", "T"], "BetaGeoFitter.fit")
Traceback (most recent call last):
...
communitylab.errors.ParameterError: BetaGeoFitter.fit takes a DataFrame with columns ['frequency', 'recency', 'T'] (one row each), not a list
>>> numeric_vector([1000, 631, 468], "survivors", "ShiftedBetaGeometricFitter.fit").tolist()
[1000.0, 631.0, 468.0]
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from communitylab.errors import ParameterError

__all__ = ["frame_of_columns", "numeric_vector"]


def frame_of_columns(data: Any, columns: Sequence[str], source: str) -> pd.DataFrame:
    """``data`` itself when it is a DataFrame holding ``columns``.

    Raises
    ------
    ParameterError
        ``data`` is not a DataFrame.
    DataValidationError
        A column is missing (named, with the columns expected).
    """
    from communitylab.schema import DataValidationError

    if not isinstance(data, pd.DataFrame):
        raise ParameterError(f"{source} takes a DataFrame with columns {list(columns)} (one row each), not a {type(data).__name__}")
    missing = [c for c in columns if c not in data.columns]
    if missing:
        raise DataValidationError(source, ", ".join(missing), [], f"columns {list(columns)}", 0)
    return data


def numeric_vector(values: Any, name: str, source: str) -> np.ndarray:
    """``values`` (a list, array or Series) as a one-dimensional float array.

    Raises
    ------
    ParameterError
        A DataFrame, a string, a scalar, a nested sequence, or values that are not numbers.
    """
    expected = f"{source} takes {name} as one sequence of numbers (a list, array or Series)"
    if isinstance(values, pd.DataFrame | str | bytes | dict) or np.ndim(values) != 1:
        raise ParameterError(f"{expected}, not a {type(values).__name__}" + ("" if np.ndim(values) == 1 else f" of {np.ndim(values)} dimensions"))
    try:
        return np.asarray(values, dtype=float)
    except (TypeError, ValueError) as exc:
        raise ParameterError(f"{expected}; {exc}") from exc
