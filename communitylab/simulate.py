"""Seeded synthetic communities whose truth is known, for tests, demos and benchmarks.

Scenarios (:data:`SCENARIOS`):

``living``
    Many-to-many conversation: members start most threads, other members answer quickly, the
    host is one voice among many. Built to be judged *thriving conversation*.
``brand_centric``
    An audience: the host starts most threads and answers members' questions; members reply to
    the host but almost never to each other, many join with one question and leave once answered.
    Built to be judged *brand-centric audience*.
``lapsing_host``
    The host posts in campaign bursts separated by long silences; members' activity depends on
    the host's presence and falls during silences. Built to be judged *fragile*.
``dormant``
    A few scattered posts, mostly unanswered. Built to be judged *dormant*.
``revitalized``
    A dormant group (about 300 members) revived by eight dated interventions; the
    activity rate steps up after the fourth (a manager) and again after the seventh (leading the
    conversation), when members take the conversation over. ``truth["milestones"]`` gives the
    dates. The verdict, which judges the present, is *thriving conversation*, as it is from the
    seventh milestone on; the months before the fourth milestone alone are *dormant*.

``common_shock`` (:func:`simulate_common_shock`)
    A panel for comparison designs: a treated community and eight comparison communities, all
    raised by a platform-wide change, the treated one also by an intervention two weeks later.
    ``sim:common_shock`` is the treated one, ``sim:common_shock:comparison=N`` the others.

Every function takes a ``seed`` and returns the same events for the same arguments.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from communitylab.errors import ParameterError

__all__ = ["SCENARIOS", "Simulated", "simulate", "simulate_large_log", "simulate_common_shock", "example_export",
           "REVITALIZATION_STEPS"]

REVITALIZATION_STEPS = (
    "rename the group",
    "clean up the membership",
    "establish rules of use",
    "appoint a community manager",
    "define a clear purpose",
    "targeted recruitment campaign",
    "lead the conversation",
    "member survey",
)


@dataclass
class Simulated:
    """A simulated community: events and members in the contract's shape, hosts, and the truth."""

    scenario: str
    events: pd.DataFrame
    members: pd.DataFrame
    hosts: frozenset[str]
    truth: dict[str, Any] = field(default_factory=dict)

    def community(self, **kwargs: Any):
        """Validate and register as a :class:`~communitylab.Community`."""
        from communitylab.community import Community

        kwargs.setdefault("name", self.scenario)
        kwargs.setdefault("source", f"simulate({self.scenario!r})")
        kwargs.setdefault("hosts", self.hosts)
        return Community.from_frames(self.events, self.members, **kwargs)

    def write_support_export(self, path: str | Path) -> Path:
        """Write the posts and replies as a customer-support export (the ``twcs`` format: hosts
        write the outbound tweets), the shape of file a user loads by its path.

        Examples
        --------
        >>> import tempfile, pathlib
        >>> out = simulate("brand_centric").write_support_export(pathlib.Path(tempfile.mkdtemp()) / "support.csv")
        >>> out.read_text().splitlines()[0]
        'tweet_id,author_id,inbound,created_at,text,in_response_to_tweet_id'
        """
        e = self.events[self.events["kind"].isin(["post", "reply"])]
        table = pd.DataFrame({
            "tweet_id": e["event_id"], "author_id": e["member_id"],
            "inbound": (~e["member_id"].isin(self.hosts)).map({True: "True", False: "False"}),
            "created_at": e["created_at"].dt.strftime("%a %b %d %H:%M:%S +0000 %Y"), "text": "",
            "in_response_to_tweet_id": e["parent_id"].fillna(""),
        })
        path = Path(path)
        part = path.with_name(f".{path.name}.{os.getpid()}.part")
        table.to_csv(part, index=False)
        os.replace(part, path)  # whole or not at all, even with two runs writing it at once
        return path


