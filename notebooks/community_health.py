# ---
# jupyter:
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% tags=["remove_cell"]
# %matplotlib inline
import matplotlib.pyplot as plt
from IPython.display import Markdown, display

from communitylab import report

report.setup()

# %% tags=["parameters"]
source: str = "sim:brand_centric"  # "sim:<scenario>", a registered data set (once fetched: communitylab datasets), or a path to your export or community.yml
format: str = ""  # export format: slack, discord, discourse, mbox, github, reddit, facebook, twitter, twcs, events, ...; empty: sniffed
columns: dict = {}  # for format "events": {contract column: your column}, e.g. {"member_id": "author"}
kinds: dict = {}  # for format "events": {your value: post, reply, reaction, join or leave}
hosts: list = []  # host (brand/staff) member ids; empty: the platform's rule (admins, staff, brands, ...)
community_name: str = ""  # name shown in the report; empty: the source
start: str = ""  # judge events from this date (UTC, e.g. "2024-01-01"); empty: the start of the active period
end: str = ""  # ...until this date (exclusive); empty: the end of the data
period: str = ""  # activity period: day, week or month; empty: weeks under three months of activity, months otherwise
compare_sources: list = []  # communities to show side by side (any source); empty: only this community's own channels
min_weekly_contributions: float = 3.0  # below: dormant
brand_m2m_max: float = 0.2  # member-to-member share of replies below this: brand-centric audience
fragile_silence_ratio: float = 0.5  # activity during host silences / outside below this: fragile
fragile_answered_share: float = 0.5  # share of threads answered below this: fragile
fragile_top1_share: float = 0.5  # top 1% of members making more than this share: fragile
silence_days: float = 14.0  # a host silence lasts at least this many days
crowd_reciprocity_max: float = 0.05  # reciprocity below this, with repeated ties below the next: a transient crowd
crowd_repeat_max: float = 0.05  # share of pairs that exchange more than once (its interval) below this: a transient crowd
trajectory_weeks: float = 13.0  # the recent period judged against the same length before it
min_linked_share: float = 0.5  # below this share of replies with a known addressee: cannot judge
min_signal_n: int = 20  # a share or trend from fewer cases reads "too little data" and does not vote
min_threads: int = 10  # fewer threads (or messages, in a reply network) in the period judged: too little data to judge
min_members: int = 10  # fewer contributing members in the period judged: too little data to judge
n_boot: int = 1000  # bootstrap replicates for intervals
seed: int = 0  # seed of every random draw
show_personal_data: bool = False  # True shows real member ids in tables (never in shared reports)

# %%
from communitylab import datasets, engagement as eng, plots, summary, tables
from communitylab.engagement import advice
community = datasets.load_community(source, hosts=hosts or None, name=community_name or None, format=format or None,
                                    columns=columns or None, kinds=kinds or None, start=start or None, end=end or None)
thresholds = eng.HealthThresholds(
    min_weekly_contributions=min_weekly_contributions, brand_m2m_max=brand_m2m_max, fragile_silence_ratio=fragile_silence_ratio,
    fragile_answered_share=fragile_answered_share, fragile_top1_share=fragile_top1_share, silence_days=silence_days,
    crowd_reciprocity_max=crowd_reciprocity_max, crowd_repeat_max=crowd_repeat_max, trajectory_weeks=trajectory_weeks,
    min_linked_share=min_linked_share, min_signal_n=min_signal_n, min_threads=min_threads, min_members=min_members)
verdict = eng.health_verdict(community, thresholds)
period = period or eng.suitable_period(community)
display(Markdown("# Is this community alive?\n\n" + report.run_header(
    "Community health", {"source": report.source_label(source, show_personal_data), "format": community.format or "built in",
                         "window judged": verdict.window, "period": period, "hosts": len(community.hosts)},
    {community.name: community})))

# %%
answer, todo = advice.answer(verdict, community.name), advice.actions(verdict)
forecast, peers = eng.dormancy_forecast(community), eng.peer_percentiles(community, verdict)
figures = verdict.key_figures() + [f for f in [forecast.key_figure()] if f]
report.executive_summary(f"**{report.text(answer)}** (verdict: *{verdict.label}*)", figures, actions=todo,
                         why=verdict.reasons, outlook=[forecast.sentence(), eng.peer_sentence(peers)])
