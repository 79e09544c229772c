"""Would it have changed anyway? The treated community against comparison communities.

:func:`comparison_outcomes` computes the same outcome series for the treated community and each
comparison community over the periods they share; :func:`compare` fits both comparison designs
on them (difference in differences, and a synthetic control from the comparison communities as
donors, on series indexed to their own pre-period mean) and says in words which design the study
leads with, against what, and whether the fit before the intervention is good enough to trust.

Examples
--------
>>> from communitylab import datasets
>>> from communitylab.intervention import comparison_outcomes, compare
>>> treated = datasets.load_community("sim:common_shock")
>>> others = [datasets.load_community(s) for s in datasets.load_comparisons("sim:common_shock")]
>>> wide = comparison_outcomes(treated, {c.name: c for c in others}, "member_to_member_replies", "week")
>>> result = compare(wide, treated.name, datasets.load_milestones("sim:common_shock")["date"].min(), period="week")
>>> result.design, round(result.did.rate_ratio, 2)
('difference in differences', 1.25)
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from communitylab.community import Community
from communitylab.errors import ParameterError
from communitylab.intervention.did import DifferenceInDifferences, difference_in_differences
from communitylab.intervention.series import outcome_series
from communitylab.intervention.synth import SyntheticControl, synthetic_control

__all__ = ["ComparisonResult", "comparison_communities", "comparison_outcomes", "compare", "EVENT_BIN"]

#: Periods per bin of the event study, by period: four weeks read as months
EVENT_BIN = {"day": 7, "week": 4, "month": 1}


def comparison_communities(communities: Sequence[Community]) -> dict[str, Community]:
    """The comparison communities by name: a ``community.yml`` gives one per source it lists
    (each its own comparison), any other source itself.

    Raises
    ------
    ParameterError
        Two comparison communities with one name (name them apart, e.g. with ``name:`` in a
        ``community.yml`` or distinct file names).
    """
    from communitylab.engagement.compare import split_by_channel

    out: dict[str, Community] = {}
    for community in communities:
        parts = split_by_channel(community) if community.format == "community" else {community.name: community}
        for name, part in parts.items():
            if name in out:
                raise ParameterError(f"two comparison communities are named {name!r}: name them apart")
            out[name] = part
    return out


def comparison_outcomes(treated: Community, comparisons: Mapping[str, Community], outcome: str, period: str, *,
                        end: Any = None) -> pd.DataFrame:
    """The outcome per period for the treated community (column ``treated.name``) and each
    comparison community (its key), over the periods all of them cover.

    ``attrs["dropped_periods"]`` counts the periods left out because a community's series did not
    cover them (it started later or ended earlier).
    """
    series = {treated.name: outcome_series(treated, outcome, period, end=end)}
    for name, community in comparisons.items():
        if name == treated.name:
            raise ParameterError(f"comparison {name!r} has the treated community's name: name the communities apart")
        series[name] = outcome_series(community, outcome, period)
    wide = pd.DataFrame({k: v.set_index("period")["value"] for k, v in series.items()})
    shared = wide.dropna()
    shared.attrs.update(dropped_periods=int(len(wide) - len(shared)), outcome=outcome, period=period)
    return shared.astype("int64")


@dataclass
class ComparisonResult:
    """Both comparison designs on one panel, and the study's words for them."""

    design: str
    treated: str
    start: Any
    did: DifferenceInDifferences | None
    synth: SyntheticControl | None
    indexed: pd.DataFrame
    noise: float
    reason: str = ""

    @property
    def synth_ratio(self) -> float:
        """Mean treated over mean synthetic after the start (the synthetic control's rate ratio)."""
        if self.synth is None:
            return np.nan
        after = self.synth.series[self.synth.series["period"] == "after"]
        return float(after["treated"].mean() / after["synthetic"].mean()) if after["synthetic"].mean() > 0 else np.nan

    @property
    def synth_fits(self) -> bool:
        """Whether the synthetic community tracks the treated one before the start as closely as the
        treated series' own Poisson noise allows (:meth:`SyntheticControl.fits`)."""
        return self.synth is not None and self.synth.fits(noise=self.noise)

    def headline(self, impact: Mapping[str, Any], outcome: str, level: float = 0.95) -> str:
        """The study's opening when a comparison exists: the comparison's estimate first, then what
        the before/after model alone says (``impact``: :meth:`InterruptedTimeSeries.impact`)."""
        d = self.did
        what = outcome.replace("_", " ")
        pct = int(round(level * 100))
        sure = d.ci_low > 1 or d.ci_high < 1
        verb = (f"changed {what} by ×{d.rate_ratio:.2f}" if sure else f"did not change {what} measurably (×{d.rate_ratio:.2f})")
        head = (f"**Against {len(d.comparison)} comparison communities, the intervention {verb}** ({pct}% interval "
                f"{d.ci_low:.2f}–{d.ci_high:.2f}).")
        alone = (f" The before/after model of this community alone says ×{impact['ratio']:.2f} ({impact['ratio_low']:.2f}–"
                 f"{impact['ratio_high']:.2f}): ")
        if impact["ratio_low"] > d.ci_high:
            alone += "it also counts what changed in every community at the time, which the comparison takes out."
        elif impact["ratio_high"] < d.ci_low:
            alone += "it misses a fall that the comparison communities show, which the comparison puts back."
        else:
            alone += "the two designs agree."
        if d.parallel_before is False:
            alone += " The communities did not run parallel before the start: read both with care."
        return head + alone

    def key_figures(self, outcome: str) -> list[dict[str, Any]]:
        """The comparison's figures for the executive summary: the rate ratio with its interval and
        the synthetic control's ratio with its placebo rank."""
        if self.did is None:
            return []
        d = self.did
        out = [{"figure": f"Change in {outcome.replace('_', ' ')} beyond the comparison communities (rate ratio)",
                "estimate": d.rate_ratio, "low": d.ci_low, "high": d.ci_high, "n": len(d.comparison) + len(d.treated),
                "share": False, "unit": "", "note": f"difference in differences; n: communities; {d.cov_type}"}]
        if self.synth is not None:
            out.append({"figure": "Against its synthetic twin (ratio after the start)", "estimate": self.synth_ratio,
                        "low": np.nan, "high": np.nan, "n": len(self.synth.placebos), "share": False, "unit": "",
                        "note": f"placebo rank p = {self.synth.p_value:.2f}; n: donor communities"
                                + ("" if self.synth_fits else "; loose fit before")})
        return out

    def sentences(self, outcome: str) -> list[str]:
        """Which design, against what, and whether its check before the start holds, in words."""
        if self.did is None:
            return [f"No comparison design: {self.reason}."]
        what = outcome.replace("_", " ")
        out = [f"Design: difference in differences against {len(self.did.comparison)} comparison communit"
               f"{'y' if len(self.did.comparison) == 1 else 'ies'} that had no intervention "
               f"({', '.join(map(str, self.did.comparison[:4]))}{', ...' if len(self.did.comparison) > 4 else ''}).",
               self.did.sentence(what)]
        if self.synth is None:
            out.append(f"No synthetic control: {self.reason}.")
        else:
            fit = ("tracks it before the start as closely as its noise allows" if self.synth_fits else
                   "does not track it closely before the start, so its estimate is only a rough check")
            top = self.synth.weights.sort_values(ascending=False)
            mix = ", ".join(f"{k} {v:.0%}" for k, v in top[top > 0.05].items())
            n_placebos = len(self.synth.placebos)
            floor = 1 / (n_placebos + 1)
            out.append(f"As a check, a synthetic community built from the comparison communities ({mix}) {fit} (pre-period "
                       f"error {self.synth.pre_rmspe:.0%} of the level, noise {self.noise:.0%}); after it, the treated community "
                       f"ran at {self.synth_ratio:.2f}× its synthetic twin. Treating each comparison community in turn, "
                       f"{'none' if self.synth.p_value <= floor + 1e-9 else 'some'} moved as much (rank p = {self.synth.p_value:.2f}; "
                       f"with {n_placebos} comparison communities the smallest possible is {floor:.2f}).")
        return out


