"""Intervention (before/after) studies: did the dated steps change the community?

- :func:`outcome_series`: the outcome per period from an event log;
- :class:`InterruptedTimeSeries`: segmented Poisson regression, one level and slope change per
  phase of milestones, counterfactual and impact with intervals;
- :func:`placebo_in_time`: the same model at fake dates before the first intervention;
- :func:`poisson_changepoints`: where the series changed, found without the milestones;
- :func:`before_after`: health panel and verdict before the first and after the last milestone;
- :func:`synthetic_control`: a weighted mix of comparison communities that tracks the treated one
  before, the gap after, placebos in space.
"""

from communitylab.intervention.changepoints import poisson_changepoints
from communitylab.intervention.its import InterruptedTimeSeries, Phase, group_milestones
from communitylab.intervention.placebo import placebo_in_time
from communitylab.intervention.series import OUTCOMES, outcome_series
from communitylab.intervention.synth import SyntheticControl, predictor_table, simplex_weights, synthetic_control
from communitylab.intervention.windows import before_after

__all__ = [
    "OUTCOMES",
    "InterruptedTimeSeries",
    "Phase",
    "SyntheticControl",
    "before_after",
    "group_milestones",
    "outcome_series",
    "placebo_in_time",
    "poisson_changepoints",
    "predictor_table",
    "simplex_weights",
    "synthetic_control",
]
