"""The survey codebook (YAML) and validation of responses against it.

Example::

    title: LinkedIn group member survey
    population: 314            # members invited (or {total: 314, by_segment: {a: 200, b: 114}})
    questions:
      q1:
        text: Are groups on social networks still pertinent?
        type: likert            # likert | single | multi | numeric | text
        levels: [Not pertinent, Somewhat pertinent, Fairly pertinent, Very pertinent]
        midpoint: false
      q2:
        type: multi
        separator: ";"
        levels: [Publish relevant content, Encourage conversation]
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml

from communitylab.schema import DataValidationError

__all__ = ["Question", "Codebook", "load_codebook", "read_responses"]

TYPES = ("likert", "single", "multi", "numeric", "text")


@dataclass
class Question:
    id: str
    type: str
    text: str = ""
    levels: list[str] = field(default_factory=list)
    separator: str = ";"
    midpoint: bool | None = None


@dataclass
class Codebook:
    questions: dict[str, Question]
    population: int | None = None
    population_by_segment: dict[str, int] = field(default_factory=dict)
    title: str = ""
    segment_column: str | None = None


def load_codebook(path: str | os.PathLike | dict[str, Any]) -> Codebook:
    """Read and check a YAML codebook (or the equivalent dict)."""
    spec = path if isinstance(path, dict) else yaml.safe_load(Path(path).read_text())
    source = "codebook" if isinstance(path, dict) else str(path)
    qs = {}
    for qid, q in (spec.get("questions") or {}).items():
        qtype = q.get("type")
        if qtype not in TYPES:
            raise DataValidationError(source, f"questions.{qid}.type", [qid], f"one of {list(TYPES)}", 1)
        if qtype in ("likert", "single", "multi") and not q.get("levels"):
            raise DataValidationError(source, f"questions.{qid}.levels", [qid], "the ordered list of answer levels", 1)
        levels = [str(v) for v in q.get("levels", [])]
        midpoint = q.get("midpoint", len(levels) % 2 == 1 if qtype == "likert" else None)
        qs[str(qid)] = Question(str(qid), qtype, q.get("text", ""), levels, q.get("separator", ";"), midpoint)
    pop = spec.get("population")
    by_segment = {}
    if isinstance(pop, dict):
        by_segment = {str(k): int(v) for k, v in (pop.get("by_segment") or {}).items()}
        pop = pop.get("total", sum(by_segment.values()) if by_segment else None)
    return Codebook(qs, int(pop) if pop else None, by_segment, spec.get("title", ""), spec.get("segment_column"))


def read_responses(path: str | os.PathLike | pd.DataFrame, codebook: Codebook, *, source: str | None = None) -> pd.DataFrame:
    """Read a CSV/XLSX export and check every answer against the codebook.

    Answers outside a question's levels (or non-numbers for numeric questions) raise
    :class:`~communitylab.schema.DataValidationError` naming the question and the rows (1-based
    data rows, as in a spreadsheet below its header); nothing is recoded silently. Blank answers
    are missing (item nonresponse) and stay missing.
    """
    if isinstance(path, pd.DataFrame):
        df, source = path.copy(), source or "responses"
    else:
        p = Path(path)
        source = source or str(p)
        df = pd.read_excel(p, dtype=str) if p.suffix.lower() in (".xlsx", ".xls") else pd.read_csv(p, dtype=str, keep_default_na=False, na_values=[""])
    missing = [q for q in codebook.questions if q not in df.columns]
    if missing:
        raise DataValidationError(source, ", ".join(missing), [], f"a column per codebook question (file has {list(df.columns)})", 0)
    for qid, q in codebook.questions.items():
        col = df[qid]
        present = col.notna() & (col.astype(str).str.strip() != "")
        if q.type in ("likert", "single"):
            bad = present & ~col.astype(str).str.strip().isin(q.levels)
            expected = f"one of {q.levels}"
        elif q.type == "multi":
            def outside(v: Any, q: Question = q) -> bool:
                return any(part.strip() not in q.levels for part in str(v).split(q.separator) if part.strip())
            bad = present & col.map(outside).astype(bool)
            expected = f"options from {q.levels} separated by {q.separator!r}"
        elif q.type == "numeric":
            bad = present & pd.to_numeric(col, errors="coerce").isna()
            expected = "a number"
        else:
            continue
        if bad.any():
            rows = (np.flatnonzero(bad) + 1).tolist()
            raise DataValidationError(source, qid, rows[:5], expected, int(bad.sum()))
        if q.type in ("likert", "single"):
            df[qid] = pd.Categorical(col.where(present).astype("string").str.strip(), categories=q.levels, ordered=q.type == "likert")
        elif q.type == "numeric":
            df[qid] = pd.to_numeric(col, errors="coerce")
    return df
