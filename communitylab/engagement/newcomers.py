"""Newcomers: join–ask–leave and whether a reply to one's first post brings members back."""

from __future__ import annotations

import ibis
import numpy as np
import pandas as pd

from communitylab.community import Community, cached
from communitylab.engagement.cadence import observation_window
from communitylab.engagement.responsiveness import first_replies_expr

__all__ = ["first_contributions", "join_ask_leave", "newcomer_retention", "join_ask_leave_gap", "newcomer_retention_gap"]


@cached
def first_contributions(community: Community) -> pd.DataFrame:
    """Each non-host member's first post or reply, and their last activity of any kind.

    Returns ``member_id, first_at, first_kind, first_thread, last_active_at`` where activity is a
    post, reply or reaction. Two contributions at the same first instant: the post counts first,
    then the lower thread id.
    """
    fc = community.thread_ids(community.member_ids(_first_contributions_expr(community)), "first_thread_key", "first_thread")
    out = community.execute(fc.select("member_id", "first_at", "first_kind", "first_thread", "last_active_at"))
    return out.sort_values("member_id").reset_index(drop=True)


def _first_contributions_expr(community: Community):
    """In the engine: ``member_key, first_at, first_kind, first_thread_key, last_active_at``."""
    t = community.core
    m = t.filter(~t.is_host & t.member_key.notnull() & t.kind.isin(["post", "reply", "reaction"]))
    contrib = m.filter(m.kind.isin(["post", "reply"]))
    times = m.group_by("member_key").aggregate(
        first_at=ibis.ifelse(m.kind.isin(["post", "reply"]), m.created_at, ibis.null("timestamp")).min(),
        last_active_at=m.created_at.max(),
    ).filter(lambda x: x.first_at.notnull())
    # the member's contributions at their first instant (almost always one), ordered by a stated rule
    cand = contrib.join(times, (contrib.member_key == times.member_key) & (contrib.created_at == times.first_at))
    cand = cand.select("member_key", "first_at", "last_active_at", "kind", "thread_key", _tk=cand.thread_key)
    cand = community.thread_ids(cand, "_tk", "thread_id")
    order = ibis.struct({"rank": ibis.ifelse(cand.kind == "post", 0, 1), "thread": cand.thread_id})
    first = cand.group_by("member_key").aggregate(
        first_at=cand.first_at.min(), last_active_at=cand.last_active_at.max(),
        first=ibis.struct({"kind": cand.kind.cast("string"), "thread": cand.thread_key}).argmin(order),
    )
    return first.select("member_key", "first_at", first_kind=first.first["kind"], first_thread_key=first.first["thread"],
                        last_active_at="last_active_at")


@cached
def _askers(community: Community) -> pd.DataFrame:
    """Members whose first contribution is a post, with that thread's first reply by someone else:
    ``member_id, first_at, first_thread, answered, answered_at, by_host, hours`` and their keys
    ``_m, _tk`` (member and first thread, for :func:`_return_times`; joined in the engine, only the
    askers come out)."""
    fc = _first_contributions_expr(community)
    fc = fc.filter(fc.first_kind == "post")
    fr = first_replies_expr(community)
    j = fc.left_join(fr, fc.first_thread_key == fr.thread_key).select(
        "member_key", "first_at", "first_thread_key", "posted_at", answered_at="first_reply_at", by_host="first_replier_is_host"
    )
    j = j.mutate(_m=j.member_key, _tk=j.first_thread_key)  # the keys, for _return_times
    j = community.thread_ids(community.member_ids(j), "first_thread_key", "first_thread")
    out = community.execute(j).sort_values("member_id").reset_index(drop=True)
    out["answered"] = out["answered_at"].notna()
    out["hours"] = (out["answered_at"] - out["posted_at"]).dt.total_seconds() / 3600.0
    out["by_host"] = out["by_host"].astype("boolean")
    return out


