"""Write the study notebooks (outputs cleared). Kept so the notebooks' source stays reviewable."""

import hashlib

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook


def nb(cells):
    out = []
    for i, (kind, src, *tags) in enumerate(cells):
        cell = new_code_cell(src) if kind == "code" else new_markdown_cell(src.replace("\\n", "\n"))
        cell.id = hashlib.sha1(f"{i}:{src}".encode()).hexdigest()[:8]  # stable ids: regenerating leaves unchanged cells alone
        if tags:
            cell.metadata["tags"] = list(tags)
        out.append(cell)
    book = new_notebook(cells=out)
    book.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    book.metadata["language_info"] = {"name": "python"}
    return book


SETUP = ("code", """%matplotlib inline
import warnings
import matplotlib.pyplot as plt
import pandas as pd
from IPython.display import Markdown, display
warnings.filterwarnings("ignore", category=FutureWarning)
pd.set_option("display.precision", 3)""", "remove_cell")

health = nb([
    SETUP,
    ("code", """source: str = "twcs-sample"  # bundled data set name, "sim:<scenario>", or a path to your export or community.yml
format: str = ""  # export format: slack, discord, discourse, mbox, github, reddit, facebook, twitter, twcs, events, ...; empty: sniffed
columns: dict = {}  # for format "events": {contract column: your column}, e.g. {"member_id": "author"}
kinds: dict = {}  # for format "events": {your value: post, reply, reaction, join or leave}
hosts: list = []  # host (brand/staff) member ids; empty: the platform's rule (admins, staff, brands, ...)
community_name: str = ""  # name shown in the report; empty: the source
start: str = ""  # judge events from this date (UTC, e.g. "2024-01-01"); empty: the start of the active period
end: str = ""  # ...until this date (exclusive); empty: the end of the data
period: str = "month"  # activity period: day, week or month
compare_sources: list = ["stackexchange-beer", "stackexchange-quantumcomputing", "twcs-sample"]  # side by side
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
n_boot: int = 1000  # bootstrap replicates for intervals
seed: int = 0  # seed of every random draw
show_personal_data: bool = False  # True shows real member ids in tables (never in shared reports)""", "parameters"),
    ("code", """from communitylab import datasets, engagement as eng, plots, privacy, report, summary
community = datasets.load_community(source, hosts=hosts or None, name=community_name or None, format=format or None,
                                    columns=columns or None, kinds=kinds or None, start=start or None, end=end or None)
thresholds = eng.HealthThresholds(min_weekly_contributions, brand_m2m_max, fragile_silence_ratio, fragile_answered_share,
                                  fragile_top1_share, silence_days, crowd_reciprocity_max, crowd_repeat_max, trajectory_weeks,
                                  min_linked_share)
display(Markdown("# Is this community alive?\\n\\n" + report.run_header(
    "Community health", {"source": report.source_label(source, show_personal_data), "format": community.format or "built in",
                         "window": f"{start or 'start'} to {end or 'end'}", "period": period, "hosts": len(community.hosts)},
    {community.name: community})))"""),
    ("markdown", "## The verdict"),
    ("code", """verdict = eng.health_verdict(community, thresholds)
display(Markdown(verdict._repr_markdown_()))
display(verdict.signals)
summary.record(community=community.name, verdict=verdict.label, reasons=verdict.reasons, window=verdict.window,
               signals=verdict.signals, trajectory=verdict.trajectory, rows_loaded=community.report.rows_loaded)"""),
    ("markdown", "## Where it is heading\n\nThe last weeks of the active period against the same number of weeks before them: "
                 "rate ratios with exact 95% intervals. *Declining* means the interval lies below 1."),
    ("code", """display(verdict.trajectory)"""),
    ("markdown", "The thresholds are parameters of this study; each signal's interval (where given) is a 95% interval. "
                 "A verdict is a summary of the signals below, not a substitute for them."),
    ("markdown", "## Activity over time"),
    ("code", """activity = eng.activity_by_period(community, period, active_period_only=True)
plots.plot_activity(activity, title=f"Active members per {period} (host posts marked)")
plt.show()
display(activity.tail(6))"""),
    ("markdown", "## Who talks to whom\n\nA reply's direction is read from the author of what it replies to. "
                 "Replies to parents outside the data, with no addressee, are counted as unknown."),
    ("code", """directions = eng.reply_direction_matrix(community)
plots.plot_direction_matrix(directions)
plt.show()
structure = eng.conversation_structure(community)
display(structure)
summary.record(directions=directions, structure=structure)"""),
    ("code", """edges = eng.reply_edges(community)
fig, axes = plt.subplots(1, 2, figsize=(10, 5), layout="constrained")
plots.plot_reply_network(edges, ax=axes[0], seed=seed, title="With the host (hosts in red)")
plots.plot_reply_network(edges[~edges.src_is_host & ~edges.dst_is_host], ax=axes[1], seed=seed, title="Without the host")
plt.show()"""),
    ("markdown", "## Conversation or passive reactions?"),
    ("code", "display(eng.engagement_mix(community))"),
    ("markdown", "## Participation inequality\n\nHosts excluded. Intervals resample members (seeded bootstrap)."),
    ("code", """inequality = eng.participation_inequality(community, n_boot=n_boot, seed=seed)
display(report.format_estimates(inequality))
counts = eng.contributions_per_member(community)["contributions"]
plots.plot_lorenz(eng.lorenz_curve(counts), gini=eng.gini(counts))
plt.show()
summary.record(inequality=inequality)"""),
    ("markdown", "## How fast do members get an answer?\n\nFirst reply by someone other than the thread's author; "
                 "threads still unanswered when the data ends are censored (Kaplan–Meier), not dropped."),
    ("code", """responsiveness = eng.time_to_first_reply(community)
if len(responsiveness):
    display(report.format_estimates(responsiveness))
    plots.plot_reply_survival(eng.reply_survival_curve(eng.first_replies(community)))
    plt.show()
else:
    display(Markdown("_This source has no threads (an edge list): time to first reply does not apply._"))
summary.record(responsiveness=responsiveness)"""),
    ("markdown", "## The host's cadence"),
    ("code", """if community.hosts:
    display(eng.host_regularity(community))
    display(eng.activity_during_silences(community, silence_days))
else:
    display(Markdown("_No host is known for this community: cadence does not apply._"))"""),
    ("markdown", "## Join, ask, leave?\n\nMembers whose first contribution is a question: do they leave once answered? "
                 "Askers answered too close to the end of the data are excluded and counted. Wilson 95% intervals."),
    ("code", """jal = eng.join_ask_leave(community)
display(jal)
retention = eng.newcomer_retention(community)
display(Markdown("Does a reply to a newcomer's first post bring them back (within 90 days)? "
                 "Observational: an association, not an effect."))
display(retention)
summary.record(join_ask_leave=jal, newcomer_retention=retention)"""),
    ("markdown", "## Engagement levels and how members move between them"),
    ("code", """levels = eng.engagement_levels(community, period)
display(levels.groupby("period", observed=True)["level"].value_counts().unstack().fillna(0).astype(int).tail(6))
display(eng.level_transitions(levels))"""),
    ("markdown", "## Where does the conversation really happen?\n\nThe same panel for this community, each of its channels "
                 "(or sources, for a community.yml), and the communities named in `compare_sources`, ranked by the share of "
                 "contributions that earn a reply from someone else (Wilson 95% interval)."),
    ("code", """panel = eng.comparison_panel(community, {name: datasets.load_community(name) for name in compare_sources})
comparison = eng.compare_communities(panel)
display(comparison)
plots.plot_comparison(comparison)
plt.show()
summary.record(comparison=comparison[["community", "reply_earning_share", "rank"]])"""),
    ("markdown", "## Load report\n\nWhat was read, what was excluded and why."),
    ("code", "display(community.report)"),
])

