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
survivors: list = [1000, 631, 468, 382, 326, 289, 262, 241]  # members still active at the start of each period (one cohort)
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
transactions: str = "simulated"  # transactions for the value models: "simulated" (CDNOW-like), "cdnow" (once fetched) or a CSV path
calibration_end: str = "1997-09-30"  # end of the calibration period for the value models
source: str = "sim:living"  # community event log for cohorts and tenure: "sim:<scenario>", a registered data set, or a path to your export
format: str = ""  # export format of source (slack, discord, mbox, ...); empty: sniffed
columns: dict = {}  # for format "events": {contract column: your column}, e.g. {"member_id": "author"}
kinds: dict = {}  # for format "events": {your value: post, reply, reaction, join or leave}
start: str = ""  # use events from this date (UTC); empty: all
end: str = ""  # ...until this date (exclusive); empty: all
n_draws: int = 1000  # parameter draws carried into the projection
seed: int = 0  # seed of every random draw

# %%
import numpy as np
from communitylab import datasets, plots, study_advice, summary, tables
from communitylab.retention import economics as econ
from communitylab.retention.models import BetaGeoFitter, GammaGammaFitter, ShiftedBetaGeometricFitter
from communitylab.retention.summary import rfm_summary
sbg = ShiftedBetaGeometricFitter().fit(survivors)
choice = econ.acquire_or_keep(sbg, members=members, margin=margin_per_period, budget=budget_per_period, acquisition_cost=acquisition_cost,
                              retention_lift=retention_lift, horizon=horizon, discount_rate=discount_rate, n_draws=n_draws, seed=seed)
(r0, r_low, r_high), proj, at_horizon, wins, be = (choice[k] for k in ("retention", "projection", "at_horizon", "winner", "break_even"))
stated = econ.retention_from_statement(lost_share, lost_over_periods)
display(Markdown("# Acquire members or keep them?\n\n" + report.run_header("Churn versus acquisition",
    {"members": members, "margin": report.money(margin_per_period, currency), "acquisition cost": report.money(acquisition_cost, currency),
     "budget": report.money(budget_per_period, currency), "lift": retention_lift})))

# %%
answer = report.churn_answer(at_horizon, wins, be, r0, retention_lift, horizon, currency)
figures = report.churn_key_figures(at_horizon, (r0, r_low, r_high), be, stated, horizon=horizon, n_draws=n_draws, cohort_size=survivors[0],
                                   lift=retention_lift, lost_share=lost_share, lost_over_periods=lost_over_periods, currency=currency)
todo = study_advice.actions_from(study_advice.CHURN_RULES, study_advice.churn_signals(
    at_horizon, wins, be, r0, retention_lift, stated, lost_share, lost_over_periods, horizon,
    example_data=study_advice.example_data(survivors, transactions, source), currency=currency))
report.executive_summary(answer, figures, level=0.90, data=report.churn_data_named(survivors, transactions, source), actions=todo)
summary.record(winner=wins, end_of_horizon=at_horizon.reset_index(), break_even=be, retention=r0, actions=todo, answer=answer)

# %% [markdown]
# ## Retention: what the cohort says
#
# Shifted-beta-geometric model fitted to the survivor counts (maximum likelihood; Wald intervals on the log scale).

# %%
display(tables.table(sbg.summary))
plots.plot_cohort_fit(sbg, survivors, horizon)
report.show_figure(f"Members of the cohort still active each period (points, {survivors[0]:,} at the start) and the "
                   "shifted-beta-geometric projection (line).")
display(tables.table(sbg.retention_table(7), title="Retention rate by period: churn slows as the least loyal leave"))

# %% [markdown]
# ## The statement

# %%
display(Markdown(f"Losing {lost_share:.0%} every {lost_over_periods:g} periods means keeping **{stated:.1%}** a period "
                 f"(expected stay {econ.expected_lifetime(stated):.1f} periods). The cohort above keeps {r0:.1%} a period on average over the next {horizon} periods "
                 f"(equivalent constant rate; 90% band {r_low:.1%} to {r_high:.1%})."))

# %% [markdown]
# ## Projection under both strategies
#
# Median and 90% band over draws of the retention model's parameters.

