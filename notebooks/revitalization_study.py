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

from communitylab import report, study_advice

report.setup()

# %% tags=["parameters"]
source: str = "sim:common_shock"  # "sim:<scenario>", a registered data set (once fetched), or a path to your export or community.yml
format: str = ""  # export format of source (slack, discord, mbox, ...); empty: sniffed
columns: dict = {}  # for format "events": {contract column: your column}, e.g. {"member_id": "author"}
kinds: dict = {}  # for format "events": {your value: post, reply, reaction, join or leave}
start: str = ""  # use events from this date (UTC); empty: all
end: str = ""  # ...until this date (exclusive); empty: all
hosts: list = []  # host (brand/staff) member ids; empty: the platform's rule
milestones: dict = {}  # intervention name -> date "YYYY-MM-DD"; empty: the simulated scenario's dated steps
comparison: list = []  # sources of comparison communities with no intervention (other channels, platforms, similar communities; a community.yml gives one per source); empty: a simulated scenario's own, otherwise none
min_clusters: int = 20  # from this many communities on, the comparison's intervals are clustered by community
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
seed: int = 0  # seed of every random draw

# %%
from communitylab import datasets, intervention as iv, plots, summary, tables
community = datasets.load_community(source, hosts=hosts or None, format=format or None, columns=columns or None, kinds=kinds or None, start=start or None, end=end or None)
dates = datasets.load_milestones(source, milestones)
series = iv.outcome_series(community, outcome, period, end=observation_end or None)
model = iv.InterruptedTimeSeries(slope_change=slope_change, cov_type=cov_type, harmonics=harmonics,
                                 season_length=season_length if harmonics else None, min_gap=min_gap, level=confidence_level).fit(series, dates)
effects, impact, placebo = model.effects(), model.impact(n_draws=n_draws, seed=seed), iv.placebo_in_time(model)
others = iv.comparison_communities([datasets.load_community(s) for s in datasets.load_comparisons(source, comparison)])
wide = iv.comparison_outcomes(community, others, outcome, period, end=observation_end or None)
versus = iv.compare(wide, community.name, dates["date"].min(), period=period, level=confidence_level, min_clusters=min_clusters)
display(Markdown("# Did the interventions revive the community?\n\n" + report.run_header(
    "Revitalization study", {"source": report.source_label(source), "outcome": outcome, "period": period, "milestones": len(dates),
                             "comparison communities": len(others)}, {community.name: community, **others})))

# %%
answer = report.intervention_answer(effects, impact, placebo, outcome, period, confidence_level)
residuals = model.residual_autocorrelation()
todo = study_advice.actions_from(study_advice.INTERVENTION_RULES, study_advice.intervention_signals(
    impact, placebo, effects, float(residuals["ljung_box_p"].min()) if len(residuals) and model.cov_type != "hac" else None, outcome, period,
    versus=versus))
if versus.did is not None:
    answer = versus.headline(impact, outcome, confidence_level) + "\n\n" + answer.replace("**", "")
report.executive_summary(answer, versus.key_figures(outcome) + report.intervention_key_figures(effects, impact, placebo, outcome, period),
                         level=confidence_level, actions=todo, why=versus.sentences(outcome))
summary.record(design=versus.design, comparison=list(others), did=versus.did.summary if versus.did else None,
               synthetic_control=versus.synth.summary.assign(ratio=versus.synth_ratio) if versus.synth else None)
summary.record(outcome=outcome, definition=series.attrs["definition"], impact=impact.to_dict(), effects=effects, answer=answer, actions=todo,
               placebo_p_values=placebo.attrs["p_values"], n_periods=len(series), excluded_periods=series.attrs["excluded_periods"])

# %% [markdown]
# ## The series, the model and the world without the interventions