getting_started = nb([
    SETUP,
    ("code", """scenario: str = "brand_centric"  # simulator scenario: living, brand_centric, lapsing_host, dormant, revitalized
seed: int = 0  # seed of the simulator
your_export: str = ""  # path to your own export (Slack zip, Discord JSON, mbox, ...); empty: a bundled export file""", "parameters"),
    ("code", """from communitylab import datasets, engagement as eng, report, simulate, summary
sim = simulate.simulate(scenario, seed=seed)
community = sim.community()
display(Markdown("# Getting started with communitylab\\n\\n" + report.run_header("Getting started", {"scenario": scenario, "seed": seed}, {scenario: community})))"""),
    ("markdown", "The simulator builds a community whose truth is known. Here is what the kit concludes about it:"),
    ("code", """verdict = eng.health_verdict(community)
display(Markdown(verdict._repr_markdown_()))
display(Markdown(f"The scenario was built to be judged **{sim.truth['expected_verdict']}**."))
summary.record(scenario=scenario, verdict=verdict.label, expected=sim.truth["expected_verdict"])"""),
    ("markdown", "Bundled real data sets, each with a README giving provenance and licence:"),
    ("code", "display(datasets.describe_datasets()[['name', 'description', 'licence']])"),
    ("markdown", "## Your own community\n\nPoint the kit at your export: the format is recognized from its files "
                 "(`communitylab inspect PATH` does the same from a terminal). These are the formats it reads, what each maps to, "
                 "and who counts as the host:"),
    ("code", """from communitylab import loaders
display(loaders.describe_formats())"""),
    ("code", """path = your_export or str(datasets.dataset_path("twcs-sample"))  # a customer-support export, loaded by its path
own = datasets.load_community(path)
display(Markdown(f"**{report.source_label(path)}**: recognized as `{own.format}`; hosts by {own.host_rule}: {len(own.hosts):,} found; "
                 f"{own.report.rows_loaded:,} events loaded, {own.report.excluded:,} excluded by stated rules."))
own_verdict = eng.health_verdict(own)
display(Markdown(own_verdict._repr_markdown_()))
display(Markdown("Next: `communitylab run community_health -p source PATH` renders the full health report for it."))
summary.record(own_export_format=own.format, own_export_verdict=own_verdict.label)"""),
])

