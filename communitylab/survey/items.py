"""Likert and multi-select items, cross-tabulations and scale reliability."""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats
from statsmodels.stats.contingency_tables import mcnemar

from communitylab.survey.codebook import Question
from communitylab.survey.proportions import proportion_ci

__all__ = ["question_summary", "open_answers", "likert_distribution", "top_box", "multiselect_table", "multiselect_binary", "compare_options", "crosstab_test", "cronbach_alpha", "top_box_indicator", "nonresponse_table", "open_answer_terms"]


def likert_distribution(responses: pd.DataFrame, question: Question, *, population: int | None = None, method: str = "wilson", level: float = 0.95) -> pd.DataFrame:
    """Count and share of each level (missing answers left out), each share with its interval."""
    col = responses[question.id].dropna().astype(str)
    n = len(col)
    rows = []
    for lev in question.levels:
        k = int((col == lev).sum())
        ci = proportion_ci(k, n, method=method, level=level, population=population) if n else None
        rows.append({"level": lev, "count": k, "share": k / n if n else np.nan, "ci_low": ci["ci_low"] if ci is not None else np.nan, "ci_high": ci["ci_high"] if ci is not None else np.nan, "n": n})
    return pd.DataFrame(rows)


def top_box(responses: pd.DataFrame, question: Question, boxes: int = 1, **kwargs) -> pd.Series:
    """Share choosing the top ``boxes`` level(s) (e.g. "very pertinent"), with its interval."""
    col = responses[question.id].dropna().astype(str)
    k = int(col.isin(question.levels[-boxes:]).sum())
    return proportion_ci(k, len(col), **kwargs)


def top_box_indicator(responses: pd.DataFrame, question: Question, boxes: int = 2) -> pd.Series:
    """1.0 where a respondent chose one of the top ``boxes`` levels, 0.0 for another level, NaN unanswered."""
    col = responses[question.id]
    return col.astype(str).isin(question.levels[-boxes:]).astype(float).where(col.notna())


def nonresponse_table(responses: pd.DataFrame, questions: list[Question], population: int) -> pd.DataFrame:
    """Worst-case (Manski) bounds on the top-box share of each question if every member who did not
    answer had answered the other way: ``question, observed, lower, upper, respondents, population``."""
    from communitylab.survey.proportions import nonresponse_bounds

    rows = []
    for q in questions:
        top = top_box(responses, q)
        rows.append({"question": q.id, **nonresponse_bounds(int(top["k"]), int(top["n"]), population).to_dict()})
    out = pd.DataFrame(rows, columns=["question", "observed", "lower", "upper", "respondents", "population"])
    out.attrs["percent"] = ["observed", "lower", "upper"]
    return out


def multiselect_binary(responses: pd.DataFrame, question: Question) -> pd.DataFrame:
    """One 0/1 column per option (respondents who skipped the question stay missing)."""
    col = responses[question.id]
    answered = col.notna() & (col.astype(str).str.strip() != "")
    parts = col.where(answered).astype("string").str.split(question.separator)
    out = pd.DataFrame(index=responses.index)
    for opt in question.levels:
        chosen = parts.map(lambda ps, o=opt: None if ps is pd.NA or ps is None else int(o in [p.strip() for p in ps]))
        out[opt] = chosen.astype("Int64")
    return out


def multiselect_table(responses: pd.DataFrame, question: Question, **kwargs) -> pd.DataFrame:
    """Per option: how many of those who answered chose it, share and interval."""
    b = multiselect_binary(responses, question).dropna()
    n = len(b)
    rows = []
    for opt in question.levels:
        k = int(b[opt].sum())
        ci = proportion_ci(k, n, **kwargs)
        rows.append({"option": opt, "chosen": k, "share": k / n if n else np.nan, "ci_low": ci["ci_low"], "ci_high": ci["ci_high"], "n": n})
    return pd.DataFrame(rows)


