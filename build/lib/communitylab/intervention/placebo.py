"""Placebo-in-time checks: would the same model have found an "effect" where nothing happened?"""

from __future__ import annotations

import copy

import numpy as np
import pandas as pd

from communitylab.intervention.its import InterruptedTimeSeries

__all__ = ["placebo_in_time"]


def placebo_in_time(model: InterruptedTimeSeries, *, min_periods: int | None = None) -> pd.DataFrame:
    """Refit ``model``'s specification on the pre-intervention periods with a fake interruption at
    every date that leaves enough periods on both sides, and compare with the real first phase.

    Parameters
    ----------
    model : InterruptedTimeSeries
        A fitted model; its settings (family, slope change, harmonics, covariance) are reused.
    min_periods : int, optional
        Periods required before and after each fake date inside the pre-intervention data
        (default: the model's ``min_pre_periods``).

    Returns
    -------
    DataFrame
        One row per fake date: ``start`` and the level-change estimate (``coef``, ``se``; ``ratio``
        for Poisson). ``attrs``
        hold ``n_placebos`` and ``p_values``: per real phase, the share of placebos (counting the
        real phase itself) whose level change is at least as large in absolute value; a
        permutation-style p-value that cannot go below ``1 / (n_placebos + 1)``.

    Notes
    -----
    Placebo dates come only from before the first real intervention, so no real effect leaks
    into them. Few pre-intervention periods mean few placebos, and then the p-value cannot be
    small: say so rather than read it as evidence of no effect.
    """
    model._check()
    need = min_periods or model.min_pre_periods
    first = model.phases_[0].start
    pre = model.data_.iloc[:first].reset_index(drop=True)
    spec = copy.copy(model)  # same settings; fit() rebinds every fitted attribute of the copy
    spec.min_pre_periods = need
    real = {p.name: float(model.result_.params[f"level: {p.name}"]) for p in model.phases_}
    exposure = None
    if model.offset_ is not None:
        pre = pre.assign(_exposure=np.exp(model.offset_[:first]))
        exposure = "_exposure"
    season = None
    if model.season_index_ is not None:
        pre = pre.assign(_season=model.season_index_[:first])
        season = "_season"
    rows = []
    for k in range(need, len(pre) - need + 1):
        fake = pre[model.time_].iloc[k]
        try:
            m = spec.fit(pre, {"placebo": fake}, time=model.time_, value=model.value_, exposure=exposure, season=season)
        except (ValueError, np.linalg.LinAlgError):
            continue
        rows.append({"start": fake, "coef": float(m.result_.params["level: placebo"]), "se": float(m.result_.bse["level: placebo"])})
    out = pd.DataFrame(rows, columns=["start", "coef", "se"])
    if model.family == "poisson":
        out["ratio"] = np.exp(out["coef"])
    n = len(out)
    out.attrs["n_placebos"] = n
    out.attrs["p_values"] = {name: float((1 + (out["coef"].abs() >= abs(b)).sum()) / (n + 1)) if n else np.nan for name, b in real.items()}
    return out