summary.record(community=community.name, answer=answer, actions=todo, verdict=verdict.label, reasons=verdict.reasons,
               window=verdict.window, signals=verdict.signals, trajectory=verdict.trajectory, rows_loaded=community.report.rows_loaded,
               forecast=forecast.to_dict(), peers=peers)

# %% [markdown]
# ## The signals behind the verdict
#
# Each signal with its 95% interval where it has one, the threshold it is judged against (a parameter of this study) and the n it is computed from. A verdict summarizes these signals; it does not replace them.

# %%
display(tables.table(verdict.signal_table()))

# %% [markdown]
# ## Where it is heading
#
# The last weeks of the active period against the same number of weeks before them: rate ratios with exact 95% intervals. *Declining* means the interval lies below 1.

# %%
if len(verdict.trajectory):
    display(tables.table(verdict.trajectory))
else:
    display(Markdown("_Not assessed: there is too little data to judge this community (see the summary)._"))

# %% [markdown]
# ## Among real communities
#
# The same signals for up to 35 real, public communities (mailing lists, Q&A sites, a chat channel, interaction networks), each the median over its life, cut every six months: where this community stands among them, and among those of its kind. A percentile is not a grade: communities of different kinds differ for good reasons. How the peers were chosen and cut, and how the forecast was checked on them: `data/peers/README.md` in communitylab.

# %%
if len(peers):
    plots.plot_peer_percentiles(peers)
    report.show_figure(f"{eng.peer_sentence(peers)} Shaded: the middle half of the peers; hollow: among peers of its kind "
                       f"({eng.kind_of(community)}), where there are any.")
    display(tables.table(peers[["signal", "shown", "percentile_all", "n_all", "percentile_kind", "n_kind"]]))
else:
    display(Markdown("_No signal of this community can be set beside the peer communities._"))

# %% [markdown]
# ## Activity over time

# %%
activity = eng.activity_by_period(community, period, active_period_only=True)
plots.plot_activity(activity, title=f"Active members per {period}")
report.show_figure(plots.activity_caption(activity, period))
display(tables.table(activity.tail(6), title=f"The last six {period}s"))

# %% [markdown]
# ## Who talks to whom
#
# A reply's direction is read from the author of what it replies to. Replies to parents outside the data, with no addressee, are counted as unknown.

# %%
directions = eng.reply_direction_matrix(community)
plots.plot_direction_matrix(directions)
report.show_figure("Share of replies (with a known addressee) by who replies to whom: members and hosts.")
structure = eng.conversation_structure(community)
display(tables.table(structure, title="Conversation structure, with and without the host"))
summary.record(directions=directions, structure=structure)

# %%
edges = eng.reply_edges(community, top=400)
if community.hosts:  # one layout for both panels: each member stays in its place when the host is taken out
    member_edges = eng.reply_edges(community, without_hosts=True, top=400)
    layout = plots.network_layout(edges, member_edges, seed=seed)
    fig, axes = plt.subplots(1, 2, figsize=(10, 5), layout="constrained")
    plots.plot_reply_network(edges, ax=axes[0], positions=layout, title="With the host")
    plots.plot_reply_network(member_edges, ax=axes[1], positions=layout, title="Without the host")
    report.show_figure("The reply network: members (blue) and the host's accounts (orange) linked by who replies to whom. "
                       "Right: what remains when the host's accounts and their replies are taken out (same layout).")
else:
    plots.plot_reply_network(edges, seed=seed, title="Who replies to whom")
    report.show_figure("The reply network: members linked by who replies to whom. No host is known for this community, "
                       "so there is no view without the host.")

# %% [markdown]
# ## Conversation or passive reactions?

# %%
display(tables.table(eng.engagement_mix(community)))

# %% [markdown]
# ## Participation inequality
#
# Hosts excluded. Intervals resample members (seeded bootstrap).

