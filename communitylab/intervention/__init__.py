"""Intervention (before/after) studies: did the dated steps change the community?

- :func:`outcome_series`: the outcome per period from an event log;
- :class:`InterruptedTimeSeries`: segmented Poisson regression, one level and slope change per
  phase of milestones, counterfactual and impact with intervals;
- :func:`placebo_in_time`: the same model at fake dates before the first intervention;
- :func:`poisson_changepoints`: where the series changed, found without the milestones;
- :func:`before_after`: health panel and verdict before the first and after the last milestone;
- :func:`difference_in_differences`: the treated community's change beyond its comparison
  communities' (Poisson panel, community and period effects), with its event study;
- :func:`comparison_outcomes`, :func:`compare`: both comparison designs for the study, in words;
- :func:`synthetic_control`: a weighted mix of comparison communities that tracks the treated one
  before, the gap after, placebos in space.
"""

from communitylab.intervention.changepoints import poisson_changepoints
from communitylab.intervention.comparison import (
    EVENT_BIN,
    ComparisonResult,
    compare,
    comparison_communities,
    comparison_outcomes,
)
from communitylab.intervention.did import DifferenceInDifferences, difference_in_differences
from communitylab.intervention.its import InterruptedTimeSeries, Phase, group_milestones
from communitylab.intervention.placebo import placebo_in_time
from communitylab.intervention.series import OUTCOMES, outcome_series
from communitylab.intervention.synth import (
    SyntheticControl,
    predictor_table,
    simplex_weights,
    synthetic_control,
)
from communitylab.intervention.windows import before_after

__all__ = [
    "EVENT_BIN",
    "OUTCOMES",
    "ComparisonResult",
    "DifferenceInDifferences",
    "InterruptedTimeSeries",
    "Phase",
    "SyntheticControl",
    "before_after",
    "compare",
    "comparison_communities",
    "comparison_outcomes",
    "difference_in_differences",
    "group_milestones",
    "outcome_series",
    "placebo_in_time",
    "poisson_changepoints",
    "predictor_table",
    "simplex_weights",
    "synthetic_control",
]
