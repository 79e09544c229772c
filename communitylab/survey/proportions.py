"""Proportions from small surveys of a known membership: intervals, margins of error, sample sizes,
and what nonresponse could do."""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats
from statsmodels.stats.proportion import proportion_confint

from communitylab.errors import ParameterError

__all__ = ["proportion_ci", "hypergeometric_ci", "margin_of_error", "sample_size_for_margin", "nonresponse_bounds", "response_rate"]

METHODS = {"wilson": "wilson", "clopper-pearson": "beta", "beta": "beta", "jeffreys": "jeffreys", "wald": "normal"}


def fpc_factor(n: int, population: int | None) -> float:
    """``(N - n) / (N - 1)``: the share of the sampling variance left when sampling without replacement."""
    if population is None:
        return 1.0
    if population < n:
        raise ParameterError(f"population ({population}) is smaller than the sample ({n})")
    return (population - n) / (population - 1) if population > 1 else 0.0


def proportion_ci(k: int, n: int, *, method: str = "wilson", level: float = 0.95, population: int | None = None) -> pd.Series:
    """Share ``k/n`` with a confidence interval (statsmodels ``proportion_confint``).

    Parameters
    ----------
    method : {"wilson", "clopper-pearson", "jeffreys", "wald"}
    population : int, optional
        Size of the population surveyed (members invited). With it, the interval is computed at
        the effective sample size ``n / fpc`` (Korn & Graubard 1998's design-effect adjustment with
        design effect = fpc), so it narrows as the sample approaches a census.

    Notes
    -----
    Wilson and Jeffreys are recommended for small n (Brown, Cai & DasGupta 2001); Clopper–Pearson
    is conservative; Wald is shown only for comparison and is poor for n < 30 or extreme shares.
    For the exact finite-population interval see :func:`hypergeometric_ci`.
    """
    if method not in METHODS:
        raise ParameterError(f"method must be one of {sorted(METHODS)}")
    if not 0 <= k <= n:
        raise ParameterError(f"need 0 <= k <= n, got k={k}, n={n}")
    f = fpc_factor(n, population)
    p = k / n if n else np.nan
    if f <= 0:
        lo = hi = p
    else:
        n_eff = n / f
        lo, hi = proportion_confint(p * n_eff, n_eff, alpha=1 - level, method=METHODS[method])
        if method == "jeffreys":  # Brown, Cai & DasGupta (2001): the bounds are 0 at k = 0 and 1 at k = n
            lo, hi = (0.0 if k == 0 else lo), (1.0 if k == n else hi)
    return pd.Series({"estimate": p, "ci_low": float(lo), "ci_high": float(hi), "k": k, "n": n, "population": population, "method": method + (" + fpc" if population else "")})


def hypergeometric_ci(k: int, n: int, population: int, *, level: float = 0.95) -> pd.Series:
    """Exact interval for the share of the *population* with the trait (sampling without replacement).

    Inverts the hypergeometric test (the finite-population analogue of Clopper–Pearson): the
    interval holds the counts ``K`` of the N members for which ``k`` is not in either tail.
    """
    a = (1 - level) / 2
    Ks = np.arange(k, population - (n - k) + 1)
    upper_tail = stats.hypergeom.sf(k - 1, population, Ks, n)  # P(X >= k | K)
    lower_tail = stats.hypergeom.cdf(k, population, Ks, n)  # P(X <= k | K)
    ok_low = Ks[upper_tail > a]
    ok_high = Ks[lower_tail > a]
    lo = ok_low.min() if len(ok_low) else k
    hi = ok_high.max() if len(ok_high) else population - (n - k)
    return pd.Series({"estimate": k / n, "ci_low": lo / population, "ci_high": hi / population, "k": k, "n": n, "population": population, "method": "exact hypergeometric"})


def margin_of_error(n: int, population: int | None = None, *, p: float = 0.5, level: float = 0.95) -> float:
    """Half-width of the normal interval for a share ``p`` (worst case 0.5), with fpc."""
    z = stats.norm.ppf(0.5 + level / 2)
    return float(z * np.sqrt(p * (1 - p) / n * fpc_factor(n, population)))


def sample_size_for_margin(margin: float, population: int | None = None, *, p: float = 0.5, level: float = 0.95) -> int:
    """Respondents needed for a target margin of error: ``n0 = z^2 p(1-p)/e^2``, then
    ``n = n0 / (1 + (n0 - 1)/N)`` with a finite population (Cochran 1977, eq. 4.2)."""
    z = stats.norm.ppf(0.5 + level / 2)
    n0 = z**2 * p * (1 - p) / margin**2
    n = n0 / (1 + (n0 - 1) / population) if population else n0
    return int(np.ceil(n - 1e-9))


def nonresponse_bounds(k: int, n: int, population: int) -> pd.Series:
    """Worst-case bounds on the population share if every non-respondent answered the other way
    (Manski bounds): from ``k / N`` (all said no) to ``(k + N - n) / N`` (all said yes)."""
    return pd.Series({"observed": k / n, "lower": k / population, "upper": (k + population - n) / population, "respondents": n, "population": population})


def response_rate(n: int, population: int) -> float:
    """Respondents over members invited."""
    return n / population