@cached
def _return_times(community: Community) -> pd.DataFrame:
    """For each asker of :func:`_askers` (same rows, same index): ``next_at``, their first post,
    reply or reaction outside their first thread after their first post, and ``last_out_at``, their
    last one outside it (NaT: none). Whether an asker came back after any time, or within any
    span, is read from these two; one pass in the engine for join–ask–leave and newcomer
    retention alike: the askers go in as a small table (by key), one row per asker comes out."""
    askers = _askers(community)
    nat = pd.Series(pd.NaT, index=askers.index, dtype="datetime64[us, UTC]")
    out = pd.DataFrame({"next_at": nat, "last_out_at": nat})
    if askers.empty:
        return out
    first = pd.to_datetime(askers["first_at"], utc=True).dt.tz_localize(None).astype("datetime64[us]")
    ref = pd.DataFrame({"ref_member": askers["_m"], "ref_at": first, "ref_thread": askers["_tk"]})
    if community.keys is not None:  # integer keys (nullable: a first post may have no thread)
        ref = ref.astype({"ref_member": "int64", "ref_thread": "Int64"})
    t = community.core
    act = t.filter(~t.is_host & t.member_key.notnull() & t.kind.isin(["post", "reply", "reaction"])).select("member_key", "created_at", "thread_key")
    m = ibis.memtable(ref.reset_index(drop=True))
    j = act.join(m, act.member_key == m.ref_member)
    j = j.filter(j.thread_key.isnull() | j.ref_thread.isnull() | (j.thread_key != j.ref_thread))  # outside the first thread
    later = ibis.ifelse(j.created_at > j.ref_at, j.created_at, ibis.null("timestamp"))
    times = community.execute(j.group_by(_m=j.member_key).aggregate(next_at=later.min(), last_out_at=j.created_at.max()))
    times = times.set_index("_m")
    for col in ("next_at", "last_out_at"):
        # ``.array``, not ``.to_numpy()``: a time zone-aware column would become Python objects, one per asker
        at = pd.Series(times[col].reindex(askers["_m"]).array, index=out.index)
        out[col] = pd.to_datetime(at, utc=True).astype("datetime64[us, UTC]")
    return out


def join_ask_leave(community: Community, *, min_followup_days: float = 60, level: float = 0.95) -> pd.DataFrame:
    """Members who arrive with a question, get an answer, and never come back.

    An *asker* is a member whose first contribution is a post (a thread start). The answer is the
    first reply by someone else (host or member). *Left* means no post, reply or reaction outside
    the asker's first thread after that answer. Askers answered less than ``min_followup_days``
    before the data ends are excluded (they had no time to come back) and counted.

    Returns
    -------
    DataFrame
        ``group, askers, left, share_left, ci_low, ci_high, method`` for groups ``all
        answered``, ``answered by host``, ``answered by member``, ``unanswered`` (share of askers who
        never came back at all), and a row ``excluded (short follow-up)`` with its count in ``askers``.
    """
    from statsmodels.stats.proportion import proportion_confint

    askers = _askers(community)
    _, end = observation_window(community)
    ref = askers["answered_at"].where(askers["answered"], askers["first_at"])
    short = (end - ref).dt.total_seconds() / 86_400 < min_followup_days
    n_short = int(short.sum())
    askers = askers[~short].copy()
    askers["_ref"] = askers["answered_at"].where(askers["answered"], askers["first_at"])
    # came back: posted, replied or reacted outside the first thread after the answer (or the post)
    askers["back"] = (_return_times(community).loc[askers.index, "last_out_at"] > askers["_ref"]).to_numpy()
    groups = {
        "all answered": askers["answered"],
        "answered by host": askers["answered"] & askers["by_host"].fillna(False).astype(bool),
        "answered by member": askers["answered"] & ~askers["by_host"].fillna(True).astype(bool),
        "unanswered": ~askers["answered"],
    }
    rows = []
    for name, mask in groups.items():
        n = int(mask.sum())
        k = int((mask & ~askers["back"]).sum())
        lo, hi = proportion_confint(k, n, alpha=1 - level, method="wilson") if n else (np.nan, np.nan)
        rows.append({"group": name, "askers": n, "left": k, "share_left": k / n if n else np.nan, "ci_low": lo, "ci_high": hi, "method": "Wilson"})
    rows.append({"group": "excluded (short follow-up)", "askers": n_short, "left": np.nan, "share_left": np.nan, "ci_low": np.nan, "ci_high": np.nan, "method": f"answered < {min_followup_days:g} days before the data ends"})
    return pd.DataFrame(rows)