def compare_options(responses: pd.DataFrame, question: Question, a: str, b: str) -> pd.Series:
    """Exact McNemar test of two options chosen by the same respondents (statsmodels ``mcnemar``).

    Only discordant respondents (chose one but not the other) carry information: 12 vs 11 with
    most choosing both is no difference at all. Returns the counts, the difference of shares and
    the exact two-sided p-value.
    """
    bnr = multiselect_binary(responses, question).dropna()
    x, y = bnr[a].astype(int), bnr[b].astype(int)
    table = [[int(((x == 1) & (y == 1)).sum()), int(((x == 1) & (y == 0)).sum())], [int(((x == 0) & (y == 1)).sum()), int(((x == 0) & (y == 0)).sum())]]
    res = mcnemar(table, exact=True)
    return pd.Series({"option_a": a, "option_b": b, "chose_a": int(x.sum()), "chose_b": int(y.sum()), "both": table[0][0], "only_a": table[0][1], "only_b": table[1][0],
                      "neither": table[1][1], "difference": (x.sum() - y.sum()) / len(x), "p_value": float(res.pvalue), "n": len(x), "method": "exact McNemar"})


def crosstab_test(responses: pd.DataFrame, row: str, col: str, *, n_permutations: int = 10_000, seed: int = 0) -> tuple[pd.DataFrame, pd.Series]:
    """Cross-tabulation with a test of independence.

    2×2: Fisher's exact test (odds ratio). Larger tables: Pearson's chi-square, and — because
    expected counts below 5 make its p-value unreliable in small surveys — a seeded Monte Carlo
    permutation p-value of the same statistic (as R's ``chisq.test(simulate.p.value = TRUE)``).
    """
    d = responses[[row, col]].dropna()
    table = pd.crosstab(d[row], d[col])
    if table.shape == (2, 2):
        odds, p = stats.fisher_exact(table.to_numpy())
        return table, pd.Series({"test": "Fisher exact", "odds_ratio": odds, "p_value": p, "n": int(table.to_numpy().sum())})
    chi2, p, dof, expected = stats.chi2_contingency(table.to_numpy(), correction=False)
    rng = np.random.default_rng(seed)
    a = pd.Categorical(d[row]).codes
    b = pd.Categorical(d[col]).codes
    ra, cb_ = a.max() + 1, b.max() + 1
    row_tot = np.bincount(a, minlength=ra).astype(float)
    col_tot = np.bincount(b, minlength=cb_).astype(float)
    expect = np.outer(row_tot, col_tot) / len(a)
    perms = np.argsort(rng.random((n_permutations, len(b))), axis=1)
    cells = a[None, :] * cb_ + b[perms]
    counts = np.apply_along_axis(np.bincount, 1, cells, minlength=ra * cb_).reshape(n_permutations, ra, cb_)
    stat = (((counts - expect) ** 2) / np.where(expect > 0, expect, np.inf)).sum(axis=(1, 2))
    exceed = int((stat >= chi2 - 1e-9).sum())
    return table, pd.Series({"test": "chi-square", "statistic": chi2, "dof": dof, "p_value": p, "p_value_permutation": (exceed + 1) / (n_permutations + 1),
                             "min_expected": float(expected.min()), "n": int(table.to_numpy().sum())})


def cronbach_alpha(items: pd.DataFrame, *, n_boot: int = 1000, seed: int = 0, level: float = 0.95) -> pd.Series:
    """Cronbach's alpha of a multi-item scale (complete cases), with a seeded bootstrap interval.

    ``alpha = k/(k-1) * (1 - sum(item variances) / variance(total))``; matches R ``psych::alpha``'s
    raw alpha.
    """
    from communitylab.bootstrap import bootstrap_ci

    x = items.apply(lambda s: s.cat.codes.where(s.cat.codes >= 0) if hasattr(s, "cat") else pd.to_numeric(s, errors="coerce")).dropna().to_numpy(float)

    def alpha(m: np.ndarray) -> float:
        k = m.shape[1]
        return k / (k - 1) * (1 - m.var(axis=0, ddof=1).sum() / m.sum(axis=1).var(ddof=1))

    est, lo, hi = bootstrap_ci(x, alpha, n_boot=n_boot, seed=seed, level=level)
    return pd.Series({"alpha": est, "ci_low": lo, "ci_high": hi, "items": x.shape[1], "n": x.shape[0]})


