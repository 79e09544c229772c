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
scenario: str = "brand_centric"  # simulator scenario: living, brand_centric, lapsing_host, dormant, revitalized
seed: int = 0  # seed of the simulator
your_export: str = ""  # path to your own export (Slack zip, Discord JSON, mbox, ...); empty: a simulated support export file

# %%
from communitylab import datasets, engagement as eng, simulate, summary, tables
sim = simulate.simulate(scenario, seed=seed)
community = sim.community()
verdict = eng.health_verdict(community)
display(Markdown("# Getting started with communitylab\n\n" + report.run_header("Getting started", {"scenario": scenario, "seed": seed}, {scenario: community})))

# %%
report.executive_summary(f"The simulator built a **{scenario.replace('_', ' ')}** community whose truth is known: it was made to be judged "
                         f"**{sim.truth['expected_verdict']}**. The kit judges it **{verdict.label}**.\n\n"
                         + "\n".join(f"- {r}" for r in verdict.reasons), verdict.key_figures())
summary.record(scenario=scenario, verdict=verdict.label, expected=sim.truth["expected_verdict"])

# %% [markdown]
# ## Real public data sets
#
# The kit knows these by name but ships none of them: `communitylab datasets fetch NAME` downloads one from its publisher (or a pinned public copy), checks it and prints its licence and citation. A study then takes the name as its source.

# %%
display(tables.table(datasets.describe_datasets()[["name", "description", "status", "size", "licence"]]))

# %% [markdown]
# ## Your own community
#
# Point the kit at your export: the format is recognized from its files (`communitylab inspect PATH` does the same from a terminal). These are the formats it reads, what each maps to, and who counts as the host:

# %%
from communitylab import loaders
display(tables.table(loaders.describe_formats()))

# %%
path = your_export or str(simulate.example_export(seed=seed))  # a simulated customer-support export, loaded by its path
own = datasets.load_community(path)
display(Markdown(f"**{report.source_label(path)}**: recognized as `{own.format}`; hosts by {own.host_rule}: {len(own.hosts):,} found; "
                 f"{own.report.rows_loaded:,} events loaded, {own.report.excluded:,} excluded by stated rules."))
own_verdict = eng.health_verdict(own)
display(Markdown(own_verdict._repr_markdown_()))
display(tables.table(own_verdict.signal_table()))
display(Markdown("Next: `communitylab run community_health -p source PATH` renders the full health report for it."))
summary.record(own_export_format=own.format, own_export_verdict=own_verdict.label)

# %%
report.glossary(["verdict", "host", "member", "member-to-member share", "reciprocity", "rate ratio", "95% interval", "n", "too little data"])