def newcomer_retention(
    community: Community, *, reply_within_days: float = 7, return_within_days: float = 90, level: float = 0.95
) -> pd.DataFrame:
    """Does a reply to one's first post raise the chance of returning?

    Newcomers are members whose first contribution is a post. *Replied*: someone else replied
    within ``reply_within_days``. *Returned*: the member posted, replied or reacted outside that
    first thread within ``return_within_days`` of the first post. Newcomers whose first post is
    less than ``return_within_days`` before the data ends are excluded (counted in ``excluded``).

    Returns
    -------
    DataFrame
        Rows ``replied`` and ``not replied`` (``newcomers, returned, share, ci_low,
        ci_high``) and a row ``difference`` (replied − not replied, Newcombe interval; ``p_value`` from
        Fisher's exact test; ``risk_ratio``, missing when no newcomer without a reply returned).

    Notes
    -----
    Observational: members whose posts get replies may differ (better questions, busier
    topics). Read the difference as association, not the effect of replying.
    """
    from scipy.stats import fisher_exact
    from statsmodels.stats.proportion import confint_proportions_2indep, proportion_confint

    new = _askers(community)
    _, end = observation_window(community)
    short = (end - new["first_at"]).dt.total_seconds() / 86_400 < return_within_days
    n_excluded = int(short.sum())
    new = new[~short].copy()
    new["replied"] = new["answered"] & (new["hours"] <= reply_within_days * 24)
    # returned: posted, replied or reacted outside the first thread within the span after the first post
    nxt = _return_times(community).loc[new.index, "next_at"]
    new["returned"] = (nxt <= new["first_at"] + pd.Timedelta(days=return_within_days)).to_numpy()
    rows = []
    counts = {}
    for name, mask in (("replied", new["replied"]), ("not replied", ~new["replied"])):
        n, k = int(mask.sum()), int((mask & new["returned"]).sum())
        counts[name] = (k, n)
        lo, hi = proportion_confint(k, n, alpha=1 - level, method="wilson") if n else (np.nan, np.nan)
        rows.append({"group": name, "newcomers": n, "returned": k, "share": k / n if n else np.nan, "ci_low": lo, "ci_high": hi})
    (k1, n1), (k0, n0) = counts["replied"], counts["not replied"]
    diff = lo = hi = p = rr = np.nan
    if n1 and n0:
        diff = k1 / n1 - k0 / n0
        lo, hi = confint_proportions_2indep(k1, n1, k0, n0, method="newcomb", compare="diff", alpha=1 - level)
        p = fisher_exact([[k1, n1 - k1], [k0, n0 - k0]])[1]
        rr = (k1 / n1) / (k0 / n0) if k0 else np.nan  # none returned without a reply: no ratio to state (never infinite)
    rows.append({"group": "difference", "newcomers": n1 + n0, "returned": k1 + k0, "share": diff, "ci_low": lo, "ci_high": hi, "p_value": p, "risk_ratio": rr, "excluded": n_excluded})
    return pd.DataFrame(rows)


def join_ask_leave_gap(table: pd.DataFrame) -> str | None:
    """Why :func:`join_ask_leave`'s table does not apply (no asker followed long enough), or None when it does."""
    followed = int(table.loc[table["group"] != "excluded (short follow-up)", "askers"].sum())
    if followed:
        return None
    return ("No member's first contribution is a question (a post) followed long enough to tell whether they left: "
            "this does not apply here (a reply network has no questions).")


def newcomer_retention_gap(table: pd.DataFrame, min_n: int) -> str | None:
    """Why :func:`newcomer_retention`'s comparison cannot be told (fewer than ``min_n`` newcomers in
    either group), or None when it can."""
    n = table.set_index("group")["newcomers"]
    replied, not_replied = int(n.get("replied", 0)), int(n.get("not replied", 0))
    if min(replied, not_replied) >= min_n:
        return None
    return (f"Whether a reply brings newcomers back cannot be told here: {replied:,} newcomers were replied to and {not_replied:,} "
            f"were not (at least {min_n} of each are needed, parameter min_signal_n).")

