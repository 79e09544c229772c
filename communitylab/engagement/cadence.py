"""Host cadence: how regularly the host shows up, its silences, and members' activity during them.

Seed 004: "You can't build a community after you need it ... brands that let their blog lapse
between campaigns lose it." A host's *activity* here is a post or a reply by a host account.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from communitylab.community import Community, cached
from communitylab.engagement.daily import daily_counts, in_days
from communitylab.engagement.periods import period_of_day
from communitylab.window import active_span

__all__ = ["observation_window", "host_silences", "host_regularity", "activity_during_silences", "host_dependence"]


@cached
def _host_times(community: Community) -> pd.Series:
    """The hosts' posts and replies, in time order (read once for the silences and the regularity)."""
    t = community.core
    h = t.filter(t.is_host & t.kind.isin(["post", "reply"])).select("created_at").order_by("created_at")
    return community.execute(h)["created_at"]


@cached
def observation_window(community: Community, *, robust: bool = True) -> tuple[pd.Timestamp, pd.Timestamp]:
    """First and last post, reply or reaction of the log's active period (UTC).

    ``robust`` (default) leaves out isolated stray events by the rule of
    :mod:`communitylab.window` (applied to the events per day of
    :func:`~communitylab.engagement.daily.daily_counts`); ``robust=False`` gives the raw first and
    last event.
    """
    d = daily_counts(community)
    d = d[d["kind"].isin(["post", "reply", "reaction"])]
    if d.empty:
        return pd.NaT, pd.NaT
    lo, hi = d["first_at"].min(), d["last_at"].max()
    if not robust:
        return lo, hi
    per_day = d.groupby("day")["events"].sum()
    span = active_span(per_day.index.to_series(), per_day.to_numpy())
    if not span.stray:
        return lo, hi
    inside = d[(d["day"] >= span.first_day) & (d["day"] <= span.last_day)]
    return inside["first_at"].min(), inside["last_at"].max()


@cached
def host_silences(community: Community, min_days: float = 14) -> pd.DataFrame:
    """Stretches of at least ``min_days`` with no host post or reply.

    Gaps between consecutive host activities within the active period (:func:`observation_window`),
    plus the stretch from the last host activity to the end of the log (flagged ``ongoing``).
    Returns ``start, end, days, ongoing``.
    """
    cols = ["start", "end", "days", "ongoing"]
    start, end = observation_window(community)
    times = _host_times(community)
    times = times[(times >= start) & (times <= end)]  # stray events outside the active period are no cadence
    if times.empty:
        return pd.DataFrame(columns=cols)
    times = times.reset_index(drop=True)
    df = pd.DataFrame({"start": times, "end": times.shift(-1).fillna(end)})
    df["days"] = (df["end"] - df["start"]).dt.total_seconds() / 86_400
    df["ongoing"] = df.index == len(df) - 1
    return df[df["days"] >= min_days].reset_index(drop=True)[cols]


def host_regularity(community: Community) -> pd.DataFrame:
    """Weekly host activity: ``weeks, host_active_week_share, mean_per_week, cv_per_week``.

    The coefficient of variation (sd/mean) of weekly host activity counts over every week of the
    log: near 0 for a steady cadence, above 1 for campaign bursts.
    """
    lo, hi = observation_window(community)
    if pd.isna(lo):  # no post, reply or reaction: no weeks to count
        return pd.DataFrame([{"weeks": 0, "host_active_week_share": np.nan, "mean_per_week": np.nan, "cv_per_week": np.nan}])
    times = _host_times(community)
    times = times[(times >= lo) & (times <= hi)]
    weeks = pd.date_range(lo.floor("D"), hi + pd.Timedelta(days=7), freq="7D")
    counts = np.histogram(times.astype("int64"), bins=weeks.astype("int64"))[0] if len(weeks) > 1 else np.array([len(times)])
    mean = counts.mean() if len(counts) else np.nan
    return pd.DataFrame(
        [{
            "weeks": len(counts),
            "host_active_week_share": float((counts > 0).mean()) if len(counts) else np.nan,
            "mean_per_week": float(mean),
            "cv_per_week": float(counts.std(ddof=1) / mean) if len(counts) > 1 and mean > 0 else np.nan,
        }]
    )


