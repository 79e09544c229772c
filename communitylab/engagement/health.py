"""The verdict: thriving conversation, brand-centric audience, fragile, or dormant — and why."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

import numpy as np
import pandas as pd

from communitylab.community import Community
from communitylab.engagement.cadence import activity_during_silences, observation_window
from communitylab.engagement.conversation import reply_direction_matrix
from communitylab.engagement.inequality import contributions_per_member, top_share
from communitylab.engagement.responsiveness import time_to_first_reply

__all__ = ["HealthThresholds", "HealthVerdict", "health_verdict", "VERDICTS"]

VERDICTS = ("thriving conversation", "brand-centric audience", "fragile", "dormant")


@dataclass(frozen=True)
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
        Member activity during host silences below this fraction of the rate outside them: the
        community depends on the host and is *fragile* (0.5: half of the conversation stops).
    fragile_answered_share : float
        Fewer threads than this answered by the end of observation: *fragile* (0.5).
    fragile_top1_share : float
        The top 1 % of members making more than this share of contributions: *fragile* (0.5:
        the community rests on a handful of people).
    silence_days : float
        A host silence is at least this many days without a host post or reply (14).
    """

    min_weekly_contributions: float = 3.0
    brand_m2m_max: float = 0.20
    fragile_silence_ratio: float = 0.5
    fragile_answered_share: float = 0.5
    fragile_top1_share: float = 0.5
    silence_days: float = 14.0


@dataclass
class HealthVerdict:
    """The verdict, the signals behind it, and the reasons in plain words."""

    label: str
    signals: pd.DataFrame
    reasons: list[str] = field(default_factory=list)
    thresholds: HealthThresholds = field(default_factory=HealthThresholds)

    def summary(self) -> str:
        return f"Verdict: {self.label}.\n" + "\n".join(f"- {r}" for r in self.reasons)

    def __str__(self) -> str:
        return self.summary()

    def _repr_markdown_(self) -> str:
        return f"**Verdict: {self.label}.**\n\n" + "\n".join(f"- {r}" for r in self.reasons)

    def to_dict(self) -> dict:
        return {"label": self.label, "reasons": self.reasons, "thresholds": asdict(self.thresholds),
                "signals": self.signals.replace({np.nan: None}).to_dict("records")}


def health_verdict(community: Community, thresholds: HealthThresholds | None = None) -> HealthVerdict:
    """Classify a community from its signals (rules checked in this order).

    1. *dormant*: member posts + replies per week (over the whole log) below
       ``min_weekly_contributions``;
    2. *brand-centric audience*: hosts are known and the member-to-member share of replies is below
       ``brand_m2m_max``;
    3. *fragile*: any of member activity during host silences below ``fragile_silence_ratio`` of
       the rate outside them, answered share below ``fragile_answered_share``, top-1 % share of
       contributions above ``fragile_top1_share``;
    4. otherwise *thriving conversation*.

    Use :meth:`Community.window` to judge a recent stretch only.

    Returns
    -------
    HealthVerdict
        ``signals`` has ``signal, value, ci_low, ci_high, threshold, flag``.
    """
    th = thresholds or HealthThresholds()
    t = community.events
    m = t.filter(~t.is_host & t.kind.isin(["post", "reply"]) & t.member_id.notnull())
    lo, hi = observation_window(community)
    n_member = int(community.execute(m.count()))
    weeks = max((hi - lo).total_seconds() / (7 * 86_400), 1.0) if pd.notna(lo) else 1.0
    weekly = n_member / weeks
    dm = reply_direction_matrix(community).set_index("direction")
    m2m = dm.loc["member->member", "share"]
    ttfr = time_to_first_reply(community).set_index("metric") if n_member else pd.DataFrame()
    answered = ttfr.loc["answered_share"] if "answered_share" in ttfr.index else None
    contrib = contributions_per_member(community)["contributions"].to_numpy()
    top1 = top_share(contrib[contrib > 0], 0.01) if (contrib > 0).any() else np.nan
    has_hosts = len(community.hosts) > 0
    sil = activity_during_silences(community, th.silence_days).iloc[0] if has_hosts else None

    rows = [
        ("member contributions per week", weekly, np.nan, np.nan, th.min_weekly_contributions, weekly < th.min_weekly_contributions),
        ("member-to-member share of replies", m2m, np.nan, np.nan, th.brand_m2m_max, bool(has_hosts and m2m < th.brand_m2m_max)),
    ]
    if answered is not None:
        rows.append(("share of threads answered", answered["estimate"], answered["ci_low"], answered["ci_high"], th.fragile_answered_share, answered["estimate"] < th.fragile_answered_share))
    rows.append(("top 1% share of contributions", top1, np.nan, np.nan, th.fragile_top1_share, bool(top1 > th.fragile_top1_share)))
    if sil is not None:
        ratio = sil["rate_ratio"]
        rows.append(("activity during host silences / outside", ratio, sil["ci_low"], sil["ci_high"], th.fragile_silence_ratio, bool(np.isfinite(ratio) and ratio < th.fragile_silence_ratio)))
    signals = pd.DataFrame(rows, columns=["signal", "value", "ci_low", "ci_high", "threshold", "flag"])
    flags = signals.set_index("signal")["flag"]

    reasons = [f"{weekly:.1f} member posts and replies a week over {weeks:.0f} weeks."]
    if flags["member contributions per week"]:
        label = "dormant"
        reasons.append(f"That is below {th.min_weekly_contributions:g} a week: there is too little activity to sustain a conversation.")
    elif flags["member-to-member share of replies"]:
        label = "brand-centric audience"
        reasons.append(f"Only {m2m:.0%} of replies go from one member to another (threshold {th.brand_m2m_max:.0%}): members talk to the host, hardly to each other.")
    else:
        fragile = signals[signals["flag"] & (signals["signal"] != "member contributions per week")]
        if len(fragile):
            label = "fragile"
            for _, r in fragile.iterrows():
                reasons.append(f"{r['signal']}: {r['value']:.2f} (threshold {r['threshold']:g}).")
        else:
            label = "thriving conversation"
            reasons.append(f"{m2m:.0%} of replies are member to member" + (f"; {answered['estimate']:.0%} of threads get an answer." if answered is not None else "."))
    if not has_hosts:
        reasons.append("No host is known for this community, so host dependence was not assessed.")
    return HealthVerdict(label, signals, reasons, th)
