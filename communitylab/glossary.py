"""One meaning per word: the terms the reports use, each defined once, shown at a report's end.

Each study ends with :func:`communitylab.report.glossary` of the terms it uses; a word a report
uses for two things would need two entries here, which is how the kit keeps it from happening.

Examples
--------
>>> from communitylab.glossary import GLOSSARY, glossary_markdown
>>> print(glossary_markdown(["reciprocity"]).splitlines()[2][:60])
- **Reciprocity**: the share of pairs of members where one r
"""

from __future__ import annotations

from collections.abc import Iterable

__all__ = ["GLOSSARY", "glossary_markdown"]

#: term -> its one meaning in every report of the kit.
GLOSSARY: dict[str, str] = {
    "host": "an account of the brand, company or staff that runs the community (given as `hosts`, or found by the platform's rule).",
    "member": "anyone who takes part and is not a host.",
    "thread": "a post and the replies under it.",
    "active member": "a member with at least one post, reply or reaction in the period.",
    "new, returning, resurrected": "an active member in their first period; active in the period before too; active again after "
                                   "at least one period away.",
    "lapsed": "a member active in the period before and not in this one.",
    "member-to-member share": "the share of replies with a known addressee that a member writes to another member (not to or "
                              "from a host). Without a known host it does not apply.",
    "reciprocity": "the share of pairs of members where one replied to the other and the other replied back; a member replying "
                   "to themself is left out.",
    "repeated ties": "pairs of members who exchange more than one reply.",
    "answered share": "the share of threads that got a first reply from someone other than their author by the end of the data.",
    "time to first reply": "from a thread's start to its first reply by someone else; threads still waiting when the data ends "
                           "count as waiting at least that long (censored, Kaplan-Meier), not as never answered.",
    "lurker": "a member who never posts or replies in the data (reactions only).",
    "quiet, occasional, regular, core": "a member's level in a period, from the weight of what they did in it (a post 3, a "
                                        "reply 2, a reaction 0.5): below 2 (quiet: at most a few reactions, or nothing), from 2, "
                                        "from 6, from 20.",
    "top 1% share": "the share of all posts and replies written by the 1% of members who write the most.",
    "Gini": "how unevenly contributions are spread over members: 0 when all write the same, near 1 when one writes everything.",
    "rate ratio": "a count in the recent period divided by the count in the period before of the same length (1: no change; "
                  "0.5: halved).",
    "95% interval": "the range of values compatible with the data: a figure computed again on a new sample of the same kind "
                    "would fall in such a range 95 times in 100.",
    "n": "how many cases a figure is computed from (replies, pairs, threads, members, weeks).",
    "too little data": "a figure computed from fewer cases than the study's minimum (`min_signal_n`): it is not shown as a "
                       "number and does not count towards the verdict.",
    "verdict": "one of: thriving conversation (members talk to each other), brand-centric audience (members talk to the host), "
               "transient crowd (replies are rarely answered back), declining (fewer active members and member-to-member "
               "replies than the weeks before), fragile (at risk: few answers, a handful of members, or dependence on the host), "
               "dormant (too little activity to carry a conversation, over the period judged or in its last weeks), cannot judge, too little data to judge.",
    "level": "how many units of the outcome per period the series is at just after an intervention, against what the trend "
             "before predicts.",
    "difference in differences": "the treated community's change from before to after the start, beyond the change the "
                                 "comparison communities (no intervention) went through over the same periods.",
    "synthetic control": "a weighted mix of comparison communities that tracks the treated one before the start; after it, "
                         "the gap between the two is the estimate. Each comparison community treated in turn (a placebo) shows "
                         "how large a gap chance alone gives.",
    "placebo date": "a date with no intervention, tested like a real one: an effect there as large as the real one means the "
                    "real one may be chance or trend.",
    "survivors": "members of one starting group still active at the start of each later period.",
    "retention": "the share of members still active from one period to the next.",
    "value per member": "the discounted margin a member brings over the horizon, in money.",
    "top-two-box": "the share of respondents who chose one of the two most favourable answers of a scale.",
    "margin of error": "half the width of a 95% interval of a share, if respondents were a random sample.",
}


def glossary_markdown(terms: Iterable[str]) -> str:
    """A report's "Glossary" section for ``terms`` (each must be in :data:`GLOSSARY`), in their order.

    Raises
    ------
    KeyError
        A term the glossary does not define.
    """
    lines = ["## Glossary", ""]
    for term in terms:
        lines.append(f"- **{term[:1].upper() + term[1:]}**: {GLOSSARY[term]}")
    return "\n".join(lines)