nbformat.write(health, "notebooks/community_health.ipynb")
nbformat.write(getting_started, "notebooks/getting_started.ipynb")

churn = nb([
    SETUP,
    ("code", """survivors: list = [1000, 631, 468, 382, 326, 289, 262, 241]  # members still active at the start of each period (one cohort)
lost_share: float = 0.5  # the statement to check: "we lose this share of members..."
lost_over_periods: float = 5.0  # "...over this many periods"
members: int = 1000  # current member base
margin_per_period: float = 100.0  # margin earned per member per period
acquisition_cost: float = 300.0  # cost of acquiring one member
budget_per_period: float = 20000.0  # what can be spent each period, on acquisition or on a programme
currency: str = "$"  # currency of margins, costs and budgets: a symbol ("$", "€") or a code ("CAD")
retention_lift: float = 0.05  # retention gain (points) the community programme is expected to bring
discount_rate: float = 0.10  # per period
horizon: int = 10  # periods to project
transactions: str = "cdnow"  # transactions for the value models: bundled CDNOW sample or a CSV path
calibration_end: str = "1997-09-30"  # end of the calibration period for the value models
source: str = "sim:living"  # community event log for cohorts and tenure: bundled name, "sim:<scenario>", or a path to your export
format: str = ""  # export format of source (slack, discord, mbox, ...); empty: sniffed
start: str = ""  # use events from this date (UTC); empty: all
end: str = ""  # ...until this date (exclusive); empty: all
n_draws: int = 1000  # parameter draws carried into the projection
seed: int = 0  # seed of every random draw""", "parameters"),
    ("code", """from communitylab import datasets, plots, report, summary
from communitylab.retention import economics as econ
from communitylab.retention.models import BetaGeoFitter, GammaGammaFitter, ShiftedBetaGeometricFitter
from communitylab.retention.summary import rfm_summary
sbg = ShiftedBetaGeometricFitter().fit(survivors)
r_draws = econ.equivalent_retention_draws(sbg, horizon, n_draws, seed=seed)
r0 = float(pd.Series(r_draws).median())
display(Markdown("# Acquire members or keep them?\\n\\n" + report.run_header("Churn versus acquisition",
    {"members": members, "margin": margin_per_period, "acquisition cost": acquisition_cost, "budget": budget_per_period, "lift": retention_lift})))"""),
    ("markdown", "## The answer"),
    ("code", """per_member_programme = budget_per_period / members
proj = econ.project_member_base(members, r_draws, margin=margin_per_period, budget=budget_per_period,
                                acquisition_cost=acquisition_cost, retention_with_programme=r_draws + retention_lift,
                                horizon=horizon, discount_rate=discount_rate)
at_horizon = proj[proj.period == horizon].set_index("strategy")
wins = "keeping members" if at_horizon.loc["retain", "cumulative_value"] > at_horizon.loc["acquire", "cumulative_value"] else "acquiring members"
be = econ.break_even_retention(margin_per_period, r0, per_member_programme, discount_rate)
display(Markdown(report.churn_answer(at_horizon, wins, be, r0, retention_lift, horizon, currency)))
summary.record(winner=wins, end_of_horizon=at_horizon.reset_index(), break_even=be, retention=r0)"""),
    ("markdown", "## Retention: what the cohort says\n\nShifted-beta-geometric model fitted to the survivor counts (maximum likelihood; Wald intervals on the log scale)."),
    ("code", """display(sbg.summary)
periods = list(range(len(survivors) + horizon))
curve = pd.DataFrame({"period": periods, "projected": sbg.survival_function(periods) * survivors[0]})
ax = curve.plot(x="period", y="projected", label="sBG projection")
ax.scatter(range(len(survivors)), survivors, color="black", zorder=3, label="observed")
ax.set_ylabel("members still active"); ax.legend(frameon=False); plt.show()
display(pd.DataFrame({"period": periods[1:8], "retention_rate": sbg.retention_rate(periods[1:8])}))"""),
    ("markdown", "## The statement"),
    ("code", """stated = econ.retention_from_statement(lost_share, lost_over_periods)
display(Markdown(f"Losing {lost_share:.0%} every {lost_over_periods:g} periods means keeping **{stated:.1%}** a period "
                 f"(expected stay {econ.expected_lifetime(stated):.1f} periods). The cohort above keeps {r0:.1%} a period on average over the next {horizon} periods "
                 f"(equivalent constant rate; 90% band {pd.Series(r_draws).quantile(0.05):.1%} to {pd.Series(r_draws).quantile(0.95):.1%})."))"""),
    ("markdown", "## Projection under both strategies (median and 90% band over parameter draws)"),
    ("code", """fig, axes = plt.subplots(1, 2, figsize=(11, 4), layout="constrained")
for strategy, g in proj.groupby("strategy"):
    axes[0].plot(g.period, g.members, label=strategy); axes[0].fill_between(g.period, g.members_low, g.members_high, alpha=0.2)
    axes[1].plot(g.period, g.cumulative_value, label=strategy); axes[1].fill_between(g.period, g.value_low, g.value_high, alpha=0.2)
axes[0].set_title("members"); axes[1].set_title(f"cumulative discounted value ({currency})"); axes[0].legend(frameon=False); plt.show()"""),
    ("markdown", "## Retention in the community's own event log\n\nCohorts by first active period (cells not yet observed are blank); "
                 "tenure from first contribution to last activity, members quiet for 90 days counted as churned, the others censored."),
    ("code", """from communitylab.retention import cohorts, survival
community = datasets.load_community(source, format=format or None, start=start or None, end=end or None)
cohort_table = cohorts.cohort_retention(community, "month")
plots.plot_cohort_retention(cohort_table)
plt.show()
tenure = survival.member_tenure(community)
plots.plot_tenure_survival(survival.kaplan_meier(tenure, "first_post_got_reply"),
                           labels={True: "first post answered", False: "first post not answered", 1: "first post answered", 0: "first post not answered"})
plt.show()"""),
    ("code", """hazards = survival.proportional_hazards(tenure, "first_post_got_reply")
display(Markdown("Cox proportional hazards of churn (a ratio below 1: members with the feature stay longer; observational)."))
display(hazards)
summary.record(cohort_sizes=cohort_table["size"].tolist(), hazards=hazards)"""),
    ("markdown", "## Value per member: BG/NBD and Gamma-Gamma on transactions\n\nCounted at day resolution; the 39-week calibration reproduces Fader, Hardie & Lee (2005)."),
    ("code", """tx = datasets.load_transactions(transactions)
rfm = rfm_summary(tx, "customer_id", "date", monetary_value_col="value", observation_period_end=calibration_end, time_scaler=7)
bgnbd = BetaGeoFitter().fit(rfm)
gg = GammaGammaFitter().fit(rfm[rfm.frequency > 0])
display(bgnbd.summary); display(gg.summary)
summary.record(bgnbd=bgnbd.summary.reset_index(), gamma_gamma=gg.summary.reset_index())"""),
    ("code", """rfm["p_alive"] = bgnbd.conditional_probability_alive(rfm.frequency, rfm.recency, rfm["T"])
rfm["expected_52w"] = bgnbd.predict(52, rfm.frequency, rfm.recency, rfm["T"])
rfm["expected_value"] = rfm.expected_52w * gg.predict(rfm.frequency, rfm.monetary_value)
concentration = econ.value_concentration(rfm.expected_value, seed=seed)
display(report.format_estimates(concentration, percent=True))
summary.record(value_concentration=concentration)"""),
    ("markdown", "Caveats: the projection uses a constant per-period retention matching the cohort's survival over the horizon, "
                 "the programme's lift is an assumption (a parameter), and value models assume spend independent of frequency."),
])
nbformat.write(churn, "notebooks/churn_vs_acquisition.ipynb")

