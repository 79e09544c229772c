"""Community economics: churn statements, lifetime value, and acquiring versus keeping members.

Conventions: a *period* is whatever unit the retention rate refers to (year, month); the margin
of a period is earned at its start by every member still there (the first period included), and
cash flows are discounted at ``discount_rate`` per period.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from communitylab.errors import ParameterError

__all__ = [
    "retention_from_statement",
    "expected_lifetime",
    "lifetime_value",
    "break_even_retention",
    "project_member_base",
    "value_concentration",
    "equivalent_retention_draws",
    "community_revenue_share",
    "acquire_or_keep",
    "decision_sensitivity",
]


def retention_from_statement(lost_share: float, over_periods: float) -> float:
    """Per-period retention implied by "we lose ``lost_share`` of members every ``over_periods``".

    "Half every five years", as a manager may say it: ``retention_from_statement(0.5, 5)`` = 0.5 ** (1/5) =
    0.8706 per year. Assumes a constant rate (no sorting by tenure; see the sBG model for that).
    """
    if not 0 < lost_share < 1 or over_periods <= 0:
        raise ParameterError("lost_share must be in (0, 1) and over_periods > 0")
    return float((1 - lost_share) ** (1 / over_periods))


def expected_lifetime(retention: float, discount_rate: float = 0.0) -> float:
    """Expected (discounted) number of periods a new member stays: sum of (r/(1+d))^t, t >= 0."""
    _check_rate(retention)
    return float(1 / (1 - retention / (1 + discount_rate)))


def lifetime_value(margin: float, retention: float, discount_rate: float = 0.0, acquisition_cost: float = 0.0) -> float:
    """Discounted lifetime value of a new member, net of what acquiring them cost.

    ``margin * (1 + d) / (1 + d - r) - acquisition_cost``.
    """
    return float(margin * expected_lifetime(retention, discount_rate) - acquisition_cost)


def break_even_retention(margin: float, retention: float, programme_cost_per_member: float, discount_rate: float = 0.0) -> dict[str, float]:
    """The retention a programme costing ``programme_cost_per_member`` each period must reach to pay.

    Solves ``(m - c)(1+d)/(1+d-r') = m(1+d)/(1+d-r)`` for ``r'``: with the programme, each member
    nets ``m - c`` a period but stays longer. Returns ``retention_needed``, ``improvement``
    (percentage points), ``lifetime_periods_needed`` and ``feasible`` (``r' < 1``).
    """
    _check_rate(retention)
    if programme_cost_per_member >= margin:
        return {"retention_needed": np.nan, "improvement": np.nan, "lifetime_periods_needed": np.inf, "feasible": False}
    d = discount_rate
    needed = 1 + d - (margin - programme_cost_per_member) * (1 + d - retention) / margin
    return {
        "retention_needed": float(needed),
        "improvement": float(needed - retention),
        "lifetime_periods_needed": float(1 / (1 - needed / (1 + d))) if needed < 1 + d else np.inf,
        "feasible": bool(needed < 1),
    }


def project_member_base(
    members: float,
    retention: float | np.ndarray,
    *,
    margin: float,
    budget: float,
    acquisition_cost: float,
    retention_with_programme: float | np.ndarray,
    horizon: int = 10,
    discount_rate: float = 0.0,
) -> pd.DataFrame:
    """Project the member base and its value under "acquire" versus "retain" with the same budget.

    Each period, *acquire* spends ``budget`` on ``budget / acquisition_cost`` new members at the
    base retention; *retain* spends it on a programme that lifts retention to
    ``retention_with_programme``. ``retention`` and ``retention_with_programme`` may be arrays of
    draws (e.g. from a fitted model's parameter uncertainty, paired draw by draw): the result then
    carries the median and a 90 % band.

    Returns
    -------
    DataFrame
        ``period, strategy, members, cumulative_value, members_low, members_high, value_low,
        value_high`` (value = discounted margin minus spend).
    """
    r0 = np.atleast_1d(np.asarray(retention, float))
    r1 = np.atleast_1d(np.asarray(retention_with_programme, float))
    n_draws = max(len(r0), len(r1))
    r0, r1 = np.broadcast_to(r0, n_draws), np.broadcast_to(r1, n_draws)
    rows = []
    for strategy, r, new in (("acquire", r0, budget / acquisition_cost), ("retain", r1, 0.0)):
        base = np.full(n_draws, float(members))
        value = np.zeros(n_draws)
        for t in range(horizon + 1):
            if t > 0:
                base = base * r + new
            value = value + (base * margin - (budget if t > 0 else 0.0)) / (1 + discount_rate) ** t
            q = np.quantile(np.c_[base, value], [0.5, 0.05, 0.95], axis=0)
            rows.append({"period": t, "strategy": strategy, "members": q[0, 0], "cumulative_value": q[0, 1],
                         "members_low": q[1, 0], "members_high": q[2, 0], "value_low": q[1, 1], "value_high": q[2, 1]})
    return pd.DataFrame(rows)


def equivalent_retention_draws(model, horizon: int, n_draws: int = 1000, *, seed: int = 0) -> np.ndarray:
    """Constant per-period retention matching a fitted sBG model over ``horizon`` periods, per draw.

    For each parameter draw of a :class:`~communitylab.retention.models.ShiftedBetaGeometricFitter`
    (asymptotic normal on the log scale), solve ``sum_{t<H} r^t = sum_{t<H} S(t)``: the constant
    rate under which a new member stays as many of the next ``H`` periods as the model says. A
    finite horizon is needed because with ``alpha < 1`` the sBG expected lifetime is unbounded.
    """
    from scipy.optimize import brentq

    from communitylab.retention.models import ShiftedBetaGeometricFitter

    t = np.arange(horizon)
    draws = model.sample_params(n_draws, seed=seed)
    out = np.empty(n_draws)
    for i, (a, b) in enumerate(draws[["alpha", "beta"]].to_numpy()):
        m = ShiftedBetaGeometricFitter()
        m.params_ = pd.Series([a, b], index=["alpha", "beta"])
        target = m.survival_function(t).sum()
        out[i] = brentq(lambda r, s=target: np.sum(r**t) - s, 0.0, 1.0 - 1e-12) if target < horizon else 1.0 - 1e-12
    return out


def acquire_or_keep(
    model, *, members: int, margin: float, budget: float, acquisition_cost: float, retention_lift: float,
    horizon: int, discount_rate: float = 0.0, n_draws: int = 1000, seed: int = 0,
) -> dict:
    """Spend ``budget`` a period on acquiring members or on a programme that keeps them?

    The cohort's retention (:func:`equivalent_retention_draws` of a fitted sBG ``model``) is carried
    through :func:`project_member_base` for both strategies, the programme adding
    ``retention_lift`` to every draw; the strategy with the larger cumulative value at ``horizon``
    wins. The break-even retention (:func:`break_even_retention`) uses the median draw and the
    budget spread over the current ``members``.

    Returns
    -------
    dict
        ``draws`` (retention draws), ``retention`` (median, 5% and 95% quantiles),
        ``projection`` (the full projection), ``at_horizon`` (its last period, indexed by strategy),
        ``winner`` ("keeping members" or "acquiring members") and ``break_even``.
    """
    draws = equivalent_retention_draws(model, horizon, n_draws, seed=seed)
    retention = tuple(float(np.quantile(draws, q)) for q in (0.5, 0.05, 0.95))
    proj = project_member_base(members, draws, margin=margin, budget=budget, acquisition_cost=acquisition_cost,
                               retention_with_programme=draws + retention_lift, horizon=horizon, discount_rate=discount_rate)
    at_horizon = proj[proj.period == horizon].set_index("strategy")
    keep = at_horizon.loc["retain", "cumulative_value"] > at_horizon.loc["acquire", "cumulative_value"]
    return {
        "draws": draws, "retention": retention, "projection": proj, "at_horizon": at_horizon,
        "winner": "keeping members" if keep else "acquiring members",
        "break_even": break_even_retention(margin, retention[0], budget / members, discount_rate),
    }


def value_concentration(values: pd.Series | np.ndarray, top: tuple[float, ...] = (0.01, 0.025, 0.05, 0.10, 0.20), *, n_boot: int = 1000, seed: int = 0) -> pd.DataFrame:
    """Share of total value from the top k % of members ("2.5 % of lead users make 80 % of sales").

    Returns ``metric, estimate, ci_low, ci_high, n, method`` (bootstrap over members, seeded).
    """
    from communitylab.bootstrap import bootstrap_ci, estimate_row
    from communitylab.engagement.inequality import top_share

    v = np.asarray(values, float)
    return pd.DataFrame([
        estimate_row(f"top_{f * 100:g}pct_value_share", *bootstrap_ci(v, lambda x, f=f: top_share(x, f), n_boot=n_boot, seed=seed), len(v), "bootstrap over members")
        for f in top
    ])


def community_revenue_share(
    transactions: pd.DataFrame, community_members, *, customer_id_col: str = "customer_id", value_col: str = "value",
    n_boot: int = 1000, seed: int = 0,
) -> pd.DataFrame:
    """Share of revenue from customers who belong to the community ("a fan club brought 15 % of sales").

    Returns one row ``metric, estimate, ci_low, ci_high, n, method`` plus ``member_customers``;
    the interval resamples customers (seeded bootstrap).
    """
    from communitylab.bootstrap import bootstrap_ci, estimate_row

    per = transactions.groupby(customer_id_col)[value_col].sum()
    is_member = per.index.isin(set(map(str, community_members)) | set(community_members))
    arr = np.c_[per.to_numpy(float), is_member.astype(float)]
    est, lo, hi = bootstrap_ci(arr, lambda a: a[a[:, 1] == 1, 0].sum() / a[:, 0].sum(), n_boot=n_boot, seed=seed)
    row = estimate_row("community_revenue_share", est, lo, hi, len(per), "bootstrap over customers", member_customers=int(is_member.sum()))
    return pd.DataFrame([row])


def _check_rate(r: float) -> None:
    if not 0 <= r < 1:
        raise ParameterError(f"retention must be in [0, 1), got {r}")


def decision_sensitivity(
    retention: float, *, members: float, margin: float, budget: float, horizon: int, discount_rate: float = 0.0,
    lifts: np.ndarray | None = None, costs: np.ndarray | None = None,
) -> pd.DataFrame:
    """How the choice between keeping and acquiring moves with the two assumptions it rests on.

    For each retention lift of the programme (``lifts``, in shares: 0.05 is five points) and each
    acquisition cost (``costs``), the cumulative discounted value at ``horizon`` of keeping minus
    that of acquiring (:func:`project_member_base` at the base ``retention``, e.g. the median
    draw). Positive: keeping wins; the zero line is the break-even.

    Returns
    -------
    DataFrame
        ``retention_lift, acquisition_cost, keep_minus_acquire``.

    Examples
    --------
    >>> grid = decision_sensitivity(0.8, members=1000, margin=100, budget=20000, horizon=10,
    ...                             lifts=np.array([0.0, 0.1]), costs=np.array([300.0]))
    >>> bool(grid["keep_minus_acquire"].iloc[0] < 0 < grid["keep_minus_acquire"].iloc[1])
    True
    """
    lifts = np.linspace(0.0, 0.15, 31) if lifts is None else np.asarray(lifts, float)
    costs = np.linspace(50.0, 1000.0, 39) if costs is None else np.asarray(costs, float)
    def at_horizon(strategy: str, cost: float, with_programme: float) -> float:
        p = project_member_base(members, retention, margin=margin, budget=budget, acquisition_cost=cost,
                                retention_with_programme=with_programme, horizon=horizon, discount_rate=discount_rate)
        return float(p.loc[(p["strategy"] == strategy) & (p["period"] == horizon), "cumulative_value"].iloc[0])

    acquired = {float(c): at_horizon("acquire", float(c), retention) for c in costs}  # the same whatever the lift
    kept = {float(x): at_horizon("retain", 1.0, min(retention + float(x), 1.0)) for x in lifts}  # the same whatever the cost
    rows = [{"retention_lift": x, "acquisition_cost": c, "keep_minus_acquire": kept[x] - acquired[c]} for x in kept for c in acquired]
    return pd.DataFrame(rows)