def compare(wide: pd.DataFrame, treated: str, start: Any, *, period: str = "week", level: float = 0.95,
            min_clusters: int = 20) -> ComparisonResult:
    """Fit difference in differences and a synthetic control on ``wide`` (from
    :func:`comparison_outcomes`); the study leads with difference in differences.

    The synthetic control runs on each series divided by its own pre-period mean (communities of
    different sizes can then be mixed); it needs at least two comparison communities and four
    periods before the start, and is left out otherwise, with the reason.
    """
    before = wide.index < start
    comparisons = [c for c in wide.columns if c != treated]
    if not comparisons:
        return ComparisonResult("before/after only", treated, start, None, None, pd.DataFrame(), np.nan,
                                "no comparison community was given (parameter comparison)")
    if before.sum() < 2 or (~before).sum() < 1:
        return ComparisonResult("before/after only", treated, start, None, None, pd.DataFrame(), np.nan,
                                "the comparison communities' series do not cover enough periods before and after the start")
    did = difference_in_differences(wide, treated, start, level=level, min_clusters=min_clusters,
                                    bin_periods=EVENT_BIN.get(period, 1))
    pre_mean = wide[before].mean()
    usable = [c for c in comparisons if pre_mean[c] > 0]
    indexed = wide[[treated, *usable]] / pre_mean[[treated, *usable]] if pre_mean[treated] > 0 else pd.DataFrame()
    noise = 1 / math.sqrt(pre_mean[treated]) if pre_mean[treated] > 0 else np.nan
    synth, reason = None, ""
    if indexed.empty or len(usable) < 2 or before.sum() < 4:
        reason = "it needs at least two comparison communities with activity and four periods before the start"
    else:
        synth = synthetic_control(indexed, treated, start)
    return ComparisonResult("difference in differences", treated, start, did, synth, indexed, noise, reason)
