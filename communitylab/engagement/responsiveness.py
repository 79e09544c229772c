"""Time to first reply, with unanswered threads treated as censored (Kaplan–Meier)."""

from __future__ import annotations

import warnings
from collections.abc import Sequence

import numpy as np
import pandas as pd
from statsmodels.duration.survfunc import SurvfuncRight

from communitylab.community import Community, cached

__all__ = ["first_replies", "time_to_first_reply", "reply_survival_curve", "answered_within"]


@cached
def first_replies_expr(community: Community, *, exclude_self: bool = True):
    """The engine table behind :func:`first_replies` (``thread_key, posted_at, author_is_host,
    first_reply_at, first_replier_is_host``; ``thread_key`` as in :attr:`Community.core`), built
    once per community and kept in the engine, for metrics that join it before anything leaves the
    engine."""
    t = community.core
    posts = t.filter((t.kind == "post") & t.thread_key.notnull()).select(
        thread_key="thread_key", post_author="member_key", posted_at="created_at", author_is_host="is_host"
    )
    replies = t.filter((t.kind == "reply") & t.thread_key.notnull()).select(
        r_thread="thread_key", r_author="member_key", r_at="created_at", r_host="is_host"
    )
    j = posts.join(replies, posts.thread_key == replies.r_thread)
    if exclude_self:
        j = j.filter(j.r_author.isnull() | j.post_author.isnull() | (j.r_author != j.post_author))
    j = j.filter(j.r_at >= j.posted_at)
    # replies at the same instant: a member's counts first (deterministic, whatever the scan order). The
    # order (time, host flag) is packed in one integer, 2 × microseconds + flag, whose minimum is the
    # first reply's: its flag is what is left over twice the first reply's microseconds
    us = community.engine.epoch_us
    first = j.group_by("thread_key").aggregate(first_reply_at=j.r_at.min(), _k=(us(j.r_at) * 2 + j.r_host.cast("int64")).min())
    first = first.select("thread_key", "first_reply_at", first_replier_is_host=(first._k - us(first.first_reply_at) * 2) == 1)
    out = posts.left_join(first, posts.thread_key == first.thread_key).select(
        "thread_key", "posted_at", "author_is_host", "first_reply_at", "first_replier_is_host"
    )
    return community.engine.materialize(out)


@cached
def first_replies(
    community: Community, *, observation_end: pd.Timestamp | None = None, exclude_self: bool = True
) -> pd.DataFrame:
    """One row per thread started by a post: when (and by whom) it was first answered.

    The first reply is the earliest ``reply`` in the thread by someone other than the thread's
    author (replies by unknown authors count: someone answered); when a host and a member replied
    at the same instant, the member's reply counts as the first. A thread with no such reply is
    right-censored at ``observation_end`` (default: the last event in the log), never dropped.
    ``exclude_self=False`` counts the author's own replies too (Stack Exchange's "answered"
    counts self-answers).

    Returns
    -------
    DataFrame ``thread_id, posted_at, author_is_host, first_reply_at, first_replier_is_host,
    hours, answered``: ``hours`` is time to the first reply, or to the end of observation when
    ``answered`` is False.
    """
    t = community.core
    # ordered in the engine (threads posted at the same instant by id): the same rows in the same order on every run
    fr = community.thread_ids(first_replies_expr(community, exclude_self=exclude_self))
    df = community.execute(fr.order_by(["posted_at", "thread_id"]))
    end = observation_end if observation_end is not None else community.execute(t.created_at.max())
    end = pd.Timestamp(end)
    df["answered"] = df["first_reply_at"].notna()
    stop = df["first_reply_at"].where(df["answered"], end)
    df["hours"] = (stop - df["posted_at"]).dt.total_seconds() / 3600.0
    if df["first_replier_is_host"].dtype != "boolean":
        df["first_replier_is_host"] = df["first_replier_is_host"].astype("boolean")
    return df


def _km(df: pd.DataFrame) -> SurvfuncRight:
    return SurvfuncRight(df["hours"].clip(lower=0).to_numpy(float), df["answered"].to_numpy(int))


