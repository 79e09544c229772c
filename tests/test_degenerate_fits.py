"""Fits on data that cannot identify a model say so: a warning, and "not estimable" instead of a
standard error of 0 or NaN without a word (no churn, no repeat, all censored, one value)."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from communitylab.errors import CommunityLabError, ConvergenceWarning, EstimationWarning
from communitylab.retention.models import (
    BetaGeoBetaBinomFitter,
    BetaGeoFitter,
    GammaGammaFitter,
    NotFittedError,
    ParetoNBDFitter,
    ShiftedBetaGeometricFitter,
)

NO_REPEAT = pd.DataFrame({"frequency": np.zeros(50), "recency": np.zeros(50), "T": np.full(50, 30.0)})


def _fit_warns(fit):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        model = fit()
    kinds = {type(w.message) for w in caught}
    return model, kinds


@pytest.mark.parametrize("name, fit", [
    ("sBG, no one ever leaves", lambda: ShiftedBetaGeometricFitter().fit([1000, 1000, 1000, 1000])),
    ("sBG, everyone leaves at once", lambda: ShiftedBetaGeometricFitter().fit([1000, 0, 0, 0])),
    ("BG/NBD, no repeat purchase", lambda: BetaGeoFitter().fit(NO_REPEAT)),
    ("Pareto/NBD, no repeat purchase", lambda: ParetoNBDFitter().fit(NO_REPEAT)),
    ("BG/BB, no repeat transaction", lambda: BetaGeoBetaBinomFitter().fit(
        pd.DataFrame({"frequency": np.zeros(40), "recency": np.zeros(40), "periods": np.full(40, 6)}))),
    ("Gamma-Gamma, one spend for all", lambda: GammaGammaFitter().fit(
        pd.DataFrame({"frequency": np.ones(30), "monetary_value": np.full(30, 20.0)}))),
])
def test_a_fit_the_data_cannot_identify_says_so(name, fit):
    model, kinds = _fit_warns(fit)
    assert kinds & {EstimationWarning, ConvergenceWarning}, name
    s = model.summary
    assert not (s["se"] == 0).any(), name  # never a standard error of 0
    assert ((s["note"] == "not estimable") == s["se"].isna()).all() and (s["note"] == "not estimable").any(), name


def test_an_identified_fit_is_silent_and_fully_estimable():
    survivors = [1000, 631, 468, 382, 326, 289, 262, 241]  # Fader & Hardie (2007), "regular" cohort
    model, kinds = _fit_warns(lambda: ShiftedBetaGeometricFitter().fit(survivors))
    assert not kinds and model.estimable_.all() and (model.summary["se"] > 0).all()


def test_every_error_of_a_model_is_a_communitylab_error():
    with pytest.raises(CommunityLabError):
        ShiftedBetaGeometricFitter().summary  # noqa: B018
    assert issubclass(NotFittedError, RuntimeError)
