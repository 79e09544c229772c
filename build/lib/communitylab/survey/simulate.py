"""A larger simulated member survey with segments, for weighting: nonresponse differs by segment
and so do the answers, so unweighted shares are biased and weighting corrects them."""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["simulate_member_survey"]


def simulate_member_survey(n_members: int = 2000, *, seed: int = 0) -> dict:
    """Return ``{"responses", "codebook", "margins", "truth"}``.

    ``responses["segment_size"]`` is the number of members in the respondent's segment, so the
    sample can be declared stratified by segment (``strata="segment", fpc="segment_size"``).

    Members are customers (60 %), partners (25 %) or prospects (15 %) in two regions. Partners
    answer far more often (40 %) than customers (12 %) or prospects (5 %) and are more satisfied,
    so the raw share satisfied overstates the member base's. ``truth["satisfied_share"]`` is the
    share among all members.
    """
    rng = np.random.default_rng(seed)
    seg = rng.choice(["customer", "partner", "prospect"], size=n_members, p=[0.60, 0.25, 0.15])
    region = rng.choice(["Quebec", "Ontario"], size=n_members, p=[0.7, 0.3])
    p_sat = pd.Series({"customer": 0.45, "partner": 0.80, "prospect": 0.30})[seg].to_numpy()
    satisfied = rng.random(n_members) < p_sat
    levels = ["Very dissatisfied", "Dissatisfied", "Neutral", "Satisfied", "Very satisfied"]
    answer = np.where(satisfied, rng.choice(levels[3:], size=n_members, p=[0.7, 0.3]), rng.choice(levels[:3], size=n_members, p=[0.2, 0.4, 0.4]))
    items = {f"trust_{i}": np.clip(np.round(3 + 1.2 * (satisfied - 0.5) * 2 + rng.normal(0, 0.8, n_members)), 1, 5).astype(int).astype(str) for i in range(1, 4)}
    p_resp = pd.Series({"customer": 0.12, "partner": 0.40, "prospect": 0.05})[seg].to_numpy()
    responded = rng.random(n_members) < p_resp
    df = pd.DataFrame({"segment": seg, "region": region, "satisfaction": answer, **items})[responded].reset_index(drop=True)
    # the design a survey team would declare: respondents as a random sample within each segment
    df["segment_size"] = df["segment"].map(pd.Series(seg).value_counts())
    codebook = {
        "title": "Simulated member survey (synthetic)",
        "population": {"total": n_members, "by_segment": pd.Series(seg).value_counts().to_dict()},
        "segment_column": "segment",
        "questions": {
            "satisfaction": {"type": "likert", "levels": levels, "text": "How satisfied are you with the community?"},
            "segment": {"type": "single", "levels": ["customer", "partner", "prospect"]},
            "region": {"type": "single", "levels": ["Quebec", "Ontario"]},
            **{k: {"type": "likert", "levels": ["1", "2", "3", "4", "5"], "text": f"Trust item {k[-1]}"} for k in items},
        },
    }
    margins = {"segment": pd.Series(seg).value_counts().to_dict(), "region": pd.Series(region).value_counts().to_dict()}
    return {"responses": df, "codebook": codebook, "margins": margins, "truth": {"satisfied_share": float(satisfied.mean())}}
