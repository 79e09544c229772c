# %% tags=["remove_cell"]
# %matplotlib inline
import warnings
import matplotlib.pyplot as plt
import pandas as pd
from IPython.display import Markdown, display
warnings.filterwarnings("ignore", category=FutureWarning)
pd.set_option("display.precision", 3)

# %% tags=["parameters"]
scenario: str = "brand_centric"  # simulator scenario: living, brand_centric, lapsing_host, dormant, revitalized
seed: int = 0  # seed of the simulator
your_export: str = ""  # path to your own export (Slack zip, Discord JSON, mbox, ...); empty: a bundled export file

# %%
from communitylab import datasets, engagement as eng, report, simulate, summary
sim = simulate.simulate(scenario, seed=seed)
community = sim.community()
display(Markdown("# Getting started with communitylab\n\n" + report.run_header("Getting started", {"scenario": scenario, "seed": seed}, {scenario: community})))

# %% [markdown]
# The simulator builds a community whose truth is known. Here is what the kit concludes about it:

# %%
verdict = eng.health_verdict(community)
display(Markdown(verdict._repr_markdown_()))
display(Markdown(f"The scenario was built to be judged **{sim.truth['expected_verdict']}**."))
summary.record(scenario=scenario, verdict=verdict.label, expected=sim.truth["expected_verdict"])

# %% [markdown]
# Bundled real data sets, each with a README giving provenance and licence:

# %%
display(datasets.describe_datasets()[['name', 'description', 'licence']])

# %% [markdown]
# ## Your own community
#
# Point the kit at your export: the format is recognized from its files (`communitylab inspect PATH` does the same from a terminal). These are the formats it reads, what each maps to, and who counts as the host:

# %%
from communitylab import loaders
display(loaders.describe_formats())

# %%
path = your_export or str(datasets.dataset_path("twcs-sample"))  # a customer-support export, loaded by its path
own = datasets.load_community(path)
display(Markdown(f"**{report.source_label(path)}**: recognized as `{own.format}`; hosts by {own.host_rule}: {len(own.hosts):,} found; "
                 f"{own.report.rows_loaded:,} events loaded, {own.report.excluded:,} excluded by stated rules."))
own_verdict = eng.health_verdict(own)
display(Markdown(own_verdict._repr_markdown_()))
display(Markdown("Next: `communitylab run community_health -p source PATH` renders the full health report for it."))
summary.record(own_export_format=own.format, own_export_verdict=own_verdict.label)
