"""Compared with whom, and what next: real peer communities and a dormancy forecast fitted on them.

The peer table (``data/peers/peer_cuts.csv``, built by ``benchmarks/build_peers.py`` from the
panel of real community histories, see ``data/peers/README.md``) holds, for each peer community
and each cut date (every six months of its life, from a year after its start), the health signals
and the activity features of the months before the cut, and what happened in the six months after.

- :func:`peer_percentiles`: where a community's signals stand among the peers (of its kind and
  overall), each with the number of peer communities it rests on.
- :func:`dormancy_forecast`: the probability, with an interval, that the next six months bring
  less than a quarter of the member posts and replies of the last six, from a logistic model
  fitted on the peer table (coefficients in ``data/peers/forecast.json``), and what drives it.

Examples
--------
>>> from communitylab import datasets
>>> from communitylab.engagement.peers import activity_features
>>> f = activity_features(datasets.load_community("sim:living"))
>>> sorted(f)[:3]
['age_months', 'contributions_6m', 'log_contributions_6m']
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from communitylab.community import Community, cached
from communitylab.errors import ParameterError

__all__ = ["KINDS", "FEATURES", "QUIET_SHARE", "member_contributions", "activity_features", "went_quiet", "kind_of",
           "load_peer_table", "load_forecast_model", "peer_percentiles", "peer_sentence", "shown_value", "dormancy_forecast",
           "DormancyForecast", "MIN_AGE_MONTHS"]

#: The kind of community each connector's format is (peers are compared within a kind, and overall)
KINDS = {"mbox": "mailing list", "stackexchange": "Q&A", "discourse": "forum", "reddit": "forum", "github": "forum",
         "chatlog": "chat", "slack": "chat", "discord": "chat", "edgelist": "network", "twcs": "support",
         "twitter": "social", "facebook": "social"}
#: The features the forecast uses, computed over the months before a cut (see :func:`activity_features`): the recent
#: trend alone. The panel's 19 quiet outcomes carry one or two features at most; four over-fitted, and a second one
#: (distance from the peak) added nothing out of sample (``data/peers/README.md``)
FEATURES = ("trend_3m",)
#: "Went quiet": the next six months bring less than this share of the last six months' member posts and replies
QUIET_SHARE = 0.25
#: Fewer member posts and replies than this in the six months before a cut: already quiet, nothing to forecast
MIN_CONTRIBUTIONS = 20


def _months(n: int) -> pd.DateOffset:
    return pd.DateOffset(months=n)


@cached
def member_contributions(community: Community) -> pd.DataFrame:
    """``member_id, created_at`` of every member (non-host) post and reply in the active period
    (isolated stray events left out, as :mod:`communitylab.window` states), in time order.

    Selected by the engine (two columns of the matching events, never the whole log) and computed
    once per community: the peer percentiles and the forecast share it."""
    from communitylab.window import active_span

    t = community.events
    keep = t.kind.isin(["post", "reply"]) & t.member_id.notnull()
    if community.hosts:
        keep = keep & ~t.member_id.isin(sorted(community.hosts))
    out = community.execute(t.filter(keep).select("member_id", "created_at")).sort_values("created_at", kind="stable")
    span = active_span(out["created_at"])
    if span.first_day is not None:
        day = out["created_at"].dt.floor("D").dt.tz_localize(None)
        first, last = pd.Timestamp(span.first_day).tz_localize(None), pd.Timestamp(span.last_day).tz_localize(None)
        out = out[(day >= first) & (day <= last)]
    return out.reset_index(drop=True)


def kind_of(community: Community) -> str:
    """The community's kind for peer comparison, from its connector, or for a store from the
    format it was imported from (``"other"`` when unknown)."""
    return KINDS.get(str(community.format or ""), KINDS.get(str(community.origin_format or ""), "other"))


#: The prefixes the panel's community names carry (``mailinglist-gpsd-users``)
_PANEL_PREFIXES = ("mailinglist-", "irc-", "network-", "stackexchange-")


def _bare_name(name: str) -> str:
    """A community name without the panel's kind prefix, in lower case: ``gpsd-users`` is the
    panel's ``mailinglist-gpsd-users`` under the name a user gave it."""
    low = str(name).strip().lower()
    return next((low[len(p):] for p in _PANEL_PREFIXES if low.startswith(p)), low)


