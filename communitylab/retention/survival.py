"""Member tenure: Kaplan–Meier curves and proportional-hazards models (statsmodels PHReg)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import statsmodels.formula.api as smf

from communitylab.community import Community
from communitylab.engagement.cadence import observation_window
from communitylab.engagement.newcomers import first_contributions
from communitylab.engagement.responsiveness import first_replies
from communitylab.retention.kaplan_meier import KaplanMeier

__all__ = ["member_tenure", "kaplan_meier", "proportional_hazards"]


def member_tenure(community: Community, *, churn_after_days: float = 90) -> pd.DataFrame:
    """One row per non-host member who contributed: tenure in days and whether they churned.

    Tenure runs from the first post/reply to the last activity (post, reply or reaction).
    *Churned* means no activity in the last ``churn_after_days`` of the data, or a ``leave``
    event; otherwise the member is right-censored at the end of the data. Covariates:
    ``first_post_got_reply`` (the member's first contribution was a post that someone else
    answered) and, when the members table has them, ``segment`` and ``acquisition_channel``.
    """
    fc = first_contributions(community)
    _, end = observation_window(community)
    t = community.events
    leaves = community.execute(t.filter((t.kind == "leave") & t.member_id.notnull()).select("member_id", "created_at"))
    left = leaves.groupby("member_id")["created_at"].min()
    quiet = (end - fc["last_active_at"]).dt.total_seconds() / 86_400 >= churn_after_days
    fc["churned"] = (quiet | fc["member_id"].isin(left.index)).astype(int)
    stop = fc["last_active_at"].where(fc["churned"] == 1, end)
    fc["tenure_days"] = ((stop - fc["first_at"]).dt.total_seconds() / 86_400).clip(lower=0.5)
    fr = first_replies(community).set_index("thread_id")["answered"].to_dict()
    fc["first_post_got_reply"] = ((fc["first_kind"] == "post") & fc["first_thread"].map(fr).fillna(False).astype(bool)).astype(int)
    if community.members is not None:
        extra = [c for c in ("segment", "acquisition_channel") if c in community.members.columns]
        if extra:
            fc = fc.merge(community.members[["member_id", *extra]], on="member_id", how="left")
    return fc.drop(columns=["first_thread"])


def kaplan_meier(tenure: pd.DataFrame, group: str | None = None, *, level: float = 0.95) -> pd.DataFrame:
    """Kaplan–Meier survival of tenure (:class:`~communitylab.retention.kaplan_meier.KaplanMeier`,
    Greenwood variance, as statsmodels' ``SurvfuncRight``), optionally by group.

    Returns ``group, days, survival, ci_low, ci_high, at_risk`` (log-log pointwise intervals, as
    R's ``survfit(..., conf.type = "log-log")``).
    """
    groups = [(None, tenure)] if group is None else list(tenure.groupby(group))
    rows = []
    for key, g in groups:
        km = KaplanMeier().fit(g["tenure_days"], g["churned"])
        lo, hi = km.confidence_band(level)
        rows.append(pd.DataFrame({"group": key if key is not None else "all", "days": km.surv_times, "survival": km.surv_prob, "ci_low": lo, "ci_high": hi, "at_risk": km.n_risk}))
    return pd.concat(rows, ignore_index=True)


def proportional_hazards(tenure: pd.DataFrame, formula: str = "first_post_got_reply", *, level: float = 0.95) -> pd.DataFrame:
    """Cox proportional-hazards model of churn (statsmodels ``PHReg``, Breslow ties).

    ``formula`` is the right-hand side, e.g. ``"first_post_got_reply + C(acquisition_channel)"``.
    Returns ``term, hazard_ratio, ci_low, ci_high, p_value, n, events, note``; a hazard ratio
    below 1 means members with that feature churn more slowly. When the data cannot identify the
    model (no churn yet, a feature without variation, too few members) the estimates are NaN and
    ``note`` says why, instead of failing.
    """
    events = int(tenure["churned"].sum())
    mod = smf.phreg(f"tenure_days ~ {formula}", tenure, status=tenure["churned"].to_numpy(), ties="breslow")
    terms = list(mod.exog_names)
    constant = [t for t, col in zip(terms, mod.exog.T) if np.ptp(col) == 0]
    why = ("no member has churned yet" if events == 0 else f"no variation in {', '.join(constant)}" if constant else "")
    if not why:
        try:
            res = mod.fit()
            if not np.all(np.isfinite(res.params)) or not np.all(np.isfinite(res.bse)):
                raise np.linalg.LinAlgError("infinite estimates")
        except (np.linalg.LinAlgError, ValueError) as exc:
            why = f"the data cannot identify the model ({exc}); {len(tenure)} members, {events} churned"
    if why:
        nan = np.full(len(terms), np.nan)
        return pd.DataFrame({"term": terms, "hazard_ratio": nan, "ci_low": nan, "ci_high": nan, "p_value": nan,
                             "n": len(tenure), "events": events, "note": why})
    ci = np.exp(res.conf_int(alpha=1 - level))
    return pd.DataFrame({
        "term": terms, "hazard_ratio": np.exp(res.params), "ci_low": ci[:, 0], "ci_high": ci[:, 1],
        "p_value": res.pvalues, "n": len(tenure), "events": events, "note": "",
    })
