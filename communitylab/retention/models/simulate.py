"""Seeded simulators of each model, for parameter-recovery checks and benchmarks (vectorized)."""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["simulate_transactions", "simulate_bgnbd", "simulate_pareto_nbd", "simulate_sbg", "simulate_gamma_gamma", "simulate_bgbb"]


def _summary(times: list[np.ndarray] | None, x: np.ndarray, tx: np.ndarray, T: np.ndarray) -> pd.DataFrame:
    return pd.DataFrame({"frequency": x, "recency": tx, "T": T})


def simulate_bgnbd(n: int, r: float, alpha: float, a: float, b: float, T: float = 52.0, seed: int = 0) -> pd.DataFrame:
    """Per-member ``frequency, recency, T`` drawn from the BG/NBD process (ages ``T``)."""
    rng = np.random.default_rng(seed)
    lam = rng.gamma(r, 1 / alpha, size=n)
    p = rng.beta(a, b, size=n)
    t = np.zeros(n)
    x = np.zeros(n)
    tx = np.zeros(n)
    alive = np.ones(n, dtype=bool)
    while alive.any():
        idx = np.flatnonzero(alive)
        t[idx] += rng.exponential(1 / lam[idx])
        ok = t[idx] <= T
        done = idx[~ok]
        alive[done] = False
        go = idx[ok]
        x[go] += 1
        tx[go] = t[go]
        alive[go[rng.random(len(go)) < p[go]]] = False  # dies right after a transaction
    return _summary(None, x, tx, np.full(n, T))


def simulate_pareto_nbd(n: int, r: float, alpha: float, s: float, beta: float, T: float = 52.0, seed: int = 0) -> pd.DataFrame:
    """Per-member ``frequency, recency, T`` from the Pareto/NBD process."""
    rng = np.random.default_rng(seed)
    lam = rng.gamma(r, 1 / alpha, size=n)
    mu = rng.gamma(s, 1 / beta, size=n)
    end = np.minimum(rng.exponential(1 / mu), T)
    x = rng.poisson(lam * end).astype(float)
    tx = np.where(x > 0, end * rng.beta(np.maximum(x, 1), 1), 0.0)  # max of x uniforms on (0, end)
    return _summary(None, x, tx, np.full(n, T))


def simulate_sbg(n: int, alpha: float, beta: float, periods: int = 8, seed: int = 0) -> np.ndarray:
    """Survivor counts ``[n, S1, ..., S_periods]`` of one cohort under the sBG process."""
    rng = np.random.default_rng(seed)
    theta = rng.beta(alpha, beta, size=n)
    life = rng.geometric(theta)  # periods until churn (>= 1)
    return np.array([(life > t).sum() for t in range(periods + 1)], dtype=float)


def simulate_gamma_gamma(frequency: np.ndarray, p: float, q: float, gamma: float, seed: int = 0) -> pd.DataFrame:
    """Mean spend of each member's ``frequency`` transactions under the Gamma-Gamma model."""
    rng = np.random.default_rng(seed)
    x = np.asarray(frequency, float)
    nu = rng.gamma(q, 1 / gamma, size=len(x))
    total = rng.gamma(p * x, 1 / nu)  # sum of x gamma(p, nu) spends
    return pd.DataFrame({"frequency": x, "monetary_value": total / x})


def simulate_bgbb(n: int, alpha: float, beta: float, gamma: float, delta: float, periods: int = 6, seed: int = 0) -> pd.DataFrame:
    """Per-member ``frequency, recency, periods`` from the BG/BB process."""
    rng = np.random.default_rng(seed)
    p = rng.beta(alpha, beta, size=n)
    theta = rng.beta(gamma, delta, size=n)
    alive = np.ones(n, dtype=bool)
    x = np.zeros(n)
    tx = np.zeros(n)
    for t in range(1, periods + 1):
        alive &= rng.random(n) >= theta  # becomes inactive at the start of an opportunity
        buy = alive & (rng.random(n) < p)
        x[buy] += 1
        tx[buy] = t
    return pd.DataFrame({"frequency": x, "recency": tx, "periods": float(periods)})


def simulate_transactions(
    n: int = 2357,
    *,
    r: float = 0.243,
    alpha: float = 4.414,
    a: float = 0.793,
    b: float = 2.426,
    p: float = 6.25,
    q: float = 3.74,
    gamma: float = 15.44,
    start: str = "1997-01-01",
    acquisition_days: int = 84,
    weeks: float = 78.0,
    seed: int = 0,
) -> pd.DataFrame:
    """A dated purchase log ``customer_id, date, value`` from the BG/NBD and Gamma-Gamma processes.

    The defaults are Fader, Hardie & Lee's published CDNOW fits (BG/NBD in weeks: r 0.243, alpha
    4.414, a 0.793, b 2.426; Gamma-Gamma: p 6.25, q 3.74, gamma 15.44) and CDNOW's design: 2,357
    customers whose first purchase falls in the first 12 weeks of 1997, observed for 78 weeks.
    Repeat purchases follow each customer's Poisson rate until the customer drops out (after any
    repeat purchase, with its probability); each spend is Gamma(p, nu) with nu the customer's Gamma(q, gamma).

    Examples
    --------
    >>> tx = simulate_transactions(200, seed=1)
    >>> list(tx.columns), tx["customer_id"].nunique()
    (['customer_id', 'date', 'value'], 200)
    """
    rng = np.random.default_rng(seed)
    first = rng.uniform(0, acquisition_days / 7, size=n)  # weeks after ``start``
    lam = rng.gamma(r, 1 / alpha, size=n)
    drop = rng.beta(a, b, size=n)
    nu = rng.gamma(q, 1 / gamma, size=n)
    who, when = [np.arange(n)], [first]
    t, alive = first.copy(), np.ones(n, dtype=bool)
    while alive.any():
        idx = np.flatnonzero(alive)
        t[idx] += rng.exponential(1 / lam[idx])
        go = idx[t[idx] <= weeks]
        alive[idx[t[idx] > weeks]] = False
        who.append(go)
        when.append(t[go].copy())
        alive[go[rng.random(len(go)) < drop[go]]] = False
    ids, times = np.concatenate(who), np.concatenate(when)
    value = rng.gamma(p, 1 / nu[ids])
    days = np.floor(times * 7).astype("int64")
    out = pd.DataFrame({"customer_id": (ids + 1).astype(str), "date": pd.Timestamp(start) + pd.to_timedelta(days, unit="D"),
                        "value": np.round(value, 2)})
    return out.sort_values(["date", "customer_id"], kind="stable").reset_index(drop=True)