def activity_features(community_or_contributions: Community | pd.DataFrame, cut: Any = None) -> dict[str, float]:
    """Activity features of the months before ``cut`` (default: just after the last contribution).

    - ``contributions_6m``: member posts and replies in the six months before the cut;
    - ``log_peak_ratio``: log of those over the busiest six months (calendar months, rolling) up to the cut;
    - ``trend_3m``: log of (last three months + 1) over (the three before + 1);
    - ``members_trend_3m``: the same for distinct contributing members;
    - ``log_contributions_6m``: log(1 + contributions_6m);
    - ``age_months``: months from the first contribution to the cut.
    """
    c = (member_contributions(community_or_contributions) if isinstance(community_or_contributions, Community)
         else community_or_contributions)
    times = c["created_at"]
    if times.empty:
        raise ParameterError("no member posts or replies: nothing to compare or forecast")
    cut = pd.Timestamp(cut) if cut is not None else times.max() + pd.Timedelta(seconds=1)
    cut = cut.tz_localize("UTC") if cut.tzinfo is None else cut.tz_convert("UTC")
    before = c[times < cut]

    def count(a: int, b: int) -> int:
        w = before["created_at"]
        return int(((w >= cut - _months(a)) & (w < cut - _months(b))).sum())

    def members(a: int, b: int) -> int:
        w = before["created_at"]
        return int(before.loc[(w >= cut - _months(a)) & (w < cut - _months(b)), "member_id"].nunique())

    last6, last3, prev3 = count(6, 0), count(3, 0), count(6, 3)
    monthly = before.set_index("created_at").resample("MS").size()
    peak = float(monthly.rolling(6, min_periods=1).sum().max()) if len(monthly) else 0.0
    return {
        "contributions_6m": float(last6),
        "log_peak_ratio": math.log((last6 + 1) / (max(peak, last6) + 1)),
        "trend_3m": math.log((last3 + 1) / (prev3 + 1)),
        "members_trend_3m": math.log((members(3, 0) + 1) / (members(6, 3) + 1)),
        "log_contributions_6m": math.log1p(last6),
        "age_months": (cut - times.min()).days / 30.44,
    }


def went_quiet(contributions: pd.DataFrame, cut: Any, horizon_months: int = 6) -> tuple[int, int, bool]:
    """``(last, next, quiet)``: member posts and replies in the ``horizon_months`` before and after
    ``cut``, and whether the next brought less than :data:`QUIET_SHARE` of the last."""
    cut = pd.Timestamp(cut)
    t = contributions["created_at"]
    last = int(((t >= cut - _months(horizon_months)) & (t < cut)).sum())
    nxt = int(((t >= cut) & (t < cut + _months(horizon_months))).sum())
    return last, nxt, nxt < QUIET_SHARE * last


def _peers_dir() -> Path:
    from communitylab.datasets import project_data_dir

    return project_data_dir() / "peers"


@lru_cache(maxsize=1)
def load_peer_table() -> pd.DataFrame:
    """The shipped peer table: one row per peer community and cut date (see ``data/peers/README.md``)."""
    return pd.read_csv(_peers_dir() / "peer_cuts.csv", parse_dates=["cut"])


@lru_cache(maxsize=1)
def load_forecast_model() -> dict:
    """The shipped forecast model: features, their means and scales, coefficients and their
    covariance (clustered by community), and the leave-one-community-out validation."""
    return json.loads((_peers_dir() / "forecast.json").read_text())


#: The health signals compared with peers (ids of :func:`~communitylab.engagement.health_verdict`'s
#: signals) and the activity features, with their words
COMPARED = {
    "member_contributions_per_week": "member posts and replies per week",
    "reciprocity": "reciprocity",
    "repeated_ties": "pairs that exchange more than once",
    "answered_share": "share of threads answered",
    "member_to_member_share": "member-to-member share of replies",
    "top1_share": "share of contributions by the top 1% of members",
    "trend_3m": "activity trend (last 3 months against the 3 before)",
    "log_peak_ratio": "activity against its busiest six months",
}


