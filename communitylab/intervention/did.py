"""Difference in differences for counts: did the treated community change more than the
comparison communities that had no intervention?

A Poisson panel model of the outcome per community and period with a fixed effect for each
community and each period, and an intervention term for the treated communities' periods from
the start on: ``exp(coefficient)`` is the rate ratio the intervention brought beyond what the
comparison communities did over the same periods (a holiday season, a platform change, the
market). Intervals are clustered by community where there are enough communities (``min_clusters``)
and enough of them treated (half as many: with one treated community, clustered errors are far too
narrow, Conley & Taber 2011), quasi-Poisson (scaled by the Pearson dispersion) otherwise, and say
which.

The event study replaces the one term with one per bin of periods before and after the start
(the bin just before is the reference): the leads show whether the trends ran parallel before,
the lags how the effect built up.

Examples
--------
>>> import numpy as np, pandas as pd
>>> rng = np.random.default_rng(0)
>>> periods = np.arange(40)
>>> shock = np.where(periods >= 20, 1.5, 1.0)  # every community grows by half at period 20
>>> y = pd.DataFrame({f"c{i}": rng.poisson(50 * (1 + i / 10) * shock) for i in range(6)}, index=periods)
>>> y["treated"] = rng.poisson(60 * shock * np.where(periods >= 20, 1.2, 1.0))
>>> did = difference_in_differences(y, "treated", 20)
>>> round(did.rate_ratio, 1)
1.2
"""

from __future__ import annotations

import logging
import math
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from communitylab.errors import ParameterError
from communitylab.report.formatting import p_text

__all__ = ["DifferenceInDifferences", "difference_in_differences"]

log = logging.getLogger("communitylab")


@dataclass
class DifferenceInDifferences:
    """The intervention's rate ratio beyond the comparison communities, its interval, how the
    interval was computed, and the event study (``event_study``: one row per bin of periods)."""

    rate_ratio: float
    ci_low: float
    ci_high: float
    p_value: float
    level: float
    cov_type: str
    treated: list[str]
    comparison: list[str]
    n_periods: int
    dispersion: float
    event_study: pd.DataFrame = field(default_factory=pd.DataFrame)
    pretrend_p: float = np.nan
    dropped: list[str] = field(default_factory=list)

    @property
    def parallel_before(self) -> bool | None:
        """Whether the leads of the event study are jointly compatible with no difference before
        the start (p ≥ 0.10); None without leads."""
        return None if not np.isfinite(self.pretrend_p) else bool(self.pretrend_p >= 0.10)

    @property
    def summary(self) -> pd.DataFrame:
        """One row: the rate ratio with its interval and p-value, and what it rests on."""
        return pd.DataFrame([{"design": "difference in differences", "rate_ratio": self.rate_ratio,
                              "ci_low": self.ci_low, "ci_high": self.ci_high, "p_value": self.p_value,
                              "treated": len(self.treated), "comparison": len(self.comparison), "periods": self.n_periods,
                              "intervals": self.cov_type, "pretrend_p": self.pretrend_p}])

    def sentence(self, outcome: str = "the outcome") -> str:
        """The estimate in words, with the parallel-trends check."""
        pct = int(round(self.level * 100))
        head = (f"Against {len(self.comparison)} comparison communit{'y' if len(self.comparison) == 1 else 'ies'}, the "
                f"intervention multiplied {outcome} by {self.rate_ratio:.2f} ({pct}% interval {self.ci_low:.2f}–{self.ci_high:.2f}; "
                f"{self.cov_type}).")
        if self.parallel_before is None:
            return head + " There are too few periods before the start to check that the trends ran parallel."
        if self.parallel_before:
            return head + (f" Before the start the communities ran parallel (leads jointly p = {self.pretrend_p:.2f}), "
                           "which the comparison needs.")
        return head + (f" Before the start the communities did not run parallel (leads jointly {p_text(self.pretrend_p)}): "
                       "the comparison is doubtful, read the estimate with care.")


def _long(outcomes: pd.DataFrame) -> pd.DataFrame:
    y = outcomes.sort_index()
    long = y.rename_axis(index="period", columns="community").stack().rename("y").reset_index()
    long["t"] = long["period"].map({p: i for i, p in enumerate(y.index)})
    return long


def _design(long: pd.DataFrame, extra: pd.DataFrame) -> pd.DataFrame:
    fe = pd.get_dummies(long[["community"]].astype(str), drop_first=True, dtype=float)
    pe = pd.get_dummies(long["t"].astype(str).rename("period"), prefix="period", drop_first=True, dtype=float)
    x = pd.concat([pd.Series(1.0, index=long.index, name="const"), extra, fe, pe], axis=1)
    return x


def _fit(long: pd.DataFrame, x: pd.DataFrame, cov_type: str):
    import statsmodels.api as sm

    model = sm.GLM(long["y"].to_numpy(float), x, family=sm.families.Poisson())
    if cov_type.startswith("clustered"):
        groups = pd.factorize(long["community"])[0]
        return model.fit(cov_type="cluster", cov_kwds={"groups": groups})
    if cov_type.startswith("Poisson"):  # saturated: the fit is exact, which statsmodels warns of as separation
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return model.fit()
    return model.fit(scale="X2")