def question_summary(responses: pd.DataFrame, question: Question, *, population: int | None = None, method: str = "wilson", level: float = 0.95) -> pd.DataFrame:
    """The table a report shows for one question, whatever its type.

    likert / single: :func:`likert_distribution`; multi: :func:`multiselect_table`; numeric:
    n, mean with a t interval (fpc when the population is known), median, min, max; text: the
    number of answers (list them with :func:`open_answers`).
    """
    kw = {"population": population, "method": method, "level": level}
    if question.type in ("likert", "single"):
        return likert_distribution(responses, question, **kw)
    if question.type == "multi":
        return multiselect_table(responses, question, **kw)
    col = responses[question.id]
    if question.type == "numeric":
        x = pd.to_numeric(col, errors="coerce").dropna()
        n = len(x)
        f = 1 - n / population if population else 1.0
        se = x.std(ddof=1) / np.sqrt(n) * np.sqrt(f) if n > 1 else np.nan
        t = stats.t.ppf(0.5 + level / 2, n - 1) if n > 1 else np.nan
        return pd.DataFrame([{"n": n, "mean": x.mean(), "ci_low": x.mean() - t * se, "ci_high": x.mean() + t * se, "median": x.median(), "min": x.min(), "max": x.max()}])
    answered = col.notna() & (col.astype(str).str.strip() != "")
    return pd.DataFrame([{"answers": int(answered.sum()), "respondents": len(col)}])


def open_answers(responses: pd.DataFrame, question: Question, id_col: str, *, show_personal_data: bool = False) -> pd.DataFrame:
    """Open-text answers under pseudonymous respondent labels, e-mail addresses redacted
    (unless ``show_personal_data``)."""
    from communitylab.privacy import pseudonym, redact_text

    col = responses[question.id]
    keep = col.notna() & (col.astype(str).str.strip() != "")
    rows = []
    for rid, text in zip(responses.loc[keep, id_col], col[keep]):
        rows.append({"respondent": rid if show_personal_data else pseudonym(rid, prefix="R"), "answer": text if show_personal_data else redact_text(str(text))[0]})
    return pd.DataFrame(rows, columns=["respondent", "answer"])


_STOP = frozenset("""a about above after again all also am an and any are as at be because been before being below between both but by
can could did do does doing down during each few for from further had has have having he her here hers him his how i if in into is
it its itself just me more most my no nor not now of off on once only or other our ours out over own same she should so some such
than that the their them then there these they this those through to too under until up very was we were what when where which
while who whom why will with would you your yours le la les de des du un une et en est pour que qui dans sur pas plus par avec""".split())


def open_answer_terms(responses: pd.DataFrame, question: Question, *, min_answers: int = 3, top: int = 20) -> pd.DataFrame:
    """The words respondents use in an open question, without quoting anyone.

    A word is listed only when at least ``min_answers`` different respondents used it, so a name
    or a detail that one respondent wrote never reaches a shared report (a k-anonymity threshold);
    e-mail addresses and numbers are never words. Returns ``term, answers, share`` (share of the
    non-empty answers), the ``top`` most used first; ``attrs["answered"]`` is the number of non-empty answers.
    """
    import re

    from communitylab.privacy import EMAIL_RE

    col = responses[question.id]
    texts = [EMAIL_RE.sub(" ", str(t)) for t in col[col.notna() & (col.astype(str).str.strip() != "")]]
    counts: dict[str, int] = {}
    for text in texts:
        for word in set(re.findall(r"[^\W\d_]{3,}", text.lower())):
            if word not in _STOP:
                counts[word] = counts.get(word, 0) + 1
    rows = sorted(((w, k) for w, k in counts.items() if k >= min_answers), key=lambda x: (-x[1], x[0]))[:top]
    out = pd.DataFrame([{"term": w, "answers": k, "share": k / len(texts)} for w, k in rows], columns=["term", "answers", "share"])
    out.attrs["answered"] = len(texts)
    return out

