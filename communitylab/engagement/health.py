"""The verdict: thriving conversation, brand-centric audience, fragile, or dormant — and why."""

from __future__ import annotations

from dataclasses import KW_ONLY, asdict, dataclass, field

import numpy as np
import pandas as pd

from communitylab.community import Community
from communitylab.engagement.cadence import host_dependence, observation_window
from communitylab.engagement.conversation import reply_direction_matrix
from communitylab.engagement.daily import daily_counts, in_days
from communitylab.engagement.inequality import contribution_counts, top_share
from communitylab.engagement.responsiveness import time_to_first_reply
from communitylab.tables import as_percent, is_unbounded

__all__ = ["HealthThresholds", "HealthVerdict", "health_verdict", "VERDICTS"]

SIGNAL_COLUMNS = ["id", "signal", "value", "ci_low", "ci_high", "threshold", "flag", "n", "share", "status"]
VERDICTS = ("thriving conversation", "brand-centric audience", "transient crowd", "declining", "fragile", "dormant", "cannot judge",
            "too little data to judge")
#: A signal's status: ``ok`` (it votes), or why it does not: below its minimum data, or the
#: comparison it needs lies outside the data (its value is then not shown as a number).
SIGNAL_STATUSES = ("ok", "too little data", "no earlier period in the data", "none in the earlier period", "no host known")
#: The top 1% of members is more than one person only from 100 members on.
MIN_MEMBERS_FOR_TOP1 = 100


@dataclass(frozen=True, kw_only=True)
class HealthThresholds:
    """Thresholds of the verdict; every one is a parameter of the study.

    Attributes
    ----------
    min_weekly_contributions : float
        Below this many member posts + replies per week the community is *dormant* (3: fewer than
        one conversation turn every two days cannot carry a conversation).
    brand_m2m_max : float
        Member-to-member share of replies below this means members talk to the host, not to each
        other: a *brand-centric audience* (0.20: in the Twitter support sample it is 0.11; in a
        peer Q&A site without a host it is 1.0).
    fragile_silence_ratio : float
        Member activity in weeks after ``silence_days`` without the host, below this fraction of
        what the members' own activity in the two weeks before and the trend predict (interval
        below 1): the members depend on the host and the community is *fragile* (0.5: half of the
        conversation stops with the host). Modelling the community's own momentum keeps its quiet
        spells from passing for dependence (:func:`~communitylab.engagement.cadence.host_dependence`).
    fragile_answered_share : float
        Fewer threads than this answered by the end of observation: *fragile* (0.5).
    fragile_top1_share : float
        The top 1 % of members making more than this share of contributions: *fragile* (0.5:
        the community rests on a handful of people).
    silence_days : float
        A host silence is at least this many days without a host post or reply (14).
    crowd_reciprocity_max : float
        Reciprocity (self-replies excluded) below this, together with repeated ties whose interval lies below
        ``crowd_repeat_max``: members reply once and are never answered back, a *transient crowd*
        (0.05: Digg 0.0022, 0.016 by KONECT's convention where a self-reply counts; CollegeMsg 0.64;
        Beer Stack Exchange 0.22).
    crowd_repeat_max : float
        See ``crowd_reciprocity_max`` (0.05: Digg 0.010; CollegeMsg 0.62).
    trajectory_weeks : float
        The recent period judged against the same length before it (13 weeks).
    min_linked_share : float
        Below this share of replies whose addressee is known, the reply structure is missing and
        the verdict is *cannot judge* (0.5: e.g. parent ids that match no event id).
    min_signal_n : int
        (keyword only) A share or a trend computed from fewer cases than this (replies, pairs,
        threads, events in the two periods) reads "too little data" and does not vote (20: below
        it a 95% interval of a share spans more than 40 points).
    min_threads, min_members : int
        (keyword only) Below this many threads or contributing members in the period judged the
        verdict is *too little data to judge* (10 each: one topic and eight members is not a
        community whose health can be told).
    """

    min_weekly_contributions: float = 3.0
    brand_m2m_max: float = 0.20
    fragile_silence_ratio: float = 0.5
    fragile_answered_share: float = 0.5
    fragile_top1_share: float = 0.5
    silence_days: float = 14.0
    crowd_reciprocity_max: float = 0.05
    crowd_repeat_max: float = 0.05
    trajectory_weeks: float = 13.0
    min_linked_share: float = 0.5
    _: KW_ONLY
    min_signal_n: int = 20
    min_threads: int = 10
    min_members: int = 10


