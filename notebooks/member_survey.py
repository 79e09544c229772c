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
responses: str = "seed-survey"  # "seed-survey" (reconstruction), "simulated", or a CSV/XLSX export path
codebook: str = ""  # YAML codebook path; empty: the seed survey's
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
seed: int = 0  # seed of bootstrap and permutation draws

# %%
from communitylab import datasets, plots, summary, tables
from communitylab.survey import items, proportions
from communitylab.survey import weighting as wt
from communitylab import study_advice
survey = datasets.load_survey(responses, codebook or None, seed=seed)
r, cb = survey["responses"], survey["codebook"]
N = population or cb.population
display(Markdown(f"# Member survey: {cb.title}\n\n" + report.run_header("Member survey", {"responses": report.source_label(responses), "population": N, "level": confidence_level, "method": method})))

# %%
figures = report.survey_key_figures(r, cb, N, method=method, level=confidence_level)
multi = [q for q in cb.questions.values() if q.type == "multi" and {compare_a, compare_b} <= set(q.levels)]
mc = items.compare_options(r, multi[0], compare_a, compare_b) if multi else None
crossed = items.crosstab_test(r, crosstab_row, crosstab_col, seed=seed) if {crosstab_row, crosstab_col} <= set(r.columns) else None
row_q, col_q = cb.questions.get(crosstab_row), cb.questions.get(crosstab_col)
row_label = report.question_label(row_q, 50) if row_q else crosstab_row
col_label = report.question_label(col_q, 50) if col_q else crosstab_col
todo = study_advice.actions_from(study_advice.SURVEY_RULES, study_advice.survey_signals(
    len(r), N, figures, mc, crossed[1] if crossed else None, labels=(row_label, col_label), level=confidence_level))
answer = report.survey_capability(len(r), N, confidence_level)
report.executive_summary(answer, figures, level=confidence_level, actions=todo)
summary.record(respondents=len(r), population=N, response_rate=len(r) / N if N else None, answer=answer, actions=todo,
               margin_of_error=proportions.margin_of_error(len(r), N or None, level=confidence_level))

# %% [markdown]
# ## Question by question
#
# Shares of those who answered each question, with intervals (finite population corrected).

# %%
answers = {qid: items.question_summary(r, q, population=N or None, method=method, level=confidence_level) for qid, q in cb.questions.items() if q.type != "text"}
for qid, q in cb.questions.items():
    if q.type == "text":
        continue
    display(tables.table(answers[qid], title=report.question_label(q)))
    if q.type == "likert":
        plots.plot_likert({report.question_label(q, 40): answers[qid]}, midpoint=q.midpoint)
        report.show_figure(f"{report.question_label(q)}: share of respondents at each level, disagreeing to the left of the midpoint "
                           f"and agreeing to the right ({int(answers[qid]['n'].iloc[0]):,} answers).")
summary.record(questions=answers)

# %% [markdown]
# ## Under the sample design
#
# When the sample design is given (clusters, strata, fpc, weights), every share is estimated on it, with a logit interval on the design's degrees of freedom (R `svyciprop`), and segments are compared as domains of the full design with a Rao–Scott test (R `svychisq`).

# %%
from communitylab.survey import domains
design = domains.design_spec(design_ids, design_strata, design_fpc, design_weights)
under = domains.analyse_design(r, cb, design, segment or cb.segment_column, level=confidence_level)
if not design:
    display(Markdown("_No sample design was given (parameters `design_*`): the shares above treat respondents as a simple random sample of the members._"))
for qid, table in under["shares"].items():
    display(tables.table(table, title=f"{qid}: design-based shares"))
for qid, compared in under["segments"].items():
    display(Markdown(report.segment_test(qid, segment or cb.segment_column, compared["test"])))
    display(tables.table(compared["table"]))
if design:
    summary.record(design=design, design_shares=under["shares"])
if under["segments"]:
    summary.record(segments=under["segments"])

# %% [markdown]
# ## Nonresponse bounds for the top answer of each Likert question
#
# If every member who did not answer had answered the other way, the share among all members would lie between these bounds.

# %%
likert = [q for q in cb.questions.values() if q.type == "likert"]
if N:
    display(tables.table(items.nonresponse_table(r, likert, N)))
else:
    display(Markdown("_The number of members invited is not known (parameter `population`): no bounds._"))

# %% [markdown]
# ## Comparing two options chosen by the same respondents

# %%
if mc is not None:
    display(Markdown(report.options_sentence(mc, multi[0])))
    summary.record(comparison=mc.to_dict())
else:
    display(Markdown(f"_No multi-select question offers both *{compare_a}* and *{compare_b}* (parameters `compare_a`, `compare_b`): "
                     "nothing to compare._"))

# %% [markdown]
# ## Cross-tabulation and scale reliability

# %%
if crossed is not None:
    table, test = crossed
    display(tables.table(table, title=f"{row_label} (rows) by {col_label} (columns)"))
    display(Markdown(report.crosstab_sentence(test, row_label, col_label)))
    summary.record(crosstab=test.to_dict())
else:
    display(Markdown(f"_The survey has no questions {crosstab_row} and {crosstab_col} to cross (parameters `crosstab_row`, "
                     "`crosstab_col`)._"))

# %%
alpha = items.cronbach_alpha(r[scale_items], seed=seed) if scale_items and set(scale_items) <= set(r.columns) else None
display(Markdown(report.reliability_sentence(alpha, scale_items)))
if alpha is not None:
    summary.record(cronbach_alpha=alpha.to_dict())

# %% [markdown]
# ## Weighting to the member base

# %%
if survey["margins"]:
    likert_q = likert[0]
    weighted = wt.weighting_comparison(items.top_box_indicator(r, likert_q), r, survey["margins"], population=N, level=confidence_level)
    display(Markdown(f"Top-two-box share of \u201c{report.question_label(likert_q)}\u201d under each weighting. Standard errors account for the calibration (as R `survey` does after `postStratify`/`rake`); the design effect is the precision unequal weights cost."))
    display(tables.table(weighted))
    summary.record(weighting=weighted.reset_index())
else:
    display(Markdown("_No member-base margins are known for this survey, so no weighting was applied._"))

# %% [markdown]
# ## Open answers
#
# Verbatim answers can name people, so a shared report does not quote them: it lists the words that at least three respondents used (a name or a detail only one respondent wrote never appears). With `show_personal_data` the answers are listed verbatim, under pseudonymous labels.

# %%
open_questions = [q for q in cb.questions.values() if q.type == "text"]
for q in open_questions:
    if show_personal_data:
        display(tables.table(items.open_answers(r, q, survey["id_col"], show_personal_data=True), title=report.question_label(q)))
        continue
    terms = items.open_answer_terms(r, q, min_answers=3)
    if len(terms):
        display(tables.table(terms, title=report.question_label(q),
                             note=f"{terms.attrs['answered']:,} respondents answered; words used by at least 3 of them."))
    else:
        display(Markdown(f"_\u201c{report.question_label(q)}\u201d: {terms.attrs['answered']:,} respondents answered, and no word was used "
                         "by three of them, so none can be shown without risking naming someone._"))
if not open_questions:
    display(Markdown("_The survey has no open questions._"))

# %%
report.glossary(["top-two-box", "margin of error", "95% interval", "n"])