# per-scenario knobs: threads/day, share of threads by the host, replies/thread, P(reply author is
# host), P(member replies to another member), reply delay (hours), reactions per event,
# share of askers who leave after their first answer
_KNOBS: dict[str, dict[str, float]] = {
    "living": dict(threads=6.0, host_share=0.05, replies=3.0, host_reply=0.08, m2m=0.95, delay=3.0, react=0.8, leave=0.05),
    "brand_centric": dict(threads=6.0, host_share=0.55, replies=2.0, host_reply=0.92, m2m=0.04, delay=6.0, react=3.0, leave=0.6),
    "lapsing_host": dict(threads=4.0, host_share=0.35, replies=1.6, host_reply=0.45, m2m=0.45, delay=10.0, react=1.5, leave=0.25),
    "dormant": dict(threads=0.15, host_share=0.3, replies=0.3, host_reply=0.4, m2m=0.5, delay=72.0, react=0.3, leave=0.2),
    "revitalized": dict(threads=0.3, host_share=0.3, replies=0.5, host_reply=0.4, m2m=0.6, delay=48.0, react=0.5, leave=0.1),
}
SCENARIOS: tuple[str, ...] = tuple(_KNOBS)


def simulate(
    scenario: str,
    *,
    n_members: int = 300,
    n_hosts: int = 2,
    days: int = 365,
    start: str = "2024-01-01",
    seed: int = 0,
) -> Simulated:
    """Generate one scenario (see the module docstring).

    Parameters
    ----------
    scenario : {"living", "brand_centric", "lapsing_host", "dormant", "revitalized"}
    n_members : int
        Members (not counting hosts). Member activity follows a Zipf-like weight, so a few members
        do most of the talking, as in real communities.
    n_hosts : int
        Host (brand/staff) accounts, ids ``host1``...
    days : int
        Length of the observation window.
    seed : int
        Seed of the random generator.
    """
    if scenario not in _KNOBS:
        raise ParameterError(f"unknown scenario {scenario!r}; choose from {SCENARIOS}")
    rng = np.random.default_rng(seed)
    k = dict(_KNOBS[scenario])
    t0 = pd.Timestamp(start, tz="UTC")
    members = [f"m{i:04d}" for i in range(1, n_members + 1)]
    hosts = [f"host{i}" for i in range(1, n_hosts + 1)]
    weight = 1.0 / np.arange(1, n_members + 1) ** 0.9
    weight /= weight.sum()
    join_day = np.sort(rng.integers(-60, int(days * 0.8), size=n_members))
    joined = dict(zip(members, join_day))
    truth: dict[str, Any] = {"expected_verdict": _EXPECTED[scenario]}

    day_rate = np.full(days, k["threads"])
    host_on = np.ones(days, dtype=bool)
    if scenario == "lapsing_host":
        host_on = (np.arange(days) % 90) < 30  # 30-day campaign, 60-day silence
        day_rate = np.where(host_on, k["threads"], k["threads"] * 0.2)
        truth["host_silences"] = int((~host_on[1:] & host_on[:-1]).sum())
    milestones = None
    if scenario == "revitalized":
        step_days = np.array([120, 127, 134, 141, 150, 160, 170, 240])
        milestones = pd.DataFrame(
            {"date": t0 + pd.to_timedelta(step_days, unit="D"), "milestone": list(REVITALIZATION_STEPS)}
        )
        day_rate = np.where(np.arange(days) >= 141, 1.2, day_rate)
        day_rate = np.where(np.arange(days) >= 170, 3.0, day_rate)
        truth["milestones"] = milestones
        truth["rate_before"], truth["rate_after"] = 0.3, 3.0
        truth["expected_verdict_after_milestones"] = "thriving conversation"

    rows: list[tuple] = []
    eid = 0
    left: set[str] = set()

    def new_id(prefix: str) -> str:
        nonlocal eid
        eid += 1
        return f"{prefix}{eid}"

    for m in members:
        rows.append((new_id("j"), m, "join", t0 + pd.Timedelta(days=int(joined[m])), None, None))
    for d in range(days):
        active = [m for m in members if joined[m] <= d and m not in left]
        if not active:
            continue
        p = np.array([weight[int(m[1:]) - 1] for m in active])
        p /= p.sum()
        if scenario == "revitalized" and d == 170:  # "lead the conversation": members take over
            k.update({key: _KNOBS["living"][key] for key in ("replies", "host_reply", "m2m", "delay")})
            k["host_share"] = 0.2
        host_share = k["host_share"]
        for _ in range(rng.poisson(day_rate[d])):
            ts = t0 + pd.Timedelta(days=d, seconds=int(rng.integers(0, 86_400)))
            by_host = host_on[d] and rng.random() < host_share
            author = hosts[rng.integers(n_hosts)] if by_host else active[rng.choice(len(active), p=p)]
            root = new_id("e")
            rows.append((root, author, "post", ts, root, None))
            thread = [(root, author, ts)]
            n_rep = rng.poisson(k["replies"] * (1.0 if host_on[d] else 0.5))
            for _r in range(n_rep):
                parent_id, parent_author, parent_ts = thread[rng.integers(len(thread))] if len(thread) > 1 and rng.random() < 0.4 else thread[0]
                parent_is_host = parent_author in hosts
                if parent_is_host:
                    replier = active[rng.choice(len(active), p=p)]
                elif host_on[d] and rng.random() < k["host_reply"]:
                    replier = hosts[rng.integers(n_hosts)]
                elif rng.random() < k["m2m"]:
                    replier = active[rng.choice(len(active), p=p)]
                else:
                    continue
                if replier == parent_author:
                    continue
                rts = parent_ts + pd.Timedelta(hours=float(rng.exponential(k["delay"])))
                rid = new_id("e")
                rows.append((rid, replier, "reply", rts, root, parent_id))
                thread.append((rid, replier, rts))
            for target_id, _a, target_ts in thread:
                for _x in range(rng.poisson(k["react"])):
                    reactor = active[rng.integers(len(active))]
                    rows.append((new_id("e"), reactor, "reaction", target_ts + pd.Timedelta(hours=float(rng.exponential(12))), root, target_id))
            if (not by_host) and len(thread) > 1 and rng.random() < k["leave"] and author in members:
                left.add(author)
                rows.append((new_id("l"), author, "leave", thread[-1][2] + pd.Timedelta(hours=1), None, None))

    events = pd.DataFrame(rows, columns=["event_id", "member_id", "kind", "created_at", "thread_id", "parent_id"])
    end = t0 + pd.Timedelta(days=days)
    # a member who left does nothing afterwards (reactions and replies are drawn with delays)
    left_at = events[events["kind"] == "leave"].groupby("member_id")["created_at"].min()
    leave_time = (
        events["member_id"].map(left_at)
        if len(left_at)
        else pd.Series(pd.NaT, index=events.index, dtype=events["created_at"].dtype)
    )
    after_leave = (events["created_at"] > leave_time).fillna(False).astype(bool)
    events = events[(events["created_at"] < end) & ~after_leave]
    # replies and reactions whose parent was dropped go too (their parent never happened)
    for _ in range(3):
        known = events["parent_id"].isna() | events["parent_id"].isin(events["event_id"])
        events = events[known]
    events = events.reset_index(drop=True)
    events["channel"] = "forum"
    member_df = pd.DataFrame(
        {
            "member_id": members + hosts,
            "joined_at": [t0 + pd.Timedelta(days=int(joined[m])) for m in members] + [t0 - pd.Timedelta(days=90)] * n_hosts,
            "is_host": [False] * n_members + [True] * n_hosts,
            "segment": list(rng.choice(["customer", "partner", "prospect"], size=n_members, p=[0.6, 0.15, 0.25])) + ["staff"] * n_hosts,
            "acquisition_channel": list(rng.choice(["organic", "campaign", "referral"], size=n_members, p=[0.5, 0.3, 0.2])) + ["staff"] * n_hosts,
        }
    )
    truth["observation_end"] = end
    return Simulated(scenario, events, member_df, frozenset(hosts), truth)