@cached
def activity_during_silences(community: Community, min_days: float = 14, *, level: float = 0.95) -> pd.DataFrame:
    """Members' posts and replies per day during host silences versus outside them.

    The rate ratio (during / outside) has an exact conditional interval: given the total count,
    the count during silences is binomial with p = T_s r / (T_s r + T_o) (Poisson rates).

    Returns
    -------
    DataFrame
        One row: ``days_silent, days_other, events_silent, events_other, rate_silent,
        rate_other, rate_ratio, ci_low, ci_high, method``. Ratio is NaN without silences.
    """
    import ibis
    from scipy.stats import binomtest

    sil = host_silences(community, min_days)
    lo, hi = observation_window(community)

    t = community.core
    m = t.filter(~t.is_host & t.kind.isin(["post", "reply"]))
    naive = lambda ts: ts.tz_convert("UTC").tz_localize(None).to_pydatetime()  # noqa: E731
    # stray events outside the active period are left out of rates
    m = m.filter((m.created_at >= naive(lo)) & (m.created_at <= naive(hi))) if pd.notna(lo) else m
    d = daily_counts(community)
    d = d[~d["is_host"] & d["kind"].isin(["post", "reply"])]
    total = int(d.loc[in_days(d["day"], lo, hi), "events"].sum())
    k_s = 0
    if len(sil):  # silences never overlap: each event falls in at most one
        spans = ibis.memtable(pd.DataFrame({"s_start": sil["start"].dt.tz_convert("UTC").dt.tz_localize(None).astype("datetime64[us]"),
                                            "s_end": sil["end"].dt.tz_convert("UTC").dt.tz_localize(None).astype("datetime64[us]")}))
        j = m.join(spans, [m.created_at > spans.s_start, m.created_at < spans.s_end])  # a range join in the engine
        k_s = int(community.execute(j.count()))
    days_total = (hi - lo).total_seconds() / 86_400
    days_s = float(sil["days"].sum()) if len(sil) else 0.0
    days_o = days_total - days_s
    k_o = total - k_s
    ratio = lo_ci = hi_ci = np.nan
    if days_s > 0 and days_o > 0 and k_s + k_o > 0:
        ratio = (k_s / days_s) / (k_o / days_o) if k_o else np.inf
        ci = binomtest(k_s, k_s + k_o).proportion_ci(confidence_level=level, method="exact")

        def to_ratio(p: float) -> float:
            return np.inf if p >= 1 else (p / (1 - p)) * days_o / days_s

        lo_ci, hi_ci = to_ratio(ci.low), to_ratio(ci.high)
    return pd.DataFrame([{
        "days_silent": days_s, "days_other": days_o, "events_silent": k_s, "events_other": k_o,
        "rate_silent": k_s / days_s if days_s else np.nan, "rate_other": k_o / days_o if days_o else np.nan,
        "rate_ratio": ratio, "ci_low": lo_ci, "ci_high": hi_ci, "method": "exact conditional Poisson rate ratio",
    }])


@cached
def host_dependence(community: Community, silence_days: float = 14, *, level: float = 0.95) -> pd.Series:
    """Do members go quiet *because* the host does? Member activity after a host silence,
    against what the community's own recent activity and trend predict.

    Comparing host silences with the rest of the log mistakes the community's own quiet spells for
    dependence: a host who answers what members write falls silent whenever the members do. Here
    weekly member posts + replies over the active period are modelled (quasi-Poisson regression)
    on the members' own activity in the two previous weeks, a linear trend, and whether the host
    was silent (no post or reply) for the ``silence_days`` before the week. The rate ratio of that
    last term is the drop that the host's silence adds beyond the community's momentum and trend.

    Returns
    -------
    Series
        ``rate_ratio, ci_low, ci_high, p_value, weeks, silent_weeks, method`` (NaN when the
        log has fewer than 12 weeks, or fewer than 3 weeks with (or without) a host silence).
    """
    from scipy import stats
    from statsmodels.genmod.families import Poisson  # not statsmodels.api, which imports all of statsmodels
    from statsmodels.genmod.generalized_linear_model import GLM

    out = {"rate_ratio": np.nan, "ci_low": np.nan, "ci_high": np.nan, "p_value": np.nan, "weeks": 0, "silent_weeks": 0,
           "method": "quasi-Poisson regression of weekly member activity on its two lags, a trend and a host-silence indicator"}
    lo, hi = observation_window(community)
    if pd.isna(lo):
        return pd.Series(out)
    d = daily_counts(community)
    d = d[d["kind"].isin(["post", "reply"]) & in_days(d["day"], lo, hi)]  # the posts and replies of the active period
    wk = d.groupby([period_of_day(d["day"], "week").rename("week"), d["is_host"].rename("host")])["events"].sum().rename("n").reset_index()
    if wk.empty:
        return pd.Series(out)
    weeks = pd.date_range(wk["week"].min(), wk["week"].max(), freq="7D")
    counts = wk.pivot_table(index="week", columns="host", values="n", aggfunc="sum").reindex(weeks, fill_value=0).fillna(0)
    M = counts.get(False, pd.Series(0, index=weeks)).to_numpy(dtype=float)
    H = counts.get(True, pd.Series(0, index=weeks)).to_numpy(dtype=float)
    k = max(1, int(np.ceil(silence_days / 7)))
    n = len(M)
    if n < max(12, k + 3):
        return pd.Series(out)
    rows = np.arange(max(2, k), n)
    silent = np.array([H[i - k:i].sum() == 0 for i in rows], dtype=float)
    out.update(weeks=len(rows), silent_weeks=int(silent.sum()))
    if silent.sum() < 3 or len(rows) - silent.sum() < 3:  # too few weeks on one side to estimate the drop
        return pd.Series(out)
    X = np.column_stack([np.ones(len(rows)), np.log1p(M[rows - 1]), np.log1p(M[rows - 2]), rows / 52.0, silent])
    fit = GLM(M[rows], X, family=Poisson()).fit(scale="X2")
    b, se = float(fit.params[-1]), float(fit.bse[-1])
    z = stats.norm.ppf(0.5 + level / 2)
    out.update(rate_ratio=np.exp(b), ci_low=np.exp(b - z * se), ci_high=np.exp(b + z * se), p_value=float(stats.norm.cdf(b / se)))
    return pd.Series(out)