survey = nb([
    SETUP,
    ("code", """responses: str = "seed-survey"  # "seed-survey" (reconstruction), "simulated", or a CSV/XLSX export path
codebook: str = ""  # YAML codebook path; empty: the bundled survey's
population: int = 0  # members invited; 0: the codebook's
confidence_level: float = 0.95  # of every interval
method: str = "wilson"  # proportion interval: wilson, clopper-pearson, jeffreys
compare_a: str = "Publish relevant content"  # two options of a multi-select question to compare
compare_b: str = "Encourage conversation between members"  # (same respondents: exact McNemar)
crosstab_row: str = "q4_role"  # question for the rows of a cross-tabulation (skipped if absent)
crosstab_col: str = "q1_pertinence"  # question for its columns
scale_items: list = ["trust_1", "trust_2", "trust_3"]  # items of one scale for Cronbach's alpha (skipped if absent)
design_ids: list = []  # sample design: cluster column of each stage (e.g. ["chapter"]); empty: members sampled directly
design_strata: str = ""  # sample design: stratum column
design_fpc: list = []  # sample design: population size (or sampling fraction) column of each stage
design_weights: str = ""  # sample design: sampling weight column
segment: str = ""  # compare this column's groups as domains of the design; empty: the codebook's segment column
show_personal_data: bool = False  # True lists open answers verbatim with respondent ids
seed: int = 0  # seed of bootstrap and permutation draws""", "parameters"),
    ("code", """from communitylab import datasets, plots, report, summary
from communitylab.survey import items, proportions
from communitylab.survey import weighting as wt
survey = datasets.load_survey(responses, codebook or None, seed=seed)
r, cb = survey["responses"], survey["codebook"]
N = population or cb.population
display(Markdown(f"# Member survey: {cb.title}\\n\\n" + report.run_header("Member survey", {"responses": report.source_label(responses), "population": N, "level": confidence_level, "method": method})))"""),
    ("markdown", "## What this survey can and cannot tell"),
    ("code", """display(Markdown(report.survey_capability(len(r), N, confidence_level)))
summary.record(respondents=len(r), population=N, response_rate=len(r) / N if N else None,
               margin_of_error=proportions.margin_of_error(len(r), N or None, level=confidence_level))"""),
    ("markdown", "## Question by question\\n\\nShares of those who answered each question, with intervals (finite population corrected)."),
    ("code", """tables = {qid: items.question_summary(r, q, population=N or None, method=method, level=confidence_level) for qid, q in cb.questions.items() if q.type != "text"}
for qid, q in cb.questions.items():
    if q.type == "text":
        continue
    display(Markdown(f"**{qid}** — {q.text}"))
    display(tables[qid])
    if q.type == "likert":
        plots.plot_likert({qid: tables[qid]}, midpoint=q.midpoint); plt.show()
summary.record(questions={k: v for k, v in tables.items()})"""),
    ("markdown", "## Under the sample design\n\nWhen the sample design is given (clusters, strata, fpc, weights), every share is "
                 "estimated on it, with a logit interval on the design's degrees of freedom (R `svyciprop`), and segments are "
                 "compared as domains of the full design with a Rao–Scott test (R `svychisq`)."),
    ("code", """from communitylab.survey import domains
design = domains.design_spec(design_ids, design_strata, design_fpc, design_weights)
under = domains.analyse_design(r, cb, design, segment or cb.segment_column, level=confidence_level)
if not design:
    display(Markdown("_No sample design was given (parameters `design_*`): the shares above treat respondents as a simple random sample of the members._"))
for qid, table in under["shares"].items():
    display(Markdown(f"**{qid}** — design-based shares")); display(table)
for qid, compared in under["segments"].items():
    display(Markdown(report.segment_test(qid, segment or cb.segment_column, compared["test"]))); display(compared["table"])
if design:
    summary.record(design=design, design_shares=under["shares"])
if under["segments"]:
    summary.record(segments=under["segments"])"""),
    ("markdown", "## Nonresponse bounds for the top answer of each Likert question"),
    ("code", """likert = [q for q in cb.questions.values() if q.type == "likert"]
bounds = pd.DataFrame({q.id: proportions.nonresponse_bounds(int(items.top_box(r, q)["k"]), int(items.top_box(r, q)["n"]), N) for q in likert}).T if N else pd.DataFrame()
display(bounds)"""),
    ("markdown", "## Comparing two options chosen by the same respondents"),
    ("code", """multi = [q for q in cb.questions.values() if q.type == "multi" and {compare_a, compare_b} <= set(q.levels)]
if multi:
    mc = items.compare_options(r, multi[0], compare_a, compare_b)
    display(mc.to_frame("value"))
    display(Markdown(f"Only the {mc['only_a'] + mc['only_b']} respondents who chose one option but not the other carry information; exact McNemar p = {mc['p_value']:.2f}."))
    summary.record(comparison=mc.to_dict())"""),
    ("markdown", "## Cross-tabulation and scale reliability"),
    ("code", """if {crosstab_row, crosstab_col} <= set(r.columns):
    table, test = items.crosstab_test(r, crosstab_row, crosstab_col, seed=seed)
    display(table); display(test.to_frame("value"))
    summary.record(crosstab=test.to_dict())
if scale_items and set(scale_items) <= set(r.columns):
    alpha = items.cronbach_alpha(r[scale_items], seed=seed)
    display(Markdown(f"Cronbach's alpha of {', '.join(scale_items)}: {alpha['alpha']:.2f} (95% CI {alpha['ci_low']:.2f} to {alpha['ci_high']:.2f}, n = {int(alpha['n'])})."))
    summary.record(cronbach_alpha=alpha.to_dict())"""),
    ("markdown", "## Weighting to the member base"),
    ("code", """if survey["margins"]:
    likert_q = likert[0]
    top = r[likert_q.id].isin(likert_q.levels[-2:]).astype(float).where(r[likert_q.id].notna())
    weighted = wt.weighting_comparison(top, r, survey["margins"], population=N, level=confidence_level)
    display(Markdown(f"Top-two-box share of **{likert_q.id}** under each weighting. Standard errors account for the calibration (as R `survey` does after `postStratify`/`rake`); the design effect is the precision unequal weights cost."))
    display(weighted)
    summary.record(weighting=weighted.reset_index())
else:
    display(Markdown("_No member-base margins are known for this survey, so no weighting was applied._"))"""),
    ("markdown", "## Open answers\\n\\nUnder pseudonymous labels; e-mail addresses redacted."),
    ("code", """for q in [q for q in cb.questions.values() if q.type == "text"]:
    display(Markdown(f"**{q.id}** — {q.text}"))
    display(items.open_answers(r, q, survey["id_col"], show_personal_data=show_personal_data))"""),
])
nbformat.write(survey, "notebooks/member_survey.ipynb")