# %%
plots.plot_projection(proj, currency)
report.show_figure(f"Members (left) and cumulative discounted value (right) over {horizon} periods when the budget goes to "
                   f"acquisition or to a programme that lifts retention by {retention_lift * 100:.1f} points; bands: 90% over "
                   f"{n_draws:,} parameter draws.")

# %% [markdown]
# ## How sure is the choice?
#
# The answer rests on two assumptions: how much the programme lifts retention, and what a new member costs. The chart shows which strategy wins for every pair of them (at the cohort's median retention); the black line is the break-even.

# %%
grid = econ.decision_sensitivity(r0, members=members, margin=margin_per_period, budget=budget_per_period, horizon=horizon,
                                 discount_rate=discount_rate, costs=np.linspace(acquisition_cost / 4, acquisition_cost * 3, 45))
plots.plot_decision_sensitivity(grid, lift=retention_lift, cost=acquisition_cost, currency=currency)
report.show_figure(report.sensitivity_caption(grid, lift=retention_lift, cost=acquisition_cost, currency=currency))

# %% [markdown]
# ## Retention in the community's own event log
#
# Cohorts by first active period (cells not yet observed are blank); tenure from first contribution to last activity, members quiet for 90 days counted as churned, the others censored.

# %%
from communitylab.retention import cohorts, survival
community = datasets.load_community(source, format=format or None, columns=columns or None, kinds=kinds or None, start=start or None, end=end or None)
cohort_table = cohorts.cohort_retention(community, "month")
plots.plot_cohort_retention(cohort_table)
report.show_figure("Share of each monthly cohort (rows, by first contribution) still active k months later (columns).")
tenure = survival.member_tenure(community)
plots.plot_tenure_survival(survival.kaplan_meier(tenure, "first_post_got_reply"),
                           labels={True: "first post answered", False: "first post not answered", 1: "first post answered", 0: "first post not answered"})
report.show_figure(f"Share of members still active by days since their first contribution (Kaplan–Meier, 95% bands; "
                   f"{len(tenure):,} members), by whether their first post was answered.")

# %%
hazards = survival.proportional_hazards(tenure, "first_post_got_reply")
display(Markdown("Cox proportional hazards of churn (a ratio below 1: members with the feature stay longer; observational)."))
display(tables.table(hazards))
summary.record(cohort_sizes=cohort_table["size"].tolist(), hazards=hazards)

# %% [markdown]
# ## Value per member: BG/NBD and Gamma-Gamma on transactions
#
# Counted at day resolution over a 39-week calibration. The default log is simulated from Fader, Hardie & Lee's (2005) published CDNOW fits (`transactions="cdnow"`, once fetched, reproduces their fit). The model tables are for analysts; the sentence under them is what a customer is worth.

# %%
tx = datasets.load_transactions(transactions, seed=seed)
rfm = rfm_summary(tx, "customer_id", "date", monetary_value_col="value", observation_period_end=calibration_end, time_scaler=7)
bgnbd = BetaGeoFitter().fit(rfm)
gg = GammaGammaFitter().fit(rfm[rfm.frequency > 0])
display(tables.table(bgnbd.summary, title=f"BG/NBD purchase model ({len(rfm):,} customers)"))
display(tables.table(gg.summary, title=f"Gamma-Gamma spend model ({int((rfm.frequency > 0).sum()):,} repeat customers)"))
summary.record(bgnbd=bgnbd.summary.reset_index(), gamma_gamma=gg.summary.reset_index())

# %%
expected_value = bgnbd.predict(52, rfm.frequency, rfm.recency, rfm["T"]) * gg.predict(rfm.frequency, rfm.monetary_value)
display(Markdown(report.value_per_customer_text(expected_value, currency)))
concentration = econ.value_concentration(expected_value, seed=seed)
display(tables.table(concentration, title="Share of the next 52 weeks' expected value held by the top customers"))
summary.record(value_concentration=concentration)

# %% [markdown]
# Caveats: the projection uses a constant per-period retention matching the cohort's survival over the horizon, the programme's lift is an assumption (a parameter), and value models assume spend independent of frequency.

# %%
report.glossary(["survivors", "retention", "value per member", "95% interval", "n"])