@dataclass
class HealthVerdict:
    """The verdict, the signals behind it, and the reasons in plain words."""

    label: str
    signals: pd.DataFrame
    reasons: list[str] = field(default_factory=list)
    thresholds: HealthThresholds = field(default_factory=HealthThresholds)
    window: str = ""
    trajectory: pd.DataFrame = field(default_factory=pd.DataFrame)

    @property
    def summary(self) -> pd.DataFrame:
        """The signals behind the verdict (``id, signal, value, ci_low, ci_high, n, threshold,
        status, flag, ...``); the verdict, its window and reasons in ``attrs``. In words: ``str(verdict)``."""
        out = self.signals.copy()
        out.attrs.update(label=self.label, window=self.window, reasons=list(self.reasons))
        return out

    def __str__(self) -> str:
        return f"Verdict: {self.label}.\n" + "\n".join(f"- {r}" for r in self.reasons)

    def _repr_markdown_(self) -> str:
        return f"**Verdict: {self.label}.**\n\n" + "\n".join(f"- {r}" for r in self.reasons)

    def signal_table(self) -> pd.DataFrame:
        """The signals as a table for people: each with its interval, threshold, n and whether it is
        flagged; a signal without enough data says why instead of a number."""
        from communitylab import tables

        s = self.signals
        out = tables.estimates(s, label_column="signal", estimate="value")
        quiet = (s["status"] != "ok").to_numpy()
        out.loc[quiet, out.columns[1]] = s.loc[quiet, "status"].to_numpy()
        out["Threshold"] = [tables.as_percent(v) if sh else tables.as_number(v) for v, sh in zip(s["threshold"], s["share"])]
        out["Flagged"] = np.where(s["flag"], "yes", np.where(quiet, "does not vote", ""))
        return out

    def key_figures(self, limit: int = 5) -> list[dict]:
        """The figures an executive summary quotes (for :func:`communitylab.report.executive_summary`);
        on too little data, the counts that fell short of the minimum."""
        if self.label == "too little data to judge":
            short = self.signals.set_index("id")
            return [{"figure": str(short.loc[i, "signal"])[:1].upper() + str(short.loc[i, "signal"])[1:], "estimate": short.loc[i, "value"],
                     "low": np.nan, "high": np.nan, "n": short.loc[i, "n"], "share": False, "unit": "",
                     "note": f"a verdict needs at least {short.loc[i, 'threshold']:g}"} for i in ("threads", "contributing_members")]
        wanted = ["member-to-member share of replies", "pairs that exchange more than once", "trend of active members",
                  "share of threads answered", "member activity after host silences / expected", "reciprocity",
                  "share of replies with a known addressee"]
        out = []
        for name in wanted:
            hit = self.signals[self.signals["signal"].str.startswith(name) & self.signals["value"].notna() & (self.signals["status"] == "ok")]
            for _, r in hit.iterrows():
                out.append({"figure": r["signal"][:1].upper() + r["signal"][1:], "estimate": r["value"], "low": r["ci_low"],
                            "high": r["ci_high"], "n": r["n"], "share": bool(r["share"]), "unit": "",
                            "note": _flag_note(r) or self._trend_label(r["signal"])})
        return out[:limit]

    def _trend_label(self, signal: str) -> str:
        if not signal.startswith("trend of") or self.trajectory.empty:
            return ""
        hit = self.trajectory[[signal.startswith(f"trend of {m} ") for m in self.trajectory["measure"]]]
        return str(hit["label"].iloc[0]) if len(hit) else ""

    def to_dict(self) -> dict:
        return {"label": self.label, "reasons": self.reasons, "thresholds": asdict(self.thresholds), "window": self.window,
                "signals": self.signals.replace({np.nan: None}).to_dict("records")}


def _flag_note(signal: pd.Series) -> str:
    if not signal["flag"]:
        return ""
    if str(signal["signal"]).startswith("trend of"):
        return "declining: the interval lies below 1"
    side = "above" if signal["signal"] == "top 1% share of contributions" else "below"
    limit = f"{signal['threshold']:.0%}" if signal["share"] else f"{signal['threshold']:g}"
    return f"flagged: {side} the threshold of {limit}"


