"""Headline figures a study hands to the runner (collected into ``summary.json``).

``record(...)`` displays the values under a private MIME type: invisible in the HTML report, read
back from the executed notebook by :mod:`communitylab.runner` (and by plain papermill users with
:func:`read_summary`).
"""

from __future__ import annotations

import json
import math
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["MIME", "record", "read_summary", "to_jsonable"]

MIME = "application/vnd.communitylab.summary+json"


def to_jsonable(value: Any) -> Any:
    """Numbers, strings, lists, dicts; numpy and pandas scalars converted, NaN to None."""
    if isinstance(value, dict):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [to_jsonable(v) for v in value]
    if isinstance(value, pd.DataFrame):
        return to_jsonable(value.to_dict("records"))
    if isinstance(value, (pd.Timestamp,)):
        return value.isoformat()
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and (math.isnan(value) or math.isinf(value)):
        return None
    if value is pd.NA or value is None:
        return None
    return value


def record(**values: Any) -> None:
    """Record headline values of the running study (shown nowhere, collected by the runner)."""
    from IPython.display import display

    payload = to_jsonable(values)
    json.dumps(payload)  # fail here, not in the runner, when a value cannot be serialized
    display({MIME: payload}, raw=True)


def read_summary(notebook: Any) -> dict[str, Any]:
    """Merge every recorded value of an executed notebook (a ``nbformat`` node or a path)."""
    import nbformat

    nb = nbformat.read(str(notebook), as_version=4) if not hasattr(notebook, "cells") else notebook
    out: dict[str, Any] = {}
    for cell in nb.cells:
        for o in cell.get("outputs", []):
            data = o.get("data", {})
            if MIME in data:
                out.update(data[MIME])
    return out
