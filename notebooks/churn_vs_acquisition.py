# ---
# jupyter:
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% tags=["remove_cell"]
# %matplotlib inline
import warnings
import matplotlib.pyplot as plt
import pandas as pd
from IPython.display import Markdown, display
warnings.filterwarnings("ignore", category=FutureWarning)
pd.set_option("display.precision", 3)

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
transactions: str = "cdnow"  # transactions for the value models: bundled CDNOW sample or a CSV path
calibration_end: str = "1997-09-30"  # end of the calibration period for the value models
source: str = "sim:living"  # community event log for cohorts and tenure: bundled name, "sim:<scenario>", or a path to your export
format: str = ""  # export format of source (slack, discord, mbox, ...); empty: sniffed
start: str = ""  # use events from this date (UTC); empty: all
end: str = ""  # ...until this date (exclusive); empty: all
n_draws: int = 1000  # parameter draws carried into the projection
seed: int = 0  # seed of every random draw

# %%
from communitylab import datasets, plots, report, summary
from communitylab.retention import economics as econ
from communitylab.retention.models import BetaGeoFitter, GammaGammaFitter, ShiftedBetaGeometricFitter
from communitylab.retention.summary import rfm_summary
sbg = ShiftedBetaGeometricFitter().fit(survivors)
r_draws = econ.equivalent_retention_draws(sbg, horizon, n_draws, seed=seed)
r0 = float(pd.Series(r_draws).median())
display(Markdown("# Acquire members or keep them?\n\n" + report.run_header("Churn versus acquisition",
    {"members": members, "margin": margin_per_period, "acquisition cost": acquisition_cost, "budget": budget_per_period, "lift": retention_lift})))

# %% [markdown]
# ## The answer

# %%
per_member_programme = budget_per_period / members
proj = econ.project_member_base(members, r_draws, margin=margin_per_period, budget=budget_per_period,
                                acquisition_cost=acquisition_cost, retention_with_programme=r_draws + retention_lift,
                                horizon=horizon, discount_rate=discount_rate)
at_horizon = proj[proj.period == horizon].set_index("strategy")
wins = "keeping members" if at_horizon.loc["retain", "cumulative_value"] > at_horizon.loc["acquire", "cumulative_value"] else "acquiring members"
be = econ.break_even_retention(margin_per_period, r0, per_member_programme, discount_rate)
display(Markdown(report.churn_answer(at_horizon, wins, be, r0, retention_lift, horizon, currency)))
summary.record(winner=wins, end_of_horizon=at_horizon.reset_index(), break_even=be, retention=r0)

# %% [markdown]
# ## Retention: what the cohort says
#
# Shifted-beta-geometric model fitted to the survivor counts (maximum likelihood; Wald intervals on the log scale).

# %%
display(sbg.summary)
periods = list(range(len(survivors) + horizon))
curve = pd.DataFrame({"period": periods, "projected": sbg.survival_function(periods) * survivors[0]})
ax = curve.plot(x="period", y="projected", label="sBG projection")
ax.scatter(range(len(survivors)), survivors, color="black", zorder=3, label="observed")
ax.set_ylabel("members still active"); ax.legend(frameon=False); plt.show()
display(pd.DataFrame({"period": periods[1:8], "retention_rate": sbg.retention_rate(periods[1:8])}))

# %% [markdown]
# ## The statement

# %%
stated = econ.retention_from_statement(lost_share, lost_over_periods)
display(Markdown(f"Losing {lost_share:.0%} every {lost_over_periods:g} periods means keeping **{stated:.1%}** a period "
                 f"(expected stay {econ.expected_lifetime(stated):.1f} periods). The cohort above keeps {r0:.1%} a period on average over the next {horizon} periods "
                 f"(equivalent constant rate; 90% band {pd.Series(r_draws).quantile(0.05):.1%} to {pd.Series(r_draws).quantile(0.95):.1%})."))

# %% [markdown]
# ## Projection under both strategies (median and 90% band over parameter draws)

# %%
fig, axes = plt.subplots(1, 2, figsize=(11, 4), layout="constrained")
for strategy, g in proj.groupby("strategy"):
    axes[0].plot(g.period, g.members, label=strategy); axes[0].fill_between(g.period, g.members_low, g.members_high, alpha=0.2)
    axes[1].plot(g.period, g.cumulative_value, label=strategy); axes[1].fill_between(g.period, g.value_low, g.value_high, alpha=0.2)
axes[0].set_title("members"); axes[1].set_title(f"cumulative discounted value ({currency})"); axes[0].legend(frameon=False); plt.show()

# %% [markdown]
# ## Retention in the community's own event log
#
# Cohorts by first active period (cells not yet observed are blank); tenure from first contribution to last activity, members quiet for 90 days counted as churned, the others censored.

# %%
from communitylab.retention import cohorts, survival
community = datasets.load_community(source, format=format or None, start=start or None, end=end or None)
cohort_table = cohorts.cohort_retention(community, "month")
plots.plot_cohort_retention(cohort_table)
plt.show()
tenure = survival.member_tenure(community)
plots.plot_tenure_survival(survival.kaplan_meier(tenure, "first_post_got_reply"),
                           labels={True: "first post answered", False: "first post not answered", 1: "first post answered", 0: "first post not answered"})
plt.show()

# %%
hazards = survival.proportional_hazards(tenure, "first_post_got_reply")
display(Markdown("Cox proportional hazards of churn (a ratio below 1: members with the feature stay longer; observational)."))
display(hazards)
summary.record(cohort_sizes=cohort_table["size"].tolist(), hazards=hazards)

# %% [markdown]
# ## Value per member: BG/NBD and Gamma-Gamma on transactions
#
# Counted at day resolution; the 39-week calibration reproduces Fader, Hardie & Lee (2005).

# %%
tx = datasets.load_transactions(transactions)
rfm = rfm_summary(tx, "customer_id", "date", monetary_value_col="value", observation_period_end=calibration_end, time_scaler=7)
bgnbd = BetaGeoFitter().fit(rfm)
gg = GammaGammaFitter().fit(rfm[rfm.frequency > 0])
display(bgnbd.summary); display(gg.summary)
summary.record(bgnbd=bgnbd.summary.reset_index(), gamma_gamma=gg.summary.reset_index())

# %%
rfm["p_alive"] = bgnbd.conditional_probability_alive(rfm.frequency, rfm.recency, rfm["T"])
rfm["expected_52w"] = bgnbd.predict(52, rfm.frequency, rfm.recency, rfm["T"])
rfm["expected_value"] = rfm.expected_52w * gg.predict(rfm.frequency, rfm.monetary_value)
concentration = econ.value_concentration(rfm.expected_value, seed=seed)
display(report.format_estimates(concentration, percent=True))
summary.record(value_concentration=concentration)

# %% [markdown]
# Caveats: the projection uses a constant per-period retention matching the cohort's survival over the horizon, the programme's lift is an assumption (a parameter), and value models assume spend independent of frequency.