def reply_survival_curve(first: pd.DataFrame, *, level: float = 0.95) -> pd.DataFrame:
    """Kaplan–Meier curve of "still waiting for a first reply": ``hours, waiting, ci_low, ci_high``.

    statsmodels' ``SurvfuncRight`` (Greenwood variance, log-log pointwise intervals). Matches R's
    ``survfit(Surv(hours, answered) ~ 1, conf.type = "log-log")``.
    """
    sf = _km(first)
    lo, hi = _pointwise(sf, level)
    return pd.DataFrame({"hours": sf.surv_times, "waiting": sf.surv_prob, "ci_low": lo, "ci_high": hi})


def _pointwise(sf: SurvfuncRight, level: float) -> tuple[np.ndarray, np.ndarray]:
    from scipy.stats import norm

    z = norm.ppf(0.5 + level / 2)
    s = np.clip(sf.surv_prob, 1e-12, 1 - 1e-12)
    se = sf.surv_prob_se / (s * np.abs(np.log(s)))
    lo = s ** np.exp(z * se)
    hi = s ** np.exp(-z * se)
    return np.where(sf.surv_prob >= 1, 1.0, lo), np.where(sf.surv_prob >= 1, 1.0, hi)


def answered_within(first: pd.DataFrame, hours: Sequence[float] = (1, 24, 168), *, level: float = 0.95) -> pd.DataFrame:
    """Share of threads answered within each horizon, ``1 - S(t)`` from Kaplan–Meier, with CI.

    Censored threads count for the time they were observed, so a thread posted an hour before the
    data ends does not count as "not answered within 7 days".
    """
    curve = reply_survival_curve(first, level=level)
    rows = []
    for h in hours:
        k = np.searchsorted(curve["hours"].to_numpy(), h, side="right") - 1
        s, lo, hi = (1.0, 1.0, 1.0) if k < 0 else curve.iloc[k][["waiting", "ci_low", "ci_high"]]
        rows.append(
            {"metric": f"answered_within_{h:g}h", "estimate": 1 - s, "ci_low": 1 - hi, "ci_high": 1 - lo, "n": len(first), "method": "Kaplan-Meier (log-log CI)"}
        )
    return pd.DataFrame(rows)


@cached
def time_to_first_reply(community: Community, *, level: float = 0.95, hours: Sequence[float] = (1, 24, 168)) -> pd.DataFrame:
    """Headline responsiveness with intervals.

    Rows: ``median_hours_to_first_reply`` (Kaplan–Meier median and its CI, Brookmeyer–Crowley via
    statsmodels), ``answered_within_*h`` (KM), ``answered_share`` (answered by the end of
    observation; Wilson CI), ``first_answer_by_host_share`` among answered threads (Wilson CI).

    Returns
    -------
    DataFrame ``metric, estimate, ci_low, ci_high, n, method``.
    """
    from statsmodels.stats.proportion import proportion_confint

    first = first_replies(community)
    n = len(first)
    rows = []
    if n == 0:
        return pd.DataFrame(columns=["metric", "estimate", "ci_low", "ci_high", "n", "method"])
    sf = _km(first)
    med = sf.quantile(0.5)
    with np.errstate(divide="ignore", invalid="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        try:
            lo, hi = sf.quantile_ci(0.5, alpha=1 - level)
        except (ValueError, IndexError):  # too few events for an interval
            lo = hi = np.nan
    rows.append({"metric": "median_hours_to_first_reply", "estimate": med, "ci_low": lo, "ci_high": hi, "n": n, "method": "Kaplan-Meier median"})
    rows += answered_within(first, hours, level=level).to_dict("records")
    k = int(first["answered"].sum())
    lo, hi = proportion_confint(k, n, alpha=1 - level, method="wilson")
    rows.append({"metric": "answered_share", "estimate": k / n, "ci_low": lo, "ci_high": hi, "n": n, "method": "Wilson"})
    answered = first[first["answered"]]
    if len(answered):
        kh = int(answered["first_replier_is_host"].fillna(False).sum())
        lo, hi = proportion_confint(kh, len(answered), alpha=1 - level, method="wilson")
        rows.append({"metric": "first_answer_by_host_share", "estimate": kh / len(answered), "ci_low": lo, "ci_high": hi, "n": len(answered), "method": "Wilson"})
    return pd.DataFrame(rows)