_EXPECTED = {
    "living": "thriving conversation",
    "brand_centric": "brand-centric audience",
    "lapsing_host": "fragile",
    "dormant": "dormant",
    "revitalized": "thriving conversation",  # the present (the verdict's trend and host model judge now); before the 4th milestone: dormant
}


def simulate_large_log(
    n_events: int,
    *,
    n_members: int | None = None,
    n_hosts: int = 5,
    days: int = 730,
    start: str = "2024-01-01",
    seed: int = 0,
    id_offset: int = 0,
) -> pd.DataFrame:
    """A large, vectorized event log for benchmarks (no Python loop over events).

    Threads start with posts (20 % of events), replies (45 %) and reactions (35 %) point to the
    post of the current thread or, half the time, of an older one. Authors follow a Zipf-like weight; hosts
    are ``host0``... and write about 10 % of events. Timestamps are uniform over ``days`` from ``start`` (UTC).
    ``id_offset`` numbers events from that value, so chunks generated with different seeds and
    offsets can be written to one store (threads stay inside a chunk).
    """
    rng = np.random.default_rng(seed)
    n_members = n_members or max(100, n_events // 50)
    kind_code = rng.choice(3, size=n_events, p=[0.20, 0.45, 0.35])
    kind_code[0] = 0
    ts = np.sort(rng.integers(0, days * 86_400, size=n_events))
    is_post = kind_code == 0
    post_idx = np.flatnonzero(is_post)
    last_post = np.maximum.accumulate(np.where(is_post, np.arange(n_events), 0))
    # replies: to the thread root or to the previous event of any kind, inside the thread
    thread_root = last_post.copy()
    # let a share of replies and reactions go to an older thread
    older = (~is_post) & (rng.random(n_events) < 0.5)
    pick = rng.integers(0, np.searchsorted(post_idx, np.arange(n_events), side="right").clip(min=1))
    thread_root[older] = post_idx[pick[older]]
    parent = thread_root
    ranks = np.arange(1, n_members + 1)
    w = 1.0 / ranks**0.9
    author = rng.choice(n_members, size=n_events, p=w / w.sum())
    host = rng.random(n_events) < 0.10
    member_ids = np.char.add("m", author.astype(str))
    host_ids = np.char.add("host", rng.integers(0, n_hosts, size=n_events).astype(str))
    member = np.where(host, host_ids, member_ids)
    ids = np.char.add("e", np.arange(id_offset, id_offset + n_events).astype(str))
    kinds = np.array(["post", "reply", "reaction"])[kind_code]
    return pd.DataFrame(
        {
            "event_id": ids,
            "member_id": member,
            "kind": kinds,
            "created_at": pd.Timestamp(start, tz="UTC") + pd.to_timedelta(ts, unit="s"),
            "thread_id": ids[thread_root],
            "parent_id": np.where(is_post, None, ids[parent]),
            "to_member_id": np.where(is_post, None, member[parent]),
        }
    )


def example_export(scenario: str = "brand_centric", *, seed: int = 0) -> Path:
    """A simulated community written as a customer-support export file in the temporary folder,
    for examples that load an export by its path without any download.

    Examples
    --------
    >>> example_export().name
    'support-brand_centric-0.csv'
    """
    import tempfile

    folder = Path(tempfile.gettempdir()) / "communitylab-examples"
    folder.mkdir(exist_ok=True)
    return simulate(scenario, seed=seed).write_support_export(folder / f"support-{scenario}-{seed}.csv")


#: The common-shock panel: a treated community and its comparison communities (see :func:`simulate_common_shock`)
SHOCK_WEEKS, SHOCK_WEEK, INTERVENTION_WEEK = 104, 60, 62
SHOCK, EFFECT, N_COMPARISON = 1.4, 1.25, 8


def simulate_common_shock(role: str = "treated", *, index: int = 1, seed: int = 0, start: str = "2024-01-01") -> Simulated:
    """One community of a panel that a common shock hits, the treated one of which also gets an
    intervention: the case a before/after model alone gets wrong.

    Every community's member-to-member replies per week follow its own level and a slow drift;
    in week ``SHOCK_WEEK`` a platform-wide change raises them all by ``SHOCK`` (×1.4); two weeks
    later the treated community starts an onboarding programme that raises its own by ``EFFECT``
    (×1.25). A before/after model of the treated community alone credits the programme with both
    (about ×1.75); a comparison with the ``N_COMPARISON`` untreated communities recovers ×1.25.

    Parameters
    ----------
    role : {"treated", "comparison"}
    index : int
        Which comparison community (1 to ``N_COMPARISON``); ignored for the treated one.
    seed : int
        Seed of the panel: every community of a seed shares the shock and differs in level.

    Examples
    --------
    >>> sim = simulate_common_shock()
    >>> sim.truth["effect"], sim.truth["comparisons"][0]
    (1.25, 'sim:common_shock:comparison=1')
    """
    if role not in ("treated", "comparison") or (role == "comparison" and not 1 <= index <= N_COMPARISON):
        raise ParameterError(f"role must be 'treated' or 'comparison' with index 1 to {N_COMPARISON}; got {role!r}, {index}")
    which = 0 if role == "treated" else index
    rng = np.random.default_rng([seed, which])
    level = 40.0 if role == "treated" else float(np.exp(rng.uniform(np.log(15), np.log(90))))
    drift = rng.normal(0, 0.002)
    weeks = np.arange(SHOCK_WEEKS)
    rate = level * np.exp(drift * weeks) * np.where(weeks >= SHOCK_WEEK, SHOCK, 1.0)
    if role == "treated":
        rate = rate * np.where(weeks >= INTERVENTION_WEEK, EFFECT, 1.0)
    counts = rng.poisson(rate)
    t0 = pd.Timestamp(start, tz="UTC")
    members = [f"m{i}" for i in range(120)]
    weight = 1.0 / np.arange(1, len(members) + 1) ** 0.8
    weight /= weight.sum()
    rows = []
    for w, n in zip(weeks, counts, strict=True):
        offsets = np.sort(rng.uniform(0, 7 * 86_400 - 7200, size=n))
        askers = rng.choice(len(members), size=n, p=weight)
        repliers = (askers + 1 + rng.choice(len(members) - 1, size=n)) % len(members)
        for j, (off, a, r) in enumerate(zip(offsets, askers, repliers, strict=True)):
            at = t0 + pd.Timedelta(weeks=int(w), seconds=float(off))
            post, reply = f"p{w}-{j}", f"r{w}-{j}"
            rows.append((post, members[a], "post", at, post, None))
            rows.append((reply, members[r], "reply", at + pd.Timedelta(hours=1), post, post))
        if w % 2 == 0:  # the host's fortnightly announcement
            ann = f"h{w}"
            rows.append((ann, "host1", "post", t0 + pd.Timedelta(weeks=int(w), hours=10), ann, None))
    events = pd.DataFrame(rows, columns=["event_id", "member_id", "kind", "created_at", "thread_id", "parent_id"])
    events["channel"] = "forum"
    member_df = pd.DataFrame({"member_id": [*members, "host1"], "is_host": [False] * len(members) + [True]})
    name = "common_shock" if role == "treated" else f"comparison_{index}"
    truth: dict[str, Any] = {
        "effect": EFFECT, "shock": SHOCK, "shock_date": t0 + pd.Timedelta(weeks=SHOCK_WEEK),
        "observation_end": t0 + pd.Timedelta(weeks=SHOCK_WEEKS),
        "comparisons": [f"sim:common_shock:comparison={i}" for i in range(1, N_COMPARISON + 1)],
    }
    if role == "treated":
        truth["milestones"] = pd.DataFrame({"date": [t0 + pd.Timedelta(weeks=INTERVENTION_WEEK)],
                                            "milestone": ["onboarding programme"]})
    return Simulated(name, events, member_df, frozenset({"host1"}), truth)