def difference_in_differences(outcomes: pd.DataFrame, treated: str | Sequence[str], start: Any, *, level: float = 0.95,
                              min_clusters: int = 20, bin_periods: int = 1, leads: int = 6,
                              lags: int = 6) -> DifferenceInDifferences:
    """Fit the difference-in-differences Poisson panel model and its event study.

    Parameters
    ----------
    outcomes : DataFrame
        Counts, one row per period (sorted index), one column per community.
    treated : str or sequence of str
        The treated communities' columns; every other column is a comparison community.
    start
        The first period of the intervention.
    level : float
        Of every interval.
    min_clusters : int
        From this many communities on, half as many of them treated, intervals are clustered by
        community (robust to any correlation within a community); below, quasi-Poisson.
    bin_periods : int
        Periods per bin of the event study (4 for weeks reads as months).
    leads, lags : int
        Bins before and after the start in the event study; earlier and later periods join the
        first and last bin.

    Raises
    ------
    ParameterError
        A treated column not in ``outcomes``, no comparison community, no period before or after
        the start, or missing or negative counts.
    """
    treated = [treated] if isinstance(treated, str) else list(treated)
    missing = [t for t in treated if t not in outcomes.columns]
    if missing:
        raise ParameterError(f"difference in differences: treated {', '.join(map(str, missing))} not among the communities "
                             f"({', '.join(map(str, outcomes.columns))})")
    y = outcomes.sort_index()
    if y.isna().any().any() or (y < 0).any().any():
        raise ParameterError("difference in differences: the outcomes must be counts, none missing or negative")
    empty = [c for c in y.columns if y[c].sum() == 0]
    y = y.drop(columns=empty)
    comparison = [c for c in y.columns if c not in treated]
    if not comparison:
        raise ParameterError("difference in differences needs at least one comparison community with a count above zero")
    after = np.asarray(y.index >= start)
    if after.all() or not after.any():
        raise ParameterError(f"difference in differences: the start {start!r} leaves no period before or no period after it")
    long = _long(y)
    is_treated = long["community"].isin(treated)
    first = int(np.argmax(after))
    post = (is_treated & (long["t"] >= first)).astype(float).rename("intervention")
    n = y.shape[1]
    if n >= min_clusters and len(treated) >= min_clusters / 2:
        cov_type = "clustered by community"
    elif n >= min_clusters:
        cov_type = "quasi-Poisson; too few treated communities to cluster"
    else:
        cov_type = "quasi-Poisson; too few communities to cluster"
    if len(long) - (n + len(y)) < 1:  # saturated: no residual degrees of freedom for a dispersion
        cov_type = "Poisson; no degrees of freedom left to estimate overdispersion"
    res = _fit(long, _design(long, post.to_frame()), cov_type)
    q = stats.norm.ppf(0.5 + level / 2)
    b, se = float(res.params["intervention"]), float(res.bse["intervention"])
    if not np.isfinite(se) or se <= 0:
        raise ParameterError("difference in differences: the intervention effect is not estimable from these series")
    dispersion = float(res.pearson_chi2 / res.df_resid) if res.df_resid > 0 else np.nan

    # event study: one term per bin, the bin just before the start as the reference
    k = np.floor((long["t"] - first) / bin_periods).clip(-leads, lags - 1).astype(int)
    bins = sorted(set(k[is_treated]) - {-1})
    extra = pd.DataFrame({f"bin_{j}": ((k == j) & is_treated).astype(float) for j in bins}, index=long.index)
    event = pd.DataFrame()
    pretrend = np.nan
    if len(bins):
        es = _fit(long, _design(long, extra), cov_type)
        rows = [{"bin": -1, "rate_ratio": 1.0, "ci_low": np.nan, "ci_high": np.nan, "reference": True}]
        for j in bins:
            bj, sj = float(es.params[f"bin_{j}"]), float(es.bse[f"bin_{j}"])
            rows.append({"bin": j, "rate_ratio": math.exp(bj), "ci_low": math.exp(bj - q * sj), "ci_high": math.exp(bj + q * sj),
                         "reference": False})
        event = pd.DataFrame(rows).sort_values("bin").reset_index(drop=True)
        event["first_period"] = [first + j * bin_periods if j > -leads else 0 for j in event["bin"]]
        event["first_period"] = [y.index[min(max(p, 0), len(y) - 1)] for p in event["first_period"]]
        lead_names = [f"bin_{j}" for j in bins if j < -1]
        if lead_names:
            bl = es.params[lead_names].to_numpy(float)
            cov = es.cov_params().loc[lead_names, lead_names].to_numpy(float)
            try:
                stat = float(bl @ np.linalg.solve(cov, bl))
                pretrend = float(stats.chi2.sf(stat, len(lead_names)))
            except np.linalg.LinAlgError:
                log.warning("difference in differences: the leads' covariance is singular; no parallel-trends test")
    return DifferenceInDifferences(math.exp(b), math.exp(b - q * se), math.exp(b + q * se), float(2 * stats.norm.sf(abs(b / se))),
                                   level, cov_type, treated, comparison, len(y), dispersion, event, pretrend, empty)