# %%
changes = iv.poisson_changepoints(series["value"], index=series["period"])
plots.plot_interrupted_series(model, changepoints=changes, ylabel=f"{outcome.replace('_', ' ')} per {period}")
report.show_figure(f"Points: {series.attrs['definition']}, per {period} ({len(series)} {period}s"
                   + (f"; left out: {'; '.join(series.attrs['excluded_periods'])}" if series.attrs['excluded_periods'] else "")
                   + "). Orange: the segmented Poisson model with its interval. Grey dashed: the pre-intervention trend carried "
                   "forward (the world without the interventions) with its interval. Grey bars: segments of constant rate found "
                   "without being told the dates. Dotted lines: the milestones.")

# %% [markdown]
# ## Would it have changed anyway? Against the comparison communities
#
# The same outcome for communities that had no intervention, each divided by its own mean before the first milestone. *Difference in differences*: a Poisson model with an effect for each community and each period; the intervention's rate ratio is what the treated community changed beyond the others. The event study shows it bin by bin: flat at 1 before the start is what the comparison needs. *Synthetic control*: the mix of comparison communities that tracks the treated one best before the start.

# %%
if versus.did is not None:
    plots.plot_comparison_series(versus.indexed, community.name, versus.start)
    report.show_figure(f"{outcome.replace('_', ' ').capitalize()} per {period}, each community divided by its mean before the start "
                       f"(dotted line); {len(wide)} {period}s that every community covers.")
    display(tables.table(versus.did.summary, title="Difference in differences"))
    plots.plot_event_study(versus.did.event_study, bin_label=f"bins of {iv.EVENT_BIN.get(period, 1)} {period}s from the start")
    report.show_figure("Rate ratio of the treated against the comparison communities per bin, with 95% intervals; the bin just "
                       "before the start is the reference. The first and last bins hold every earlier and later period.")
else:
    display(Markdown(f"_{report.text(versus.sentences(outcome)[0])}_"))

# %%
if versus.synth is not None:
    plots.plot_synthetic(versus.synth)
    report.show_figure(report.text(versus.sentences(outcome)[-1]))
    display(tables.table(versus.synth.weights[versus.synth.weights > 0.001].rename("weight").rename_axis("community").reset_index(),
                         title="The synthetic community's mix", percent=["weight"]))
    display(tables.table(versus.synth.placebos, title="Each comparison community treated in turn (placebos in space)"))

# %% [markdown]
# ## The milestones and the phases they form
#
# Milestones less than `min_gap` periods apart cannot be separated by the data: they are estimated together as one phase.

# %%
display(tables.table(dates, title="Milestones"))
display(tables.table(effects, title="Change of level at each phase (rate ratio)"))

# %% [markdown]
# ## Model details
#
# Rate ratios per term (`ratio` = exp(coef)); the dispersion says how much noisier than Poisson the counts are. When the residuals are autocorrelated the effects are also shown with HAC (autocorrelation-robust) intervals.

# %%
display(tables.table(model.summary))
display(Markdown(report.its_diagnostics(model)))
autocorr = model.residual_autocorrelation()
display(tables.table(autocorr, title="Residual autocorrelation"))
if cov_type != "hac" and len(autocorr) and autocorr["ljung_box_p"].min() < 0.05:
    hac = iv.InterruptedTimeSeries(slope_change=slope_change, cov_type="hac", harmonics=harmonics,
                                   season_length=season_length if harmonics else None, min_gap=min_gap, level=confidence_level).fit(series, dates)
    display(Markdown("The residuals are autocorrelated, so here are the same effects with HAC (autocorrelation-robust) intervals:"))
    display(tables.table(hac.effects()))
    summary.record(effects_hac=hac.effects())

# %% [markdown]
# ## Placebo dates
#
# The same model fitted to the pre-intervention periods only, with a fake interruption at each date that leaves enough periods on both sides. Real changes should be larger than these.

# %%
display(tables.table(placebo))

# %% [markdown]
# ## Before and after: the health panel
#
# The events before the first milestone and those from the last one on; the roll-out in between belongs to neither.

# %%
panel = iv.before_after(community, dates["date"].min(), dates["date"].max())
display(tables.table(report.before_after_table(panel)))
summary.record(before_after=panel.reset_index())

# %%
report.glossary(["level", "rate ratio", "placebo date", "difference in differences", "synthetic control", "host", "member",
                 "95% interval", "n"])
