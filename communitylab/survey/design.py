"""Design-based means and totals for simple random and stratified samples (with fpc).

Reproduces R's ``survey`` package (Lumley) for ``svydesign(id=~1, strata=..., weights=..., fpc=...)``
followed by ``svymean`` / ``svytotal``: the Horvitz–Thompson estimator with the usual
with-replacement-within-strata variance times the finite population correction ``1 - n_h/N_h``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

__all__ = ["svymean", "svytotal"]


def _prep(data: pd.DataFrame, variable: str, strata: str | None, fpc: str | None, weights: str | None):
    from communitylab.schema import DataValidationError

    for col in [variable] + [c for c in (strata, fpc, weights) if c]:
        if col not in data.columns:
            raise DataValidationError("survey design", col, [], "a column of the data", 0)
    y = pd.to_numeric(data[variable], errors="coerce")
    bad = y.isna() & data[variable].notna()
    if bad.any():
        raise DataValidationError("survey design", variable, np.flatnonzero(bad)[:5].tolist(), "numbers", int(bad.sum()))
    keep = y.notna()
    d = data.loc[keep]
    h = d[strata].astype(str) if strata else pd.Series("all", index=d.index)
    n_h = h.map(h.value_counts())
    if fpc:
        N = pd.to_numeric(d[fpc], errors="coerce")
        if (N < n_h).any():
            raise DataValidationError("survey design", fpc, np.flatnonzero(N < n_h)[:5].tolist(), "a population size at least the stratum's sample size", int((N < n_h).sum()))
        w = d[weights].astype(float) if weights else N / n_h
        f = 1 - n_h / N
    else:
        if not weights:
            w = pd.Series(1.0, index=d.index)
        else:
            w = d[weights].astype(float)
        f = pd.Series(1.0, index=d.index)
    return y[keep].astype(float), w.astype(float), h, n_h, f


def _total_var(y, w, h, n_h, f) -> float:
    z = w * y
    v = 0.0
    for key in h.unique():
        m = h == key
        n = int(m.sum())
        if n < 2:
            continue
        zh = z[m]
        v += f[m].iloc[0] * n / (n - 1) * float(((zh - zh.mean()) ** 2).sum())
    return v


def svytotal(data: pd.DataFrame, variable: str, *, strata: str | None = None, fpc: str | None = None, weights: str | None = None, level: float = 0.95) -> pd.Series:
    """Estimated population total with its standard error (R: ``svytotal(~variable, design)``)."""
    y, w, h, n_h, f = _prep(data, variable, strata, fpc, weights)
    est = float((w * y).sum())
    se = np.sqrt(_total_var(y, w, h, n_h, f))
    z = stats.norm.ppf(0.5 + level / 2)
    return pd.Series({"estimate": est, "se": se, "ci_low": est - z * se, "ci_high": est + z * se, "n": len(y)})


def svymean(data: pd.DataFrame, variable: str, *, strata: str | None = None, fpc: str | None = None, weights: str | None = None, level: float = 0.95) -> pd.Series:
    """Estimated population mean with its linearized standard error (R: ``svymean``).

    Parameters
    ----------
    strata, fpc, weights : str, optional
        Column names as in ``svydesign(id=~1, strata=~strata, fpc=~fpc, weights=~weights)``;
        ``fpc`` holds the population size of the observation's stratum. Without weights, they
        are ``N_h / n_h`` (or 1 without fpc).

    Notes
    -----
    The ratio estimator ``sum(w y) / sum(w)``; its variance uses the residuals
    ``y - mean`` (Taylor linearization), as R does.
    """
    y, w, h, n_h, f = _prep(data, variable, strata, fpc, weights)
    W = float(w.sum())
    est = float((w * y).sum() / W)
    se = np.sqrt(_total_var(y - est, w, h, n_h, f)) / W
    z = stats.norm.ppf(0.5 + level / 2)
    return pd.Series({"estimate": est, "se": se, "ci_low": est - z * se, "ci_high": est + z * se, "n": len(y)})