def peer_percentiles(community: Community, verdict=None) -> pd.DataFrame:
    """Where the community's signals stand among the peer communities.

    Each peer community is one value per signal: the median over its cut dates. The percentile is
    the share of peers below the community's value (ties count half), among peers of the same kind
    and among all; a community that is itself one of the peers (by name, with or without the panel's
    kind prefix: ``gpsd-users`` is ``mailinglist-gpsd-users``) is left out of them.

    Returns
    -------
    DataFrame
        ``signal, id, value, shown, percentile_kind, n_kind, percentile_all, n_all, peer_median``
        (one row per signal with a value; ``shown``: the value in words; ``n_*``: the peer
        communities it rests on).
    """
    from communitylab.engagement.health import health_verdict

    verdict = verdict or health_verdict(community)
    own = {r["id"]: r["value"] for _, r in verdict.signals.iterrows() if r["status"] == "ok" and pd.notna(r["value"])}
    contributions = member_contributions(community)
    if len(contributions):
        own.update({k: v for k, v in activity_features(contributions).items() if k in COMPARED})
    table = load_peer_table()
    per_peer = table.groupby(["community", "kind"])[list(COMPARED)].median().reset_index()
    # a peer community is not compared with itself, under its panel name or the name a user gave it
    per_peer = per_peer[per_peer["community"].map(_bare_name) != _bare_name(community.name)]
    kind = kind_of(community)
    rows = []
    for sid, words in COMPARED.items():
        if sid not in own:
            continue
        value = float(own[sid])
        row = {"signal": words, "id": sid, "value": value, "shown": shown_value(sid, value)}
        for scope, peers in (("kind", per_peer[per_peer["kind"] == kind]), ("all", per_peer)):
            vals = peers[sid].dropna().to_numpy(float)
            row[f"n_{scope}"] = len(vals)
            row[f"percentile_{scope}"] = (float(((vals < value).sum() + 0.5 * (vals == value).sum()) / len(vals))
                                          if len(vals) else np.nan)
        row["peer_median"] = float(per_peer[sid].median())
        if row["n_all"]:  # a signal no peer has (no host is known in the panel: member-to-member share) is left out
            rows.append(row)
    out = pd.DataFrame(rows, columns=["signal", "id", "value", "shown", "percentile_kind", "n_kind", "percentile_all", "n_all", "peer_median"])
    out.attrs["percent"] = ["percentile_kind", "percentile_all"]
    return out


def shown_value(signal_id: str, value: float) -> str:
    """A compared value in a client's words: shares as percentages, trends as ratios."""
    if not np.isfinite(value):
        return "–"
    if signal_id == "trend_3m":
        return f"×{math.exp(value):.2f} on the 3 months before"
    if signal_id == "log_peak_ratio":
        return f"{math.exp(value):.0%} of its busiest half-year"
    if signal_id == "member_contributions_per_week":
        return f"{value:,.1f}"
    return f"{value:.0%}"


def peer_sentence(percentiles: pd.DataFrame) -> str:
    """Where the community stands among its peers, in one sentence (the first three signals compared)."""
    if percentiles.empty:
        return "No signal of this community can be compared with the peer communities."
    n = int(percentiles["n_all"].max())
    parts = [f"{_ordinal(r.percentile_all)} percentile for {r.signal} ({r.shown})" for r in percentiles.head(3).itertuples()]
    return (f"Among {n} real communities: " + "; ".join(parts)
            + " (the 100th percentile is above every one of them).")


def _ordinal(share: float) -> str:
    v = int(round(100 * share))
    suffix = "th" if 10 <= v % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(v % 10, "th")
    return f"{v}{suffix}"


