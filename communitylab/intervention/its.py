"""Interrupted time series: segmented regression of a count series around dated interventions.

The design follows Lopez Bernal, Cummins & Gasparrini (2017), "Interrupted time series regression
for the evaluation of public health interventions: a tutorial", Int. J. Epidemiol. 46(1): a
Poisson regression of the counts per period on an underlying trend, a level change and
(optionally) a slope change at each intervention, seasonal harmonics when the series is long
enough, quasi-Poisson or Newey-West (HAC) standard errors for overdispersion and autocorrelation.
Fitted with statsmodels' GLM; on the paper's Sicily data it reproduces R's ``glm`` (coefficients and
standard errors to 1e-5 relative).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
import statsmodels.api as sm

from communitylab.errors import NotFittedError, ParameterError
from communitylab.fit_inputs import frame_of_columns
from communitylab.schema import DataValidationError

__all__ = ["InterruptedTimeSeries", "Phase", "group_milestones"]


@dataclass(frozen=True)
class Phase:
    """Milestones close together in time, estimated as one interruption (they cannot be told apart)."""

    name: str
    start: int  # position of the first post-intervention period in the series
    start_time: object
    milestones: tuple[str, ...]


def _milestone_frame(milestones) -> pd.DataFrame:
    if isinstance(milestones, pd.DataFrame):
        if not {"date", "milestone"} <= set(milestones.columns):
            raise DataValidationError("milestones", ", ".join(sorted({"date", "milestone"} - set(milestones.columns))), [], "columns 'date' and 'milestone'", 0)
        return milestones[["date", "milestone"]].reset_index(drop=True)
    if isinstance(milestones, Mapping):
        return pd.DataFrame({"date": list(milestones.values()), "milestone": [str(k) for k in milestones]})
    if isinstance(milestones, Sequence) and not isinstance(milestones, str):
        return pd.DataFrame({"date": list(milestones), "milestone": [f"intervention {i + 1}" for i in range(len(milestones))]})
    raise TypeError("milestones must be a DataFrame (date, milestone), a mapping name -> date, or a list of dates")


def _as_times(values, like: pd.Series) -> pd.Series:
    v = pd.Series(values)
    if pd.api.types.is_datetime64_any_dtype(like):
        t = pd.to_datetime(v, utc=True, errors="coerce")
        tz = like.dt.tz
        return t if tz is not None else t.dt.tz_localize(None)
    return pd.to_numeric(v, errors="coerce")


def group_milestones(times: pd.Series, milestones, *, min_gap: int = 4) -> list[Phase]:
    """Map each milestone to the period it falls in and merge milestones closer than ``min_gap`` periods.

    A milestone's first post-intervention period is the period that contains it (the last period
    whose start is at or before the milestone). Milestones whose first periods lie fewer than
    ``min_gap`` periods after the first milestone of the current phase join that phase: with so
    few periods between them, their separate effects are not identifiable.
    """
    m = _milestone_frame(milestones)
    when = _as_times(m["date"], times)
    bad = when.isna()
    if bad.any():
        raise DataValidationError("milestones", "date", (np.flatnonzero(bad) + 1)[:5].tolist(), "dates (or period numbers) that can be parsed", int(bad.sum()))
    t = times.to_numpy()
    pos = np.searchsorted(t, when.to_numpy(), side="right") - 1
    step = np.median(np.diff(t)) if len(t) > 1 else None
    after_end = when.to_numpy() >= (t[-1] + step) if step is not None else np.zeros(len(m), bool)
    outside = (pos <= 0) | (pos >= len(t)) | after_end
    if outside.any():
        names = m.loc[outside, "milestone"].tolist()
        raise DataValidationError("milestones", "date", (np.flatnonzero(outside) + 1)[:5].tolist(), f"dates after the series' first period and inside it ({names[:3]} are not)", int(outside.sum()))
    order = np.argsort(pos, kind="stable")
    phases: list[list[int]] = []
    for i in order:
        if phases and pos[i] - pos[phases[-1][0]] < min_gap:
            phases[-1].append(i)
        else:
            phases.append([i])
    out = []
    for members in phases:
        names = tuple(str(m.loc[i, "milestone"]) for i in members)
        label = names[0] if len(names) == 1 else f"{names[0]} … {names[-1]}"
        out.append(Phase(name=label, start=int(pos[members[0]]), start_time=t[pos[members[0]]], milestones=names))
    return out


class InterruptedTimeSeries:
    """Segmented Poisson (or Gaussian) regression with one level and slope change per phase.

    Parameters
    ----------
    family : {"poisson", "gaussian"}
        Poisson (log link: effects are rate ratios) for counts per period; Gaussian (identity link:
        effects are differences) for rates or scores.
    slope_change : bool
        Also estimate a change in trend at each phase, not only a change in level. Off by
        default: the impact model is chosen before looking at the data (Lopez Bernal et al.
        step 2), and a short phase leaves a slope change unidentifiable.
    harmonics : int
        Pairs of Fourier terms for seasonality with period ``season_length`` (needs several
        seasons of data: 0 for a one-year weekly series).
    season_length : float, optional
        Periods per season (52.18 for weeks in a year, 12 for months).
    cov_type : {"quasi", "hac", "model"}
        ``"quasi"``: quasi-Poisson (variance = dispersion × mean, dispersion from the Pearson
        chi-square, as R's ``quasipoisson``). ``"hac"``: Newey-West errors robust to
        autocorrelation up to ``maxlags`` periods. ``"model"``: the plain Poisson variance.
    maxlags : int, optional
        For ``"hac"``; default ``floor(4 (n/100)^(2/9))`` (Newey & West 1994).
    min_gap : int
        Milestones closer than this many periods form one phase (:func:`group_milestones`).
    min_pre_periods : int
        Periods needed before the first phase (the pre-intervention trend must be estimable).
    level : float
        Confidence level of every interval.

    Notes
    -----
    Design (period index ``t = 0, 1, ...``): ``log E[y_t] = b0 + b1 t + sum_k (L_k D_kt + S_k R_kt)
    (+ harmonics) (+ log exposure)``, with ``D_kt = 1`` from phase k's first period on and
    ``R_kt = t - start_k`` (0 in that first period). ``exp(L_k)`` is the rate ratio in the
    phase's first period against the trend that would have continued, ``exp(S_k)`` the ratio per
    period of the trend change. (Lopez Bernal et al. count the ramp from 1, which moves ``L_k`` by
    one ``S_k``; fitted values are the same.)

    Assumptions worth stating in a report: the pre-intervention trend would have continued
    (no other change at the same time), the interruption dates are fixed before looking at the
    data, and phases that start close together cannot be attributed separately.
    """

    def __init__(
        self,
        *,
        family: str = "poisson",
        slope_change: bool = False,
        harmonics: int = 0,
        season_length: float | None = None,
        cov_type: str = "quasi",
        maxlags: int | None = None,
        min_gap: int = 4,
        min_pre_periods: int = 4,
        level: float = 0.95,
    ) -> None:
        if family not in ("poisson", "gaussian"):
            raise ParameterError("family must be 'poisson' or 'gaussian'")
        if cov_type not in ("quasi", "hac", "model"):
            raise ParameterError("cov_type must be 'quasi', 'hac' or 'model'")
        if harmonics and not season_length:
            raise ParameterError("harmonics need season_length")
        self.family, self.slope_change, self.harmonics, self.season_length = family, slope_change, harmonics, season_length
        self.cov_type, self.maxlags, self.min_gap, self.min_pre_periods, self.level = cov_type, maxlags, min_gap, min_pre_periods, level

    # -- design -----------------------------------------------------------------------------
    def _design(self, n: int, phases: Sequence[Phase], season_index: np.ndarray | None = None, *, without: bool = False) -> pd.DataFrame:
        t = np.arange(n, dtype=float)
        X = {"const": np.ones(n), "trend": t}
        for p in phases:
            on = (t >= p.start).astype(float)
            X[f"level: {p.name}"] = 0 * on if without else on
            if self.slope_change:
                X[f"slope: {p.name}"] = 0 * on if without else on * (t - p.start)
        s = t if season_index is None else season_index
        for k in range(1, self.harmonics + 1):
            X[f"sin{k}"] = np.sin(2 * np.pi * k * s / self.season_length)
            X[f"cos{k}"] = np.cos(2 * np.pi * k * s / self.season_length)
        return pd.DataFrame(X)

    def fit(
        self,
        data: pd.DataFrame,
        milestones,
        *,
        time: str = "period",
        value: str = "value",
        exposure: str | None = None,
        season: str | None = None,
    ) -> InterruptedTimeSeries:
        """Fit the model to one row per period.

        Parameters
        ----------
        data : DataFrame
            One row per consecutive period (gaps filled with 0 counts), sorted by ``time``.
        milestones : DataFrame ``date, milestone``, mapping name -> date, or list of dates
            When the interventions happened, in the units of ``time`` (dates or period numbers).
        exposure : str, optional
            Column of the population at risk (e.g. members); enters as ``log`` offset, so the
            effects are on the rate per member.
        season : str, optional
            Column with the position in the season (e.g. month 1-12) for the harmonics; default
            the period index.
        """
        source = "InterruptedTimeSeries.fit"
        frame_of_columns(data, [time, value] + [c for c in (exposure, season) if c], source)
        d = data.reset_index(drop=True)
        y = pd.to_numeric(d[value], errors="coerce")
        bad = y.isna() | (y < 0 if self.family == "poisson" else False)
        if bad.any():
            raise DataValidationError(source, value, (np.flatnonzero(bad) + 1)[:5].tolist(), "non-negative counts" if self.family == "poisson" else "numbers", int(bad.sum()))
        times = d[time]
        if not times.is_monotonic_increasing or times.duplicated().any():
            raise DataValidationError(source, time, [], "one row per period, in increasing order", 0)
        phases = group_milestones(times, milestones, min_gap=self.min_gap)
        if phases[0].start < self.min_pre_periods:
            raise DataValidationError(source, time, [], f"at least {self.min_pre_periods} periods before the first intervention (found {phases[0].start})", 0)
        season_index = d[season].to_numpy(float) if season else None
        X = self._design(len(d), phases, season_index)
        offset = None
        if exposure:
            e = pd.to_numeric(d[exposure], errors="coerce")
            if (e <= 0).any() or e.isna().any():
                raise DataValidationError(source, exposure, (np.flatnonzero((e <= 0) | e.isna()) + 1)[:5].tolist(), "positive exposure", int(((e <= 0) | e.isna()).sum()))
            offset = np.log(e.to_numpy(float))
        fam = sm.families.Poisson() if self.family == "poisson" else sm.families.Gaussian()
        model = sm.GLM(y.to_numpy(float), X, family=fam, offset=offset)
        if self.cov_type == "hac":
            lags = self.maxlags if self.maxlags is not None else int(np.floor(4 * (len(d) / 100) ** (2 / 9)))
            res = model.fit(cov_type="HAC", cov_kwds={"maxlags": lags})
            self.maxlags_used_ = lags
        elif self.cov_type == "quasi" or self.family == "gaussian":
            res = model.fit(scale="X2")
        else:
            res = model.fit()
        self.result_, self.phases_, self.data_, self.X_, self.offset_ = res, phases, d, X, offset
        self.time_, self.value_, self.season_index_ = time, value, season_index
        self.dispersion_ = float(res.pearson_chi2 / res.df_resid) if res.df_resid > 0 else np.nan
        return self

    # -- results ----------------------------------------------------------------------------
    def _check(self) -> None:
        if not hasattr(self, "result_"):
            raise NotFittedError("InterruptedTimeSeries is not fitted; call fit(...) first")

    @property
    def params_(self) -> pd.Series:
        self._check()
        return self.result_.params

    @property
    def summary(self) -> pd.DataFrame:
        """Every coefficient with its standard error, interval and p-value (and rate ratios for Poisson).

        ``attrs`` hold ``n`` (periods), ``dispersion``, ``cov_type``, ``phases``.
        """
        self._check()
        r = self.result_
        ci = r.conf_int(alpha=1 - self.level)
        out = pd.DataFrame({"coef": r.params, "se": r.bse, "ci_low": ci[0], "ci_high": ci[1], "p_value": r.pvalues})
        if self.family == "poisson":
            out["ratio"] = np.exp(out["coef"])
            out["ratio_low"], out["ratio_high"] = np.exp(out["ci_low"]), np.exp(out["ci_high"])
        out.attrs.update(n=int(r.nobs), dispersion=self.dispersion_, cov_type=self.cov_type, phases=[p.name for p in self.phases_])
        return out

    def effects(self) -> pd.DataFrame:
        """One row per phase: its start, the milestones it groups, level and slope change with intervals.

        For Poisson the changes are rate ratios (1 = no change); for Gaussian, differences.
        """
        s = self.summary
        ratio = self.family == "poisson"
        rows = []
        for p in self.phases_:
            row = {"phase": p.name, "start": p.start_time, "milestones": ", ".join(p.milestones), "periods_after": len(self.data_) - p.start}
            for kind in ("level", "slope") if self.slope_change else ("level",):
                term = s.loc[f"{kind}: {p.name}"]
                cols = ("ratio", "ratio_low", "ratio_high") if ratio else ("coef", "ci_low", "ci_high")
                row.update({f"{kind}_change": term[cols[0]], f"{kind}_ci_low": term[cols[1]], f"{kind}_ci_high": term[cols[2]], f"{kind}_p_value": term["p_value"]})
            rows.append(row)
        return pd.DataFrame(rows)

    def predict(self, *, counterfactual: bool = False) -> pd.DataFrame:
        """Fitted values per period with a confidence band; ``counterfactual=True`` switches every
        intervention term off (the pre-intervention trend continued)."""
        self._check()
        X = self._design(len(self.data_), self.phases_, self.season_index_, without=counterfactual)
        pred = self.result_.get_prediction(X, offset=self.offset_).summary_frame(alpha=1 - self.level)
        return pd.DataFrame(
            {
                self.time_: self.data_[self.time_].to_numpy(),
                "observed": self.data_[self.value_].to_numpy(float),
                "expected": pred["mean"].to_numpy(),
                "ci_low": pred["mean_ci_lower"].to_numpy(),
                "ci_high": pred["mean_ci_upper"].to_numpy(),
            }
        )

    def impact(self, *, n_draws: int = 2000, seed: int = 0) -> pd.Series:
        """Observed total since the first phase against the counterfactual total, with intervals.

        The counterfactual total's interval comes from ``n_draws`` draws of the coefficients from
        their estimated normal distribution (seeded); it reflects the uncertainty of the trend,
        not the period-to-period noise of the counts.
        """
        self._check()
        start = self.phases_[0].start
        X0 = self._design(len(self.data_), self.phases_, self.season_index_, without=True).to_numpy()[start:]
        off = 0.0 if self.offset_ is None else self.offset_[start:]
        rng = np.random.default_rng(seed)
        beta = rng.multivariate_normal(self.result_.params.to_numpy(), self.result_.cov_params().to_numpy(), size=n_draws)
        eta = X0 @ beta.T + (off if np.ndim(off) == 0 else off[:, None])
        totals = (np.exp(eta) if self.family == "poisson" else eta).sum(axis=0)
        observed = float(self.data_[self.value_].to_numpy(float)[start:].sum())
        point = float(((np.exp if self.family == "poisson" else np.asarray)(X0 @ self.result_.params.to_numpy() + off)).sum())
        q = [(1 - self.level) / 2, (1 + self.level) / 2]
        lo, hi = np.quantile(totals, q)
        ratio = observed / totals
        return pd.Series(
            {
                "periods": len(self.data_) - start,
                "observed": observed,
                "counterfactual": point,
                "counterfactual_low": float(lo),
                "counterfactual_high": float(hi),
                "difference": observed - point,
                "ratio": observed / point if point else np.nan,
                "ratio_low": float(np.quantile(ratio, q[0])),
                "ratio_high": float(np.quantile(ratio, q[1])),
            }
        )

    def residual_autocorrelation(self, nlags: int = 6) -> pd.DataFrame:
        """Autocorrelation of the Pearson residuals with the Ljung-Box test: is ``cov_type="hac"`` needed?"""
        from statsmodels.stats.diagnostic import acorr_ljungbox
        from statsmodels.tsa.stattools import acf

        self._check()
        resid = np.asarray(self.result_.resid_pearson)
        nlags = min(nlags, len(resid) // 2 - 1)
        lb = acorr_ljungbox(resid, lags=list(range(1, nlags + 1)))
        return pd.DataFrame({"lag": range(1, nlags + 1), "acf": acf(resid, nlags=nlags)[1:], "ljung_box_p": lb["lb_pvalue"].to_numpy()})

    def __repr__(self) -> str:
        if not hasattr(self, "result_"):
            return "<InterruptedTimeSeries: not fitted>"
        return f"<InterruptedTimeSeries: {len(self.phases_)} phase(s), n={len(self.data_)}, dispersion={self.dispersion_:.2f}>"

