"""The health study's answer in a client's words, and actions drawn from the evidence.

:func:`answer` turns a verdict into one sentence that answers "is this community alive?".
:func:`actions` picks three to five actions from :data:`RULES`, a table of *signal → action →
why*: each rule names the signal (by its stable id, :data:`~communitylab.engagement.health.SIGNAL_COLUMNS`)
and when it calls for the action (the signal flagged by its threshold, or standing well). A rule
whose signal has too little data never fires. Nothing here is free text in a notebook: the
rules are this table, tested in ``tests/test_advice.py``.

Examples
--------
>>> from communitylab.simulate import simulate
>>> from communitylab.engagement import health_verdict
>>> from communitylab.engagement.advice import actions, answer
>>> v = health_verdict(simulate("brand_centric", seed=0).community())
>>> answer(v, "Acme")
'Acme is an audience that talks to the host, not a community whose members talk to each other.'
>>> [a["signal"] for a in actions(v)][:2]
['member_to_member_share', 'answered_share']
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd

from communitylab.tables import as_number, as_percent

__all__ = ["ANSWERS", "Rule", "RULES", "answer", "actions"]

#: One sentence per verdict, in the words a client uses ({name}: the community).
ANSWERS: dict[str, str] = {
    "thriving conversation": "{name} is alive: its members talk to each other.",
    "brand-centric audience": "{name} is an audience that talks to the host, not a community whose members talk to each other.",
    "transient crowd": "{name} is a crowd passing through: members reply once and are rarely answered back.",
    "declining": "{name} is declining: fewer members take part, and they answer each other less, than in the weeks before.",
    "fragile": "{name} is alive but at risk: its conversation rests on too few people or on the host.",
    "dormant": "{name} is dormant: too little happens to carry a conversation.",
    "cannot judge": "{name} cannot be judged from this export: who answers whom is missing from it.",
    "too little data to judge": "There is too little data to judge {name} yet.",
}


@dataclass(frozen=True)
class Rule:
    """One row of the advice table.

    Attributes
    ----------
    signal : str
        The signal's stable id.
    when : {"flagged", "strong", "always"}
        ``flagged``: the signal crosses its threshold (the verdict's flag); ``strong``: it is at
        ``strong_at`` or better (a strength to keep; for a trend, its interval lies above 1);
        ``always``: whenever the signal has enough data (a last resort, to reach three actions).
    action, because : str
        What to do, and why, in words; ``because`` may use ``{value}``, ``{threshold}``, ``{n}``
        (formatted as the signal is: a share as a percentage) and ``{weeks}`` (the trend's span).
    strong_at : float, optional
        For ``strong``: the level from which the signal is a strength (at or above it; at or
        below it for ``top1_share``, where less is better).
    percent : bool
        Show a ratio as a percentage (``host_silence_ratio``: "members post 34% of ...").
    unless : str, optional
        A signal id: the rule is skipped when that signal is computed (status ok), because a rule on
        it says the same better (the weekly activity of the last weeks rather than of the whole period).
    """

    signal: str
    when: str
    action: str
    because: str
    strong_at: float | None = None
    percent: bool = False
    unless: str | None = None


#: The advice table, in order of priority: the first rules that fire are the ones shown.
RULES: tuple[Rule, ...] = (
    Rule("linked_share", "flagged", "Fix the export before judging: map each reply to the message it answers.",
         "Only {value} of {n} replies have a known addressee, so who answers whom cannot be read."),
    Rule("member_contributions_per_week", "flagged", "Decide whether to revive or retire the space: one clear reason to come back "
         "(a weekly question, an event) or an archive that says where the conversation moved.",
         "Members write {value} posts and replies a week (threshold {threshold}): too few to carry a conversation."),
    Rule("recent_contributions_per_week", "flagged", "Decide whether to revive or retire the space: one clear reason to come "
         "back (a weekly question, an event) or an archive that says where the conversation moved.",
         "In the last {weeks} weeks members wrote {value} posts and replies a week (threshold {threshold}, {n} in all): the "
         "conversation has gone quiet."),
    Rule("member_to_member_share", "flagged", "Hand questions back to members: wait before the host answers, invite a member to "
         "answer first, and thank those who do.",
         "Members answer each other in {value} of {n} replies (threshold {threshold}): the host answers nearly everything, so members "
         "have no reason to."),
    Rule("reciprocity", "flagged", "Give members reasons to come back to a thread: reply notifications, follow-up questions, "
         "recurring threads.", "Only {value} of the member pairs who exchange replies answer each other in both directions "
         "(threshold {threshold}, {n} pairs)."),
    Rule("repeated_ties", "flagged", "Introduce members to each other: welcome threads, small groups, people with the same "
         "question matched.", "Only {value} of {n} pairs of members exchange more than once: ties do not last."),
    Rule("trend_active_members", "flagged", "Ask members who went quiet why, and re-invite them with something new to answer.",
         "Active members fell: the rate ratio of the last {weeks} weeks to the {weeks} before is {value} (interval below 1, "
         "{n} member-periods)."),
    Rule("trend_member_to_member_replies", "flagged", "Revive member-to-member conversation: seed questions only members can "
         "answer, and feature the best answers.", "Member-to-member replies fell: rate ratio {value} of the last {weeks} weeks to "
         "the {weeks} before (interval below 1, {n} replies)."),
    Rule("answered_share", "flagged", "Make sure every question gets a first answer: a rota of hosts or volunteers who look at "
         "unanswered threads daily.", "Only {value} of {n} threads get an answer (threshold {threshold})."),
    Rule("top1_share", "flagged", "Spread the load: recruit and recognise a second circle of regular contributors before the "
         "few who carry it tire.", "The top 1% of members make {value} of all contributions (threshold {threshold}, {n} members)."),
    Rule("host_silence_ratio", "flagged", "Build member leadership before the host steps back: name moderators or champions, and "
         "let them run threads.", "When the host is silent, members post {value} of what their own momentum predicts "
         "(threshold {threshold}): they depend on the host.", percent=True),
    Rule("member_to_member_share", "strong", "Recognise the members who answer others (badges, a monthly thank-you): they are "
         "the community.", "Members answer each other in {value} of {n} replies.", strong_at=0.5),
    Rule("answered_share", "strong", "Keep the first answer fast: watch the share of unanswered threads each month.",
         "{value} of {n} threads get an answer.", strong_at=0.8),
    Rule("reciprocity", "strong", "Keep threads open for back-and-forth: reply notifications on, threads not closed early.",
         "{value} of the member pairs who exchange replies answer each other in both directions ({n} pairs).", strong_at=0.2),
    Rule("trend_active_members", "strong", "Keep doing what brought members in lately, and welcome newcomers by name.",
         "Active members grew: rate ratio {value} of the last {weeks} weeks to the {weeks} before ({n} member-periods)."),
    Rule("top1_share", "strong", "Keep contribution spread: invite newcomers to answer, not only to ask.",
         "The top 1% of members make {value} of contributions: the conversation does not rest on a few.", strong_at=0.2),
    Rule("host_silence_ratio", "strong", "Let members lead more: they carry the conversation when the host is away.",
         "When the host is silent, members post {value} of what their own momentum predicts.", strong_at=1.0, percent=True),
    Rule("recent_contributions_per_week", "always", "Run this study every month and watch the trend of active members and of "
         "member-to-member replies: they turn before the totals do.", "Members wrote {value} posts and replies a week in the "
         "last {weeks} weeks."),
    Rule("member_contributions_per_week", "always", "Run this study every month and watch the trend of active members and of "
         "member-to-member replies: they turn before the totals do.", "Members write {value} posts and replies a week.",
         unless="recent_contributions_per_week"),
    Rule("answered_share", "always", "Look at the unanswered threads each month: they are where newcomers give up.",
         "{value} of {n} threads get an answer."),
    Rule("trend_active_members", "always", "Ask the members still here what would bring them back more often (a two-question "
         "survey; the member_survey study analyses it).", "Active members changed by a rate ratio of {value} from the {weeks} "
         "weeks before to the last {weeks} ({n} member-periods): the survey says why."),
)


def _shown(value: Any, share: bool) -> str:
    return as_percent(value) if share else as_number(value)


def _fires(rule: Rule, row: pd.Series) -> bool:
    if row["status"] != "ok" or pd.isna(row["value"]):
        return False
    if rule.when == "flagged":
        return bool(row["flag"])
    if rule.when == "always" or row["flag"]:
        return rule.when == "always"
    if rule.signal.startswith("trend_"):
        return pd.notna(row["ci_low"]) and float(row["ci_low"]) > 1
    value = float(row["value"])
    return value <= rule.strong_at if rule.signal == "top1_share" else value >= rule.strong_at


def actions(verdict, *, limit: int = 5, minimum: int = 3) -> list[dict[str, str]]:
    """Three to five actions, each with the signal that calls for it and why.

    Flagged signals come first, in the order of :data:`RULES`; strengths to keep fill the list up
    to ``minimum``. A verdict on too little data gets the one action that helps: more data.

    Returns
    -------
    list of dict
        ``{"action", "because", "signal"}`` (``signal``: the signal's id).
    """
    s = verdict.signals
    if verdict.label == "too little data to judge":
        th = verdict.thresholds
        rows = s.set_index("id")
        units, members = int(rows.loc["threads", "value"]), int(rows.loc["contributing_members", "value"])
        return [{"action": "Load a longer period or the whole export, then run the study again.",
                 "because": f"The period judged holds {units:,} conversation(s) and {members:,} contributing member(s); a verdict "
                            f"needs at least {th.min_threads:,} and {th.min_members:,}.", "signal": "threads"}]
    if verdict.label == "cannot judge" and s["n"].fillna(0).eq(0).all():  # no reply at all: nothing to link
        return [{"action": "Load an export that includes the replies (comments, answers), then run the study again.",
                 "because": "This export holds posts but no replies, so who answers whom cannot be read.", "signal": "linked_share"}]
    by_id = {r["id"]: r for _, r in s.iterrows()}
    weeks = f"{verdict.thresholds.trajectory_weeks:g}"
    out: list[dict[str, str]] = []
    for pass_ in ("flagged", "strong", "always"):
        for rule in RULES:
            if (rule.when != pass_ or rule.signal not in by_id
                    or any(a["signal"] == rule.signal or a["action"] == rule.action for a in out)
                    or (rule.unless in by_id and by_id[rule.unless]["status"] == "ok")):
                continue
            if (pass_ != "flagged" and len(out) >= minimum) or len(out) >= limit:
                break
            row = by_id[rule.signal]
            if _fires(rule, row):
                share = bool(row["share"]) or rule.percent
                because = rule.because.format(value=_shown(row["value"], share), threshold=_shown(row["threshold"], share),
                                              n=f"{int(row['n']):,}", weeks=weeks)
                out.append({"action": rule.action, "because": because, "signal": rule.signal})
    return out


def answer(verdict, name: str) -> str:
    """The one sentence that answers "is this community alive?" for this verdict."""
    return ANSWERS[verdict.label].format(name=name)