# %%
inequality = eng.participation_inequality(community, n_boot=n_boot, seed=seed)
display(tables.table(inequality))
counts = eng.contribution_counts(community)
plots.plot_lorenz(eng.lorenz_curve(counts), gini=eng.gini(counts))
report.show_figure("Lorenz curve of contributions per member: the further below the diagonal, the more a few members "
                   f"carry the community ({len(counts):,} members).")
summary.record(inequality=inequality)

# %% [markdown]
# ## How fast do members get an answer?
#
# First reply by someone other than the thread's author; threads still unanswered when the data ends are censored (Kaplan–Meier), not dropped.

# %%
responsiveness = eng.time_to_first_reply(community)
if len(responsiveness):
    display(tables.table(responsiveness))
    plots.plot_reply_survival(eng.reply_survival_curve(community))
    report.show_figure("Share of threads still waiting for a first reply by hours since they were opened "
                       f"(Kaplan–Meier, 95% band; {int(responsiveness['n'].iloc[0]):,} threads).")
else:
    display(Markdown("_This source has no threads (an edge list): time to first reply does not apply._"))
summary.record(responsiveness=responsiveness)

# %% [markdown]
# ## The host's cadence

# %%
if community.hosts:
    display(tables.table(eng.host_regularity(community), title="Weekly host activity"))
    display(tables.table(eng.activity_during_silences(community, silence_days),
                         title=f"Member activity during host silences of {silence_days:g} days or more"))
else:
    display(Markdown("_No host is known for this community: cadence does not apply._"))

# %% [markdown]
# ## Join, ask, leave?
#
# Members whose first contribution is a question: do they leave once answered? Askers answered too close to the end of the data are excluded and counted. Wilson 95% intervals.

# %%
jal = eng.join_ask_leave(community)
report.table_or_reason(jal, eng.join_ask_leave_gap(jal))
retention = eng.newcomer_retention(community)
report.table_or_reason(retention, eng.newcomer_retention_gap(retention, min_signal_n),
                       lead="Does a reply to a newcomer's first post bring them back (within 90 days)? "
                            "Observational: an association, not an effect.")
summary.record(join_ask_leave=jal, newcomer_retention=retention)

# %% [markdown]
# ## Engagement levels and how members move between them

# %%
level_counts, level_moves = eng.level_summary(community, period, last=6)
display(tables.table(level_counts, title=f"Members at each level, the last six {period}s"))
display(tables.table(level_moves, title="From one period's level (rows) to the next (columns)"))

# %% [markdown]
# ## Where does the conversation really happen?
#
# The same measures for this community, each of its channels (or sources, for a community.yml), and the communities named in `compare_sources`; a measure that does not apply to one of them is shown as "–", and nothing is ranked: communities of different kinds are not better or worse on one number.

# %%
panel = eng.comparison_panel(community, {name: datasets.load_community(name) for name in compare_sources})
if len(panel) > 1:
    comparison = eng.compare_communities(panel, rank_by=None)
    display(tables.table(comparison, note="–: does not apply (a reply network has no threads to answer; where no host is known, "
                                          "every reply is member to member by construction)."))
    if comparison["reply_earning_share"].notna().sum() > 1:
        plots.plot_comparison(comparison.dropna(subset=["reply_earning_share"]))
        report.show_figure("Share of contributions that earn a reply from someone else, with 95% Wilson intervals, for the "
                           "communities with threads.")
    summary.record(comparison=comparison[["community", "reply_earning_share", "member_to_member_share", "reciprocity"]])
else:
    display(Markdown("_This community has one channel and no comparison was asked for (parameter `compare_sources`, or a "
                     "community.yml naming its sources): there is nothing to set beside it._"))

# %% [markdown]
# ## Load report
#
# What was read, what was excluded and why.

# %%
display(community.report)

# %%
report.glossary(["verdict", "host", "member", "thread", "active member", "new, returning, resurrected", "lapsed", "member-to-member share", "reciprocity", "repeated ties", "answered share", "time to first reply", "lurker", "quiet, occasional, regular, core", "top 1% share", "Gini", "rate ratio", "95% interval", "n", "too little data"])