def health_verdict(community: Community, thresholds: HealthThresholds | None = None) -> HealthVerdict:
    """Classify a community from its signals over its active period (rules in this order).

    0. *cannot judge*: replies exist but fewer than ``min_linked_share`` of them have a known
       addressee (the reply structure is missing or unlinked), or there are no replies at all;
       *too little data to judge*: fewer than ``min_threads`` threads (messages, in a reply
       network without threads) or ``min_members`` contributing members in the period judged;
    1. *dormant*: member posts + replies per week below ``min_weekly_contributions``, over the
       active period or over its last ``trajectory_weeks`` weeks (when the period is at least twice
       as long: a community that has gone quiet is dormant now, whatever its past);
    2. *brand-centric audience*: hosts are known and the member-to-member share of replies is below
       ``brand_m2m_max``;
    3. *transient crowd*: reciprocity below ``crowd_reciprocity_max`` and the interval of repeated
       ties below ``crowd_repeat_max``;
    4. *declining*: over the last ``trajectory_weeks`` against the weeks before, both active
       members and member-to-member replies declining (intervals below 1);
    5. *fragile*: member activity after host silences below ``fragile_silence_ratio`` of what the
       community's own momentum and trend predict (interval below 1), answered share below ``fragile_answered_share``, or top-1 % share
       of contributions above ``fragile_top1_share``;
    6. otherwise *thriving conversation*.

    A signal computed from fewer than ``min_signal_n`` cases (or a trend whose earlier period lies
    outside the data, or a member-to-member share where no host is known) gets a ``status`` other
    than ``ok``: it is shown in words, not as a number, and does not vote.

    The active period leaves out isolated stray events (:mod:`communitylab.window`); judge another
    stretch with ``Community.window`` (the studies' ``start`` / ``end``).

    Returns
    -------
    HealthVerdict
        ``signals`` has ``id, signal, value, ci_low, ci_high, threshold, flag, n, share, status``
        (``id``: stable, used by :mod:`communitylab.engagement.advice`; ``signal``: its words; ``n``:
        what the figure is computed from; ``share``: a share in [0, 1]); ``window`` and
        ``trajectory`` the period judged and the recent trend.
    """
    from communitylab.engagement.conversation import (
        member_to_member_share,
        reciprocity,
        reciprocity_counts,
        repeated_ties,
    )
    from communitylab.engagement.trajectory import trajectory

    th = thresholds or HealthThresholds()
    lo, hi = observation_window(community)
    d = daily_counts(community)
    d = d[~d["is_host"] & d["kind"].isin(["post", "reply"]) & d["known_member"]]  # members' posts and replies
    n_member = int(d.loc[in_days(d["day"], lo, hi), "events"].sum())
    weeks = max((hi - lo).total_seconds() / (7 * 86_400), 1.0) if pd.notna(lo) else 1.0
    weekly = n_member / weeks
    recent_weeks = th.trajectory_weeks
    if pd.notna(lo) and weeks >= 2 * recent_weeks:  # members' activity now: the last weeks of the active period
        n_recent = int(d.loc[in_days(d["day"], hi - pd.Timedelta(weeks=recent_weeks) + pd.Timedelta(days=1), hi), "events"].sum())
        recent = n_recent / recent_weeks
    else:
        n_recent, recent = n_member, np.nan
    window = f"{lo:%Y-%m-%d} to {hi:%Y-%m-%d} ({weeks:.0f} weeks)" if pd.notna(lo) else "no events"
    dm = reply_direction_matrix(community).set_index("direction")
    n_replies = int(dm["replies"].sum())
    linked = 1 - dm.loc["unknown", "replies"] / n_replies if n_replies else np.nan
    m2m = dm.loc["member->member", "share"]
    has_hosts = len(community.hosts) > 0
    reasons = [f"Judged over the active period {window}: {weekly:.1f} member posts and replies a week."]
    ttfr = time_to_first_reply(community).set_index("metric") if n_member else pd.DataFrame()
    answered = ttfr.loc["answered_share"] if "answered_share" in ttfr.index else None
    contrib = contribution_counts(community).to_numpy()
    top1 = top_share(contrib[contrib > 0], 0.01) if (contrib > 0).any() else np.nan
    n_threads = int(answered["n"]) if answered is not None else 0
    n_members = int((contrib > 0).sum())
    # a reply network (an edge list) has messages but no threads: its conversations are its messages
    units, unit = (n_threads, "thread") if n_threads else (n_replies, "message")
    if not n_replies or linked < th.min_linked_share:
        why = ("There are no replies: the conversation structure cannot be assessed." if not n_replies else
               f"Only {linked:.0%} of {n_replies:,} replies have a known addressee: the parent of the others is not in the data "
               "(check the mapping of parent ids, or load the whole export), so who answers whom cannot be read.")
        signals = pd.DataFrame([("linked_share", "share of replies with a known addressee", linked, np.nan, np.nan, th.min_linked_share,
                                 True, n_replies, True, "ok")], columns=SIGNAL_COLUMNS)
        return HealthVerdict("cannot judge", signals, [*reasons, why], th, window, pd.DataFrame())
    if units < th.min_threads or n_members < th.min_members:
        reasons.append(f"{units:,} {unit}(s) and {n_members:,} contributing member(s) in the period judged: a verdict needs at least "
                       f"{th.min_threads:,} {unit}s and {th.min_members:,} members (parameters min_threads, min_members). "
                       "Load a longer period or the whole export.")
        signals = pd.DataFrame([("threads", f"{unit}s in the period judged", units, np.nan, np.nan, th.min_threads, False, units,
                                 False, "ok"),
                                ("contributing_members", "contributing members", n_members, np.nan, np.nan, th.min_members, False,
                                 n_members, False, "ok")], columns=SIGNAL_COLUMNS)
        return HealthVerdict("too little data to judge", signals, reasons, th, window, pd.DataFrame())
    m2m_ci = member_to_member_share(community)  # builds the reply network, which the two below then read
    recip = reciprocity(community, self_loops="exclude")  # a member answering themself is not reciprocity (Digg: 1.55% -> 0.22%)
    ties = repeated_ties(community)
    traj = trajectory(community, th.trajectory_weeks)
    sil = host_dependence(community, th.silence_days) if has_hosts else None
    n_pairs = reciprocity_counts(community, self_loops="exclude")[1]
    enough = lambda n, minimum=th.min_signal_n: "ok" if n >= minimum else "too little data"  # noqa: E731
    # (id, signal, value, ci_low, ci_high, threshold, flag, n, share, status): n is what the figure is computed from
    rows = [
        ("member_contributions_per_week", "member contributions per week", weekly, np.nan, np.nan, th.min_weekly_contributions,
         weekly < th.min_weekly_contributions, n_member, False, "ok"),
        ("recent_contributions_per_week", f"member contributions per week, last {recent_weeks:g} weeks", recent, np.nan, np.nan,
         th.min_weekly_contributions, bool(recent < th.min_weekly_contributions), n_recent, False,
         "ok" if np.isfinite(recent) else "too little data"),
        ("linked_share", "share of replies with a known addressee", linked, np.nan, np.nan, th.min_linked_share, False, n_replies, True,
         enough(n_replies)),
        # without a known host every reply is member to member by construction: the share means nothing
        ("member_to_member_share", "member-to-member share of replies", m2m, m2m_ci["ci_low"], m2m_ci["ci_high"], th.brand_m2m_max,
         bool(has_hosts and m2m < th.brand_m2m_max), m2m_ci["replies"], True, enough(m2m_ci["replies"]) if has_hosts else "no host known"),
        ("reciprocity", "reciprocity", recip, np.nan, np.nan, th.crowd_reciprocity_max, bool(recip < th.crowd_reciprocity_max), n_pairs,
         True, enough(n_pairs)),
        ("repeated_ties", "pairs that exchange more than once", ties["share"], ties["ci_low"], ties["ci_high"], th.crowd_repeat_max,
         bool(ties["ci_high"] < th.crowd_repeat_max), ties["pairs"], True, enough(ties["pairs"])),
    ]
    for _, tr in traj.iterrows():
        status = tr["label"] if tr["label"] in SIGNAL_STATUSES else enough(tr["before"] + tr["recent"])
        rows.append((f"trend_{tr['measure'].replace(' ', '_').replace('-', '_')}",
                     f"trend of {tr['measure']} (last {th.trajectory_weeks:g} weeks / the {th.trajectory_weeks:g} before)",
                     tr["rate_ratio"], tr["ci_low"], tr["ci_high"], 1.0, tr["label"] == "declining", tr["before"] + tr["recent"], False,
                     status))
    if answered is not None:
        rows.append(("answered_share", "share of threads answered", answered["estimate"], answered["ci_low"], answered["ci_high"],
                     th.fragile_answered_share, answered["estimate"] < th.fragile_answered_share, answered["n"], True, enough(answered["n"])))
    rows.append(("top1_share", "top 1% share of contributions", top1, np.nan, np.nan, th.fragile_top1_share, bool(top1 > th.fragile_top1_share),
                 n_members, True, enough(n_members, max(th.min_signal_n, MIN_MEMBERS_FOR_TOP1))))
    if sil is not None:
        rel = sil["rate_ratio"]
        rows.append(("host_silence_ratio", "member activity after host silences / expected", rel, sil["ci_low"], sil["ci_high"],
                     th.fragile_silence_ratio, bool(np.isfinite(rel) and rel < th.fragile_silence_ratio and sil["ci_high"] < 1), sil["weeks"],
                     False, enough(sil["weeks"]) if np.isfinite(rel) and not is_unbounded(rel, sil["ci_low"], sil["ci_high"])
                     else "too little data"))
    signals = pd.DataFrame(rows, columns=SIGNAL_COLUMNS)
    signals["flag"] = signals["flag"].astype(bool) & (signals["status"] == "ok")  # a signal without enough data never votes
    flag = dict(zip(signals["signal"], signals["flag"]))
    trend = {tr["measure"]: tr for _, tr in traj.iterrows()}
    voting = set(signals.loc[signals["status"] == "ok", "id"])
    trend = {m: tr for m, tr in trend.items() if f"trend_{m.replace(' ', '_').replace('-', '_')}" in voting}
    declining = len(trend) == 2 and all(tr["label"] == "declining" for tr in trend.values())

    if flag["member contributions per week"]:
        label = "dormant"
        reasons.append(f"That is below {th.min_weekly_contributions:g} a week: there is too little activity to sustain a conversation.")
    elif flag[f"member contributions per week, last {recent_weeks:g} weeks"]:
        label = "dormant"
        reasons.append(f"In its last {recent_weeks:g} weeks, though, members wrote {recent:.1f} posts and replies a week "
                       f"({n_recent:,} in all), below {th.min_weekly_contributions:g}: the conversation has gone quiet. "
                       "Its signals describe the whole period, not now.")
    elif flag["member-to-member share of replies"]:
        label = "brand-centric audience"
        reasons.append(f"Only {as_percent(m2m)} of replies go from one member to another (threshold {th.brand_m2m_max:.0%}): members talk to the host, hardly to each other.")
    elif flag["reciprocity"] and flag["pairs that exchange more than once"]:
        label = "transient crowd"
        reasons.append(f"Members reply but are hardly answered back: reciprocity {recip:.1%} (threshold {th.crowd_reciprocity_max:.0%}); "
                       f"{ties['share']:.1%} of {int(ties['pairs']):,} pairs exchange more than once (95% CI {ties['ci_low']:.1%}–{ties['ci_high']:.1%}). "
                       "A crowd, not a conversation.")
    elif declining:
        label = "declining"
        for tr in trend.values():
            reasons.append(f"{tr['measure'].capitalize()}: {tr['recent']:,} in {tr['period_recent']} against {tr['before']:,} in {tr['period_before']} "
                           f"(rate ratio {tr['rate_ratio']:.2f}, 95% CI {tr['ci_low']:.2f}–{tr['ci_high']:.2f}).")
    else:
        fragile = signals[signals["flag"] & signals["signal"].isin(["share of threads answered", "top 1% share of contributions",
                                                                      "member activity after host silences / expected"])]
        if len(fragile):
            label = "fragile"
            for _, r in fragile.iterrows():
                reasons.append(f"{r['signal']}: {r['value']:.2f} (threshold {r['threshold']:g}).")
            if sil is not None and flag.get("member activity after host silences / expected"):
                reasons.append(f"After {th.silence_days:g} days without the host, members post {sil['rate_ratio']:.0%} of what their own recent "
                               f"activity and trend predict (95% CI {sil['ci_low']:.0%}–{sil['ci_high']:.0%}): they depend on the host.")
        else:
            label = "thriving conversation"
            shared = f"{as_percent(m2m)} of replies are member to member; " if has_hosts else ""  # without a host it is 100% by construction
            said = f"{shared}reciprocity {as_percent(recip)}" + (f"; {answered['estimate']:.0%} of threads get an answer." if answered is not None else ".")
            reasons.append(said[:1].upper() + said[1:])
    if label not in ("declining", "dormant"):
        moving = [tr for tr in trend.values() if tr["label"] in ("declining", "growing")]
        for tr in moving:
            reasons.append(f"Trend: {tr['measure']} {tr['label']} (last {th.trajectory_weeks:g} weeks against the {th.trajectory_weeks:g} before: "
                           f"rate ratio {tr['rate_ratio']:.2f}, 95% CI {tr['ci_low']:.2f}–{tr['ci_high']:.2f}).")
    if not has_hosts:
        reasons.append("No host is known for this community, so host dependence was not assessed.")
    return HealthVerdict(label, signals, reasons, th, window, traj)
