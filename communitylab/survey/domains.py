"""Survey answers under a sample design: design-based shares for each answer, and segments
compared as domains of the full design (never by subsetting the data first).

A design is given as :func:`design_spec` builds it from a study's parameters (the columns of
``svydesign(id=, strata=, fpc=, weights=)``); every function here passes it to
:mod:`communitylab.survey.design`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from communitylab.survey.codebook import Question
from communitylab.survey.design import svychisq, svyciprop
from communitylab.survey.items import multiselect_binary

__all__ = ["design_spec", "design_shares", "compare_segments", "analyse_design"]


def design_spec(ids: Sequence[str] | str | None = None, strata: str | None = None, fpc: Sequence[str] | str | None = None,
                weights: str | None = None) -> dict[str, Any] | None:
    """The design as keyword arguments, or None when nothing is given (respondents then are
    treated as a simple random sample of the members, with the finite population correction)."""
    spec = {"ids": list(ids) if isinstance(ids, list | tuple) else ids or None, "strata": strata or None,
            "fpc": list(fpc) if isinstance(fpc, list | tuple) else fpc or None, "weights": weights or None}
    return spec if any(v for v in spec.values()) else None


def _indicators(responses: pd.DataFrame, question: Question) -> pd.DataFrame:
    """One 0/1 column per answer (missing where the question was skipped)."""
    if question.type == "multi":
        return multiselect_binary(responses, question).astype(float)
    col = responses[question.id]
    answered = col.notna() & (col.astype(str).str.strip() != "")
    return pd.DataFrame({lv: (col == lv).astype(float).where(answered) for lv in question.levels}, index=responses.index)


def design_shares(responses: pd.DataFrame, question: Question, design: dict[str, Any], *, method: str = "logit",
                  level: float = 0.95) -> pd.DataFrame:
    """Design-based share choosing each answer, among those who answered, with its interval
    (:func:`~communitylab.survey.design.svyciprop`, ``method`` as there).

    Returns ``answer, share, se, ci_low, ci_high, n, df``.
    """
    ind = _indicators(responses, question)
    rows = []
    for answer in ind.columns:
        data = responses.assign(_y=ind[answer].to_numpy())
        answered = data["_y"].notna().to_numpy()
        k = float(np.nansum(data["_y"]))
        if k in (0.0, float(answered.sum())):  # nobody or everybody: no logit interval; say so rather than invent one
            rows.append({"answer": answer, "share": k / answered.sum() if answered.sum() else np.nan, "se": 0.0,
                         "ci_low": np.nan, "ci_high": np.nan, "n": int(answered.sum()), "df": np.nan})
            continue
        est = svyciprop(data, "_y", method=method, level=level, **design)
        rows.append({"answer": answer, "share": est["estimate"], "se": est["se"], "ci_low": est["ci_low"],
                     "ci_high": est["ci_high"], "n": int(est["n"]), "df": est["df"]})
    return pd.DataFrame(rows)


def compare_segments(responses: pd.DataFrame, question: Question, segment: str, design: dict[str, Any] | None = None, *,
                     top: int = 2, method: str = "logit", level: float = 0.95) -> tuple[pd.DataFrame, pd.Series]:
    """Each segment's top-``top``-box share (Likert) or first-answer share (single choice) as a
    domain of the full design, and a Rao–Scott test that answers do not differ by segment.

    Without a design, respondents are a simple random sample (weights 1).

    Returns
    -------
    table : DataFrame
        ``segment, share, ci_low, ci_high, n``.
    test : Series
        From :func:`~communitylab.survey.design.svychisq` (F statistic).
    """
    design = design or {}
    col = responses[question.id]
    boxes = question.levels[-top:] if question.type == "likert" else question.levels[:1]
    answered = col.notna() & (col.astype(str).str.strip() != "")
    data = responses.assign(_y=col.isin(boxes).astype(float).where(answered))
    rows = []
    for value in sorted(data[segment].dropna().unique()):
        dom = (data[segment] == value).to_numpy()
        inside = dom & answered.to_numpy()
        k = float(np.nansum(data["_y"].to_numpy()[inside]))
        n = int(inside.sum())
        if n == 0 or k in (0.0, float(n)):
            rows.append({"segment": value, "share": k / n if n else np.nan, "ci_low": np.nan, "ci_high": np.nan, "n": n})
            continue
        est = svyciprop(data, "_y", method=method, level=level, domain=dom, **design)
        rows.append({"segment": value, "share": est["estimate"], "ci_low": est["ci_low"], "ci_high": est["ci_high"], "n": n})
    test = svychisq(data.assign(_answer=col.where(answered)), segment, "_answer", **design)
    return pd.DataFrame(rows), test


def analyse_design(responses: pd.DataFrame, codebook, design: dict[str, Any] | None, segment: str | None, *,
                   level: float = 0.95) -> dict[str, Any]:
    """What the member survey study shows under a sample design.

    Returns ``{"shares": {question: design_shares table}}`` (empty without a design) and
    ``{"segments": {question: {"table", "test"}}}``: each Likert question's top-two-box share per
    value of ``segment`` as domains of the design, with the Rao–Scott test (empty when the
    segment column is absent).
    """
    shares = {} if not design else {
        qid: design_shares(responses, q, design, level=level)
        for qid, q in codebook.questions.items() if q.type in ("likert", "single", "multi") and qid != segment
    }
    segments = {}
    if segment and segment in responses.columns:
        for q in (q for q in codebook.questions.values() if q.type == "likert"):
            table, test = compare_segments(responses, q, segment, design, level=level)
            segments[q.id] = {"table": table, "test": test.to_dict()}
    return {"shares": shares, "segments": segments}