@dataclass
class DormancyForecast:
    """The probability that the next six months bring less than a quarter of the last six's member
    posts and replies, its interval, the features behind it and how the model fared on real peers."""

    probability: float
    low: float
    high: float
    level: float
    features: dict[str, float]
    drivers: pd.DataFrame
    validation: dict[str, Any] = field(default_factory=dict)
    applicable: bool = True
    reason: str = ""

    def sentence(self) -> str:
        """The forecast in words, with its interval and the evidence for the model."""
        if not self.applicable:
            return f"No forecast of the next six months: {self.reason}."
        v = self.validation
        odds = f"1 in {max(1, round(1 / self.probability))}" if self.probability >= 0.01 else "less than 1 in 100"
        proof = (f" The model is the recent trend (last three months against the three before), fitted on {v.get('n_cuts', 0)} "
                 f"moments of {v.get('n_communities', 0)} real communities, {v.get('n_quiet', 0)} of which went quiet; "
                 f"leaving each community out of its own fit it ranks them with AUC {v.get('auc', float('nan')):.2f} "
                 "(0.5 is chance, 1 perfect): a rough guide, not a prediction to plan on.") if v else ""
        return (f"A {odds} chance ({self.probability:.0%}; {int(self.level * 100)}% interval {self.low:.0%}–{self.high:.0%}) "
                f"that member posts and replies fall below a quarter of the last six months' ({int(self.features['contributions_6m']):,}) "
                f"within the next six: a fall relative to the community's own recent level.{proof}")

    def key_figure(self) -> dict[str, Any] | None:
        """The forecast as one of a report's key figures (None when there is no forecast)."""
        if not self.applicable:
            return None
        return {"figure": "Chance of going quiet within six months", "estimate": self.probability, "low": self.low,
                "high": self.high, "n": self.validation.get("n_cuts"), "share": True, "unit": "",
                "note": f"forecast from the recent trend; AUC {self.validation.get('auc', float('nan')):.2f} on real communities"}

    def to_dict(self) -> dict[str, Any]:
        """What ``summary.json`` records: the probability, its interval, the features and the validation."""
        return {"applicable": self.applicable, "reason": self.reason, "horizon_months": 6, "probability": self.probability,
                "low": self.low, "high": self.high, "level": self.level, "features": self.features,
                "validation": {k: self.validation.get(k) for k in ("n_cuts", "n_quiet", "n_communities", "auc", "brier",
                                                                    "brier_base_rate", "auc_trend", "auc_verdict")}}


#: A forecast needs this much history before the last contribution (the peers were first cut a year after their start)
MIN_AGE_MONTHS = 12


def dormancy_forecast(community: Community, horizon_months: int = 6, *, level: float = 0.95) -> DormancyForecast:
    """Forecast whether the community goes quiet within ``horizon_months`` (six: the horizon the
    model was fitted and checked on).

    The model is a logistic regression over :data:`FEATURES` fitted on the peer table, its
    covariance clustered by community; the interval is the linear predictor's, transformed.
    ``drivers`` lists each feature's value, its peers' median and its contribution to the log-odds
    (coefficient × standardized value), largest first. No forecast (``applicable`` False, with the
    reason) for a community already quiet or younger than :data:`MIN_AGE_MONTHS`.

    Examples
    --------
    >>> from communitylab import datasets
    >>> f = dormancy_forecast(datasets.load_community("sim:living"))
    >>> f.applicable, f.reason
    (False, 'less than a year of history (the model was checked on communities at least a year old)')
    """
    from scipy import stats

    if horizon_months != 6:
        raise ParameterError("the forecast is fitted and checked for a six-month horizon only")
    model = load_forecast_model()
    contributions = member_contributions(community)
    if contributions.empty:
        return DormancyForecast(np.nan, np.nan, np.nan, level, {}, pd.DataFrame(), model.get("validation", {}), False,
                                "no member posts or replies")
    feats = activity_features(contributions)
    if feats["contributions_6m"] < MIN_CONTRIBUTIONS:
        return DormancyForecast(np.nan, np.nan, np.nan, level, feats, pd.DataFrame(), model.get("validation", {}), False,
                                f"fewer than {MIN_CONTRIBUTIONS} member posts and replies in the last six months: "
                                "the community is already quiet")
    if feats["age_months"] < MIN_AGE_MONTHS:
        return DormancyForecast(np.nan, np.nan, np.nan, level, feats, pd.DataFrame(), model.get("validation", {}), False,
                                "less than a year of history (the model was checked on communities at least a year old)")
    names = model["features"]
    z = np.array([(feats[n] - model["mean"][n]) / model["scale"][n] for n in names])
    x = np.concatenate([[1.0], z])
    beta = np.array(model["coef"])
    cov = np.array(model["cov"])
    eta = float(x @ beta)
    se = float(math.sqrt(max(x @ cov @ x, 0.0)))
    q = stats.norm.ppf(0.5 + level / 2)
    expit = lambda v: 1 / (1 + math.exp(-v))  # noqa: E731
    drivers = pd.DataFrame({"feature": names, "value": [feats[n] for n in names],
                            "peer_median": [model["median"][n] for n in names], "log_odds": beta[1:] * z})
    drivers = drivers.reindex(drivers["log_odds"].abs().sort_values(ascending=False).index).reset_index(drop=True)
    return DormancyForecast(expit(eta), expit(eta - q * se), expit(eta + q * se), level, feats, drivers, model.get("validation", {}))
