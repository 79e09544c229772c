"""One fit-input convention: models of rows take a DataFrame and column names, models of one
sequence take array-likes; anything else is a ParameterError naming what was expected."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from communitylab.errors import ParameterError
from communitylab.intervention.its import InterruptedTimeSeries
from communitylab.retention.kaplan_meier import KaplanMeier
from communitylab.retention.models import (
    BetaGeoBetaBinomFitter,
    BetaGeoFitter,
    GammaGammaFitter,
    ParetoNBDFitter,
    ShiftedBetaGeometricFitter,
)

ROWS = [
    (BetaGeoFitter, "BetaGeoFitter.fit takes a DataFrame"),
    (ParetoNBDFitter, "ParetoNBDFitter.fit takes a DataFrame"),
    (BetaGeoBetaBinomFitter, "BetaGeoBetaBinomFitter.fit takes a DataFrame"),
    (GammaGammaFitter, "GammaGammaFitter.fit takes a DataFrame"),
]


@pytest.mark.parametrize("model, message", ROWS)
@pytest.mark.parametrize("wrong", [[1, 2, 3], np.array([[1, 2], [3, 4]]), {"frequency": [1]}, "rfm.csv"])
def test_models_of_rows_refuse_anything_but_a_frame(model, message, wrong):
    with pytest.raises(ParameterError, match=message):
        model().fit(wrong)


def test_the_time_series_refuses_anything_but_a_frame():
    with pytest.raises(ParameterError, match="InterruptedTimeSeries.fit takes a DataFrame with columns \\['period', 'value'\\]"):
        InterruptedTimeSeries().fit([3, 4, 5], ["2024-01-01"])


@pytest.mark.parametrize("wrong", [pd.DataFrame({"s": [1000, 600]}), "1000,600", [[1000, 600]], 1000, ["a", "b"]])
def test_models_of_one_sequence_refuse_anything_but_one(wrong):
    with pytest.raises(ParameterError, match="survivors as one sequence of numbers"):
        ShiftedBetaGeometricFitter().fit(wrong)
    with pytest.raises(ParameterError, match="durations as one sequence of numbers"):
        KaplanMeier().fit(wrong, [1, 0])


def test_every_accepted_form_of_a_sequence_gives_the_same_fit():
    t, e = [1.0, 2.0, 3.0, 3.0], [1, 0, 1, 1]
    fits = [KaplanMeier().fit(f(t), f(e)).surv_prob for f in (list, np.asarray, pd.Series, tuple)]
    assert all(np.array_equal(fits[0], f) for f in fits[1:])
    s = [1000, 631, 468, 382, 326, 289, 262, 241]
    assert ShiftedBetaGeometricFitter().fit(pd.Series(s)).params_.round(3).tolist() == [0.704, 1.182]