revitalization = nb([
    SETUP,
    ("code", """source: str = "sim:revitalized"  # bundled data set name, "sim:<scenario>", or a path to your export or community.yml
format: str = ""  # export format of source (slack, discord, mbox, ...); empty: sniffed
start: str = ""  # use events from this date (UTC); empty: all
end: str = ""  # ...until this date (exclusive); empty: all
hosts: list = []  # host (brand/staff) member ids; empty: the platform's rule
milestones: dict = {}  # intervention name -> date "YYYY-MM-DD"; empty: the simulated scenario's dated steps
outcome: str = "member_to_member_replies"  # what should change: one of communitylab.intervention.OUTCOMES
period: str = "week"  # day, week or month
observation_end: str = ""  # when the export was taken; empty: the last post, reply or reaction
min_gap: int = 4  # milestones closer than this many periods are estimated as one phase
slope_change: bool = False  # also estimate a change of trend per phase (decide before looking)
cov_type: str = "quasi"  # quasi (overdispersion), hac (autocorrelation too) or model
harmonics: int = 0  # pairs of seasonal terms; needs several seasons of data
season_length: float = 52.18  # periods per season (52.18 weeks, 12 months)
confidence_level: float = 0.95  # of every interval
n_draws: int = 2000  # coefficient draws for the impact interval
seed: int = 0  # seed of every random draw""", "parameters"),
    ("code", """from communitylab import datasets, intervention as iv, plots, report, summary
community = datasets.load_community(source, hosts=hosts or None, format=format or None, start=start or None, end=end or None)
dates = datasets.load_milestones(source, milestones)
series = iv.outcome_series(community, outcome, period, end=observation_end or None)
model = iv.InterruptedTimeSeries(slope_change=slope_change, cov_type=cov_type, harmonics=harmonics,
                                 season_length=season_length if harmonics else None, min_gap=min_gap, level=confidence_level).fit(series, dates)
effects, impact, placebo = model.effects(), model.impact(n_draws=n_draws, seed=seed), iv.placebo_in_time(model)
display(Markdown("# Did the interventions revive the community?\\n\\n" + report.run_header(
    "Revitalization study", {"source": report.source_label(source), "outcome": outcome, "period": period, "milestones": len(dates)}, {community.name: community})))"""),
    ("markdown", "## The answer"),
    ("code", """display(Markdown(report.intervention_answer(effects, impact, placebo, outcome, period, confidence_level)))
summary.record(outcome=outcome, definition=series.attrs["definition"], impact=impact.to_dict(), effects=effects,
               placebo_p_values=placebo.attrs["p_values"], n_periods=len(series), excluded_periods=series.attrs["excluded_periods"])"""),
    ("markdown", "## The series, the model and the world without the interventions\\n\\n"
                 "Points: the outcome per period. Orange: the segmented Poisson model with its interval. Grey dashed: "
                 "the pre-intervention trend carried forward (the counterfactual) with its interval. Grey bars: "
                 "segments of constant rate found *without* being told the dates."),
    ("code", """changes = iv.poisson_changepoints(series["value"], index=series["period"])
plots.plot_interrupted_series(model, changepoints=changes, ylabel=f"{outcome.replace('_', ' ')} per {period}")
plt.show()
display(Markdown(f"**Outcome**: {series.attrs['definition']}. {len(series)} {period}s analysed"
                 + (f"; left out: {'; '.join(series.attrs['excluded_periods'])}." if series.attrs['excluded_periods'] else ".")))"""),
    ("markdown", "## The milestones and the phases they form\\n\\n"
                 "Milestones less than `min_gap` periods apart cannot be separated by the data: they are estimated together as one phase."),
    ("code", """display(dates.assign(date=dates["date"].dt.strftime("%Y-%m-%d")))
display(effects)"""),
    ("markdown", "## Model details\\n\\nRate ratios per term (`ratio` = exp(coef)); the dispersion says how much noisier "
                 "than Poisson the counts are; when the residuals are autocorrelated the effects are also shown with HAC intervals."),
    ("code", """display(model.summary())
display(Markdown(report.its_diagnostics(model)))
autocorr = model.residual_autocorrelation()
display(autocorr)
if cov_type != "hac" and len(autocorr) and autocorr["ljung_box_p"].min() < 0.05:
    hac = iv.InterruptedTimeSeries(slope_change=slope_change, cov_type="hac", harmonics=harmonics,
                                   season_length=season_length if harmonics else None, min_gap=min_gap, level=confidence_level).fit(series, dates)
    display(Markdown("The residuals are autocorrelated, so here are the same effects with HAC (autocorrelation-robust) intervals:"))
    display(hac.effects())
    summary.record(effects_hac=hac.effects())"""),
    ("markdown", "## Placebo dates\\n\\nThe same model fitted to the pre-intervention periods only, with a fake interruption at each date "
                 "that leaves enough periods on both sides. Real changes should be larger than these."),
    ("code", """display(placebo)"""),
    ("markdown", "## Before and after: the health panel\\n\\nThe events before the first milestone and those from the last one on; "
                 "the roll-out in between belongs to neither."),
    ("code", """panel = iv.before_after(community, dates["date"].min(), dates["date"].max())
display(panel.T)
summary.record(before_after=panel.reset_index())"""),
])
nbformat.write(revitalization, "notebooks/revitalization_study.ipynb")
