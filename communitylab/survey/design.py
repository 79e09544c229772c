"""Design-based estimation for complex samples: strata, one- and two-stage clusters, finite
population corrections, weights and domains, reproducing R's ``survey`` package (Lumley).

A design is given the way ``svydesign`` takes it, as column names of the data::

    svymean(apiclus2, "api00", ids=["dnum", "snum"], fpc=["fpc1", "fpc2"])
    # R: svymean(~api00, svydesign(id=~dnum+snum, fpc=~fpc1+fpc2, data=apiclus2))

``ids`` names the cluster column of each stage (none: every row is its own unit, ``id=~1``);
``strata`` the first-stage strata; ``fpc`` the population size (or, when every value is at most
1, the sampling fraction) of each stage; ``weights`` the sampling weights (default: from ``fpc``,
else 1). ``domain`` (a boolean column or Series) estimates for a subpopulation on the full
design, as R's ``subset(design, ...)`` does: subsetting the data first gives the wrong standard
error (and, with an fpc by stratum, the wrong design).

Variances are R's ``svyrecvar``: Taylor linearization, with-replacement variance of the
first-stage cluster totals within strata times ``1 - n/N``, plus, when an fpc is given for the
later stage, the second-stage variance within each cluster times the first-stage sampling
fraction. A stratum with one unit and no fpc fails, as R's default ``lonely.psu="fail"`` does.
Degrees of freedom are R's ``degf``: clusters minus strata among the rows used.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from communitylab.errors import ParameterError
from communitylab.schema import DataValidationError

__all__ = ["svymean", "svytotal", "svyby", "svyciprop", "svychisq", "svyttest", "svyquantile", "SurveyDesign"]

Columns = str | Sequence[str] | None


def _listify(value: Columns) -> list[str]:
    if value is None or (isinstance(value, str) and value in ("", "1")):
        return []
    return [value] if isinstance(value, str) else [str(v) for v in value]


@dataclass
class SurveyDesign:
    """A sample design over ``data``'s rows (built by :meth:`from_columns`; the functions of this
    module build it from their ``ids``, ``strata``, ``fpc`` and ``weights`` arguments)."""

    n: int
    clusters: list[np.ndarray]  # per stage: cluster code of each row (nested in the earlier stages)
    strata: list[np.ndarray]  # per stage: stratum code of each row
    n_psu: list[np.ndarray]  # per stage: units sampled in the row's stratum
    pop: list[np.ndarray] | None  # per stage: units in the population of the row's stratum (None: no fpc)
    weights: np.ndarray

    @classmethod
    def from_columns(cls, data: pd.DataFrame, ids: Columns = None, strata: Columns = None, fpc: Columns = None,
                     weights: str | None = None, source: str = "survey design") -> SurveyDesign:
        """Build the design as ``svydesign(id=, strata=, fpc=, weights=)`` does.

        Raises
        ------
        DataValidationError
            A named column is absent or holds missing values; ``fpc`` smaller than the sample;
            ``ids`` and ``fpc`` name different numbers of stages.
        """
        id_cols, strata_cols, fpc_cols = _listify(ids), _listify(strata), _listify(fpc)
        for col in id_cols + strata_cols + fpc_cols + ([weights] if weights else []):
            if col not in data.columns:
                raise DataValidationError(source, col, [], f"a column of the data (it has {list(data.columns)[:12]})", 0)
            bad = data[col].isna().to_numpy()
            if bad.any():
                raise DataValidationError(source, col, np.flatnonzero(bad)[:5].tolist(), "a value in every row (design columns cannot be missing)", int(bad.sum()))
        n = len(data)
        stages = max(1, len(id_cols))
        if fpc_cols and len(fpc_cols) != stages:
            raise DataValidationError(source, ", ".join(fpc_cols), [], f"one fpc column per stage ({stages} stage(s) in ids)", 0)
        clusters, strata_codes, n_psu, pops = [], [], [], []
        parent = np.zeros(n, dtype=np.int64)
        for s in range(stages):
            unit = pd.Series(np.arange(n)) if not id_cols else data[id_cols[s]].reset_index(drop=True)
            cluster = pd.MultiIndex.from_arrays([parent, unit.to_numpy()]).factorize()[0] if s else pd.factorize(unit)[0]
            if s == 0:
                stratum = pd.factorize(data[strata_cols[0]].reset_index(drop=True))[0] if strata_cols else np.zeros(n, dtype=np.int64)
            else:
                stratum = parent.copy()
            frame = pd.DataFrame({"h": stratum, "c": cluster})
            count = frame.groupby("h")["c"].nunique()
            n_h = count.reindex(stratum).to_numpy(dtype=float)
            clusters.append(np.asarray(cluster))
            strata_codes.append(np.asarray(stratum))
            n_psu.append(n_h)
            if fpc_cols:
                f = pd.to_numeric(data[fpc_cols[s]], errors="coerce").to_numpy(dtype=float)
                if np.isnan(f).any():
                    raise DataValidationError(source, fpc_cols[s], np.flatnonzero(np.isnan(f))[:5].tolist(), "numbers", int(np.isnan(f).sum()))
                popsize = n_h / f if (f <= 1).all() else f
                small = popsize < n_h - 1e-9
                if small.any():
                    raise DataValidationError(source, fpc_cols[s], np.flatnonzero(small)[:5].tolist(),
                                              "a population size at least the number of units sampled in the stratum", int(small.sum()))
                pops.append(popsize)
            parent = np.asarray(cluster)
        if weights:
            w = pd.to_numeric(data[weights], errors="coerce").to_numpy(dtype=float)
            if np.isnan(w).any() or (w < 0).any():
                raise DataValidationError(source, weights, np.flatnonzero(np.isnan(w) | (w < 0))[:5].tolist(), "non-negative weights", int((np.isnan(w) | (w < 0)).sum()))
        elif pops:
            w = np.prod([p / m for p, m in zip(pops, n_psu)], axis=0)
        else:
            w = np.ones(n)
        return cls(n, clusters, strata_codes, n_psu, pops or None, w)

    # ---- variance -----------------------------------------------------------------------------

    def variance(self, x: np.ndarray) -> np.ndarray:
        """Linearization variance (``k x k``) of the totals of the columns of ``x`` (``n x k``)."""
        x = np.asarray(x, dtype=float).reshape(self.n, -1)
        return self._multistage(x, np.arange(self.n), 0)

    def _multistage(self, x: np.ndarray, rows: np.ndarray, s: int) -> np.ndarray:
        v = self._onestage(x, rows, s)
        if self.pop is not None and s + 1 < len(self.clusters):
            cl = self.clusters[s][rows]
            order = np.argsort(cl, kind="stable")
            bounds = np.flatnonzero(np.diff(cl[order])) + 1
            for group in np.split(rows[order], bounds):
                first = group[0]
                v = v + self._multistage(x, group, s + 1) * self.n_psu[s][first] / self.pop[s][first]
        return v

    def _onestage(self, x: np.ndarray, rows: np.ndarray, s: int) -> np.ndarray:
        k = x.shape[1]
        total = np.zeros((k, k))
        h_all = self.strata[s][rows]
        for h in np.unique(h_all):
            idx = rows[h_all == h]
            n_h = self.n_psu[s][idx[0]]
            f = 1.0 if self.pop is None else (self.pop[s][idx[0]] - n_h) / self.pop[s][idx[0]]
            if f < 1e-7:
                continue  # every unit of the stratum sampled: no sampling variance
            codes, inv = np.unique(self.clusters[s][idx], return_inverse=True)
            z = np.zeros((max(int(n_h), len(codes)), k))
            np.add.at(z, inv, x[idx])
            if n_h < 2:
                raise ParameterError(f"stratum {h} has only one sampled unit at stage {s + 1} (R: lonely.psu = \"fail\"); "
                                 "merge it with a neighbouring stratum")
            z = z - z.mean(axis=0)
            total += f * n_h / (n_h - 1) * z.T @ z
        return total

    def degf(self, used: np.ndarray | None = None) -> int:
        """R's ``degf``: first-stage units minus strata among the rows used (non-zero weight)."""
        used = np.ones(self.n, dtype=bool) if used is None else used
        return int(len(np.unique(self.clusters[0][used])) - len(np.unique(self.strata[0][used])))


def _design(data, ids, strata, fpc, weights) -> SurveyDesign:
    return SurveyDesign.from_columns(data, ids, strata, fpc, weights)


def _numeric(data: pd.DataFrame, variable: str) -> np.ndarray:
    if variable not in data.columns:
        raise DataValidationError("survey data", variable, [], f"a column of the data (it has {list(data.columns)[:12]})", 0)
    col = data[variable]
    if pd.api.types.is_bool_dtype(col):
        return col.astype(float).to_numpy()
    y = pd.to_numeric(col, errors="coerce")
    bad = y.isna() & col.notna()
    if bad.any():
        raise DataValidationError("survey data", variable, np.flatnonzero(bad.to_numpy())[:5].tolist(), "numbers", int(bad.sum()))
    return y.to_numpy(dtype=float)


def _domain(data: pd.DataFrame, domain) -> np.ndarray:
    if domain is None:
        return np.ones(len(data), dtype=bool)
    d = data[domain] if isinstance(domain, str) else pd.Series(domain)
    if len(d) != len(data):
        raise ParameterError(f"domain has {len(d)} values for {len(data)} rows")
    if not (pd.api.types.is_bool_dtype(d) or set(pd.unique(d.dropna())) <= {0, 1}):
        raise DataValidationError("survey data", str(domain) if isinstance(domain, str) else "domain", [], "a boolean column (True: in the subpopulation)", 0)
    return d.fillna(False).astype(bool).to_numpy()


def _z(level: float) -> float:
    return float(stats.norm.ppf(0.5 + level / 2))


def _mean_parts(design: SurveyDesign, y: np.ndarray, inside: np.ndarray) -> tuple[float, float, np.ndarray]:
    """Domain mean, its SE, and the linearized variable (zero outside the domain)."""
    w = np.where(inside, design.weights, 0.0)
    W = w.sum()
    if W <= 0:
        raise ParameterError("the domain holds no observation with a positive weight")
    est = float((w * np.where(inside, y, 0.0)).sum() / W)
    x = np.where(inside, w * (y - est) / W, 0.0)
    return est, float(np.sqrt(design.variance(x)[0, 0])), x


def svymean(data: pd.DataFrame, variable: str, *, ids: Columns = None, strata: Columns = None, fpc: Columns = None,
            weights: str | None = None, domain=None, level: float = 0.95) -> pd.Series:
    """Design-based mean with its linearized standard error (R: ``svymean(~variable, design)``;
    with ``domain``: ``svymean(~variable, subset(design, domain))``).

    Missing values of ``variable`` are left out as R's ``na.rm=TRUE`` does (as a domain).

    Returns
    -------
    Series
        ``estimate, se, ci_low, ci_high, n`` (normal interval, as R's ``confint``).
    """
    design = _design(data, ids, strata, fpc, weights)
    y = _numeric(data, variable)
    inside = _domain(data, domain) & ~np.isnan(y)
    est, se, _ = _mean_parts(design, y, inside)
    z = _z(level)
    return pd.Series({"estimate": est, "se": se, "ci_low": est - z * se, "ci_high": est + z * se, "n": int(inside.sum())})


def svytotal(data: pd.DataFrame, variable: str, *, ids: Columns = None, strata: Columns = None, fpc: Columns = None,
             weights: str | None = None, domain=None, level: float = 0.95) -> pd.Series:
    """Design-based total with its standard error (R: ``svytotal(~variable, design, na.rm=TRUE)``)."""
    design = _design(data, ids, strata, fpc, weights)
    y = _numeric(data, variable)
    inside = _domain(data, domain) & ~np.isnan(y)
    x = np.where(inside, design.weights * np.nan_to_num(y), 0.0)
    est = float(x.sum())
    se = float(np.sqrt(design.variance(x)[0, 0]))
    z = _z(level)
    return pd.Series({"estimate": est, "se": se, "ci_low": est - z * se, "ci_high": est + z * se, "n": int(inside.sum())})


def svyby(data: pd.DataFrame, variable: str, by: str, *, statistic: str = "mean", ids: Columns = None, strata: Columns = None,
          fpc: Columns = None, weights: str | None = None, level: float = 0.95) -> pd.DataFrame:
    """One domain estimate per value of ``by`` on the full design (R: ``svyby(~variable, ~by, design, svymean)``).

    Returns ``<by>, estimate, se, ci_low, ci_high, n``, one row per value of ``by`` in sorted order.
    """
    if statistic not in ("mean", "total"):
        raise ParameterError("statistic must be 'mean' or 'total'")
    fun = svymean if statistic == "mean" else svytotal
    rows = []
    for value in sorted(data[by].dropna().unique()):
        est = fun(data, variable, ids=ids, strata=strata, fpc=fpc, weights=weights, domain=(data[by] == value).to_numpy(), level=level)
        rows.append({by: value, **est.to_dict()})
    out = pd.DataFrame(rows)
    out["n"] = out["n"].astype(int)
    return out


# ---- proportions ------------------------------------------------------------------------------

def _expit(x):
    return 1 / (1 + np.exp(-x))


def svyciprop(data: pd.DataFrame, variable: str, *, method: str = "logit", ids: Columns = None, strata: Columns = None,
              fpc: Columns = None, weights: str | None = None, domain=None, level: float = 0.95, df: float | None = None) -> pd.Series:
    """Design-based interval for a proportion (R: ``svyciprop(~variable, design, method)``).

    Parameters
    ----------
    variable : str
        A 0/1 or boolean column.
    method : {"logit", "likelihood", "beta", "mean", "xlogit", "asin"}
        ``logit``: Wald interval of the survey-weighted logistic intercept; ``likelihood``: its
        profile likelihood interval scaled by the design effect (Rao–Scott); ``beta``: Korn and
        Graubard's Clopper–Pearson with effective sample size; ``mean``: the normal-theory
        interval (can leave [0, 1]); ``xlogit``/``asin``: the mean's interval on the logit / arcsine
        square root scale. All use a t quantile with the design's degrees of freedom (``df``).

    Returns
    -------
    Series
        ``estimate, se, ci_low, ci_high, n, df``.
    """
    design = _design(data, ids, strata, fpc, weights)
    y = _numeric(data, variable)
    yy = y[~np.isnan(y)]
    if not np.isin(yy, (0.0, 1.0)).all():
        raise DataValidationError("survey data", variable, [], "0/1 or true/false values", 0)
    inside = _domain(data, domain) & ~np.isnan(y)
    w_in = design.weights > 0
    df = design.degf(inside & w_in) if df is None else df
    p, se, _ = _mean_parts(design, y, inside)
    a = 1 - level
    qt = float(stats.t.ppf(1 - a / 2, df)) if np.isfinite(df) else _z(level)
    if method == "mean":
        lo, hi = p - qt * se, p + qt * se
    elif method in ("logit", "xlogit"):
        eta, s = np.log(p / (1 - p)), se / (p * (1 - p))
        lo, hi = _expit(eta - qt * s), _expit(eta + qt * s)
    elif method == "asin":
        t, s = np.arcsin(np.sqrt(p)), se / (2 * np.sqrt(p * (1 - p)))
        lo, hi = np.sin(t - qt * s) ** 2, np.sin(t + qt * s) ** 2
    elif method == "beta":
        n_rows = int(inside.sum())
        n_eff = p * (1 - p) / se**2 * (stats.t.ppf(a / 2, n_rows - 1) / stats.t.ppf(a / 2, df)) ** 2
        lo = stats.beta.ppf(a / 2, n_eff * p, n_eff * (1 - p) + 1)
        hi = stats.beta.ppf(1 - a / 2, n_eff * p + 1, n_eff * (1 - p))
    elif method == "likelihood":
        lo, hi = _likelihood_interval(design, y, inside, p, se, level, df)
    else:
        raise ParameterError("method must be one of logit, likelihood, beta, mean, xlogit, asin")
    return pd.Series({"estimate": p, "se": se, "ci_low": float(lo), "ci_high": float(hi), "n": int(inside.sum()), "df": df})


def _likelihood_interval(design: SurveyDesign, y: np.ndarray, inside: np.ndarray, p: float, se: float, level: float, df: float):
    """R's ``confint(svyglm(y ~ 1, family=quasibinomial), method="likelihood", ddf=df)``: the
    profile deviance of the logistic intercept, scaled by the dispersion, read at cutoffs widened
    by the design effect of the intercept; profiled in R's steps and read off R's FMM spline."""
    w = design.weights[inside]
    yv = y[inside]
    W = w / w.mean()  # svyglm rescales the weights to mean 1
    n = len(yv)
    beta_hat = np.log(p / (1 - p))

    def deviance(b: float) -> float:
        mu = _expit(b)
        return float(2 * np.sum(W * (np.where(yv > 0, yv * np.log(np.where(yv > 0, yv, 1) / mu), 0)
                                     + np.where(yv < 1, (1 - yv) * np.log(np.where(yv < 1, 1 - yv, 1) / (1 - mu)), 0))))

    std_err = se / (p * (1 - p))  # the sandwich SE of the intercept
    naive = 1 / np.sum(W * p * (1 - p))
    lam = std_err**2 / naive
    # dispersion: R's svyvar of svyglm's Pearson residuals (sampling weights divided out) over the design
    r = (yv - p) / np.sqrt(p * (1 - p))
    rbar = np.sum(w * r) / w.sum()
    dispersion = np.sum(w * (r - rbar) ** 2) / w.sum() * n / (n - 1)
    alpha = stats.norm.cdf(stats.t.ppf((1 - level) / 2, df) * np.sqrt(lam)) / 2
    zmax = np.sqrt(stats.f.isf(alpha, 1, n - 1))
    delta = zmax / 5
    d0 = deviance(beta_hat)
    xs, zs = [beta_hat], [0.0]
    for sgn in (-1, 1):
        step, z = 0, 0.0
        while (step := step + 1) < 10 and abs(z) < zmax:
            b = beta_hat + sgn * step * delta * std_err
            zz = max((deviance(b) - d0) / dispersion, 0.0)
            z = sgn * np.sqrt(zz)
            xs.append(b)
            zs.append(z)
    order = np.argsort(zs, kind="stable")
    bx, bz = np.asarray(xs)[order], np.asarray(zs)[order]
    grid = np.linspace(bx.min(), bx.max(), 3 * len(bx))
    gz = _fmm_spline(bx, bz, grid)
    cutoff = stats.norm.ppf([2 * alpha, 1 - 2 * alpha])
    srt = np.argsort(gz, kind="stable")
    lo, hi = np.interp(cutoff, gz[srt], grid[srt])
    return _expit(lo), _expit(hi)


def _fmm_spline(x: np.ndarray, y: np.ndarray, xout: np.ndarray) -> np.ndarray:
    """Forsythe, Malcolm and Moler's cubic spline (R's ``spline(method="fmm")``): end conditions
    from cubics through the first and last four points."""
    n = len(x)
    b, c, d = np.zeros(n), np.zeros(n), np.zeros(n)
    if n < 3:
        slope = (y[1] - y[0]) / (x[1] - x[0])
        return y[0] + slope * (xout - x[0])
    nm1 = n - 1
    d[0] = x[1] - x[0]
    c[1] = (y[1] - y[0]) / d[0]
    for i in range(1, nm1):
        d[i] = x[i + 1] - x[i]
        b[i] = 2 * (d[i - 1] + d[i])
        c[i + 1] = (y[i + 1] - y[i]) / d[i]
        c[i] = c[i + 1] - c[i]
    b[0], b[nm1] = -d[0], -d[n - 2]
    c[0] = c[nm1] = 0.0
    if n > 3:
        c[0] = c[2] / (x[3] - x[1]) - c[1] / (x[2] - x[0])
        c[nm1] = c[n - 2] / (x[nm1] - x[n - 3]) - c[n - 3] / (x[n - 2] - x[n - 4])
        c[0] = c[0] * d[0] * d[0] / (x[3] - x[0])
        c[nm1] = -c[nm1] * d[n - 2] * d[n - 2] / (x[nm1] - x[n - 4])
    for i in range(1, n):
        t = d[i - 1] / b[i - 1]
        b[i] -= t * d[i - 1]
        c[i] -= t * c[i - 1]
    c[nm1] /= b[nm1]
    for i in range(n - 2, -1, -1):
        c[i] = (c[i] - d[i] * c[i + 1]) / b[i]
    b[nm1] = (y[nm1] - y[n - 2]) / d[n - 2] + d[n - 2] * (c[n - 2] + 2 * c[nm1])
    for i in range(nm1):
        b[i] = (y[i + 1] - y[i]) / d[i] - d[i] * (c[i + 1] + 2 * c[i])
        d[i] = (c[i + 1] - c[i]) / d[i]
        c[i] = 3 * c[i]
    c[nm1] = 3 * c[nm1]
    d[nm1] = d[n - 2]
    i = np.clip(np.searchsorted(x, xout, side="right") - 1, 0, n - 1)
    dx = xout - x[i]
    return y[i] + dx * (b[i] + dx * (c[i] + dx * d[i]))


# ---- tests ------------------------------------------------------------------------------------

def svychisq(data: pd.DataFrame, row: str, col: str, *, statistic: str = "F", ids: Columns = None, strata: Columns = None,
             fpc: Columns = None, weights: str | None = None) -> pd.Series:
    """Rao–Scott test of independence in a weighted two-way table (R: ``svychisq(~row + col, design)``).

    ``statistic="F"`` (R's default): Pearson's X² of the table rescaled to the sample size,
    divided by the mean generalized design effect, referred to F with the Rao–Scott second-order
    degrees of freedom; ``"Chisq"``: X² divided by the mean design effect, referred to χ² with
    (r-1)(c-1) degrees of freedom.

    Returns
    -------
    Series
        ``statistic, ndf, ddf, p_value, pearson, design_effect`` (``ddf`` NaN for Chisq).
    """
    design = _design(data, ids, strata, fpc, weights)
    ok = (data[row].notna() & data[col].notna()).to_numpy()
    rows_lv = sorted(data.loc[ok, row].unique())
    cols_lv = sorted(data.loc[ok, col].unique())
    nr, nc = len(rows_lv), len(cols_lv)
    if nr < 2 or nc < 2:
        raise ParameterError(f"a two-way table needs two values at least in {row!r} and {col!r}")
    rcode = pd.Categorical(data[row], categories=rows_lv).codes
    ccode = pd.Categorical(data[col], categories=cols_lv).codes
    cell = np.where(ok, rcode + nr * ccode, -1)  # interaction(rows, cols): rows vary fastest
    k = nr * nc
    mm = np.zeros((design.n, k))
    mm[np.flatnonzero(ok), cell[ok]] = 1.0
    w = np.where(ok, design.weights, 0.0)
    W = w.sum()
    mean2 = (w[:, None] * mm).sum(axis=0) / W
    x = np.where(ok[:, None], w[:, None] * (mm - mean2) / W, 0.0)
    V = design.variance(x)
    N = int(ok.sum())
    nu = design.degf()
    table = (mean2 * N).reshape(nc, nr).T
    expected = np.outer(table.sum(axis=1), table.sum(axis=0)) / N
    pearson = float(((table - expected) ** 2 / expected).sum())
    grid_r, grid_c = np.tile(np.arange(nr), nc), np.repeat(np.arange(nc), nr)
    X1 = np.column_stack([np.ones(k)] + [(grid_r == i).astype(float) for i in range(1, nr)] + [(grid_c == j).astype(float) for j in range(1, nc)])
    inter = np.column_stack([((grid_r == i) & (grid_c == j)).astype(float) for j in range(1, nc) for i in range(1, nr)])
    C = inter - X1 @ np.linalg.lstsq(X1, inter, rcond=None)[0]
    iD = np.diag(np.where(mean2 == 0, 0, 1 / np.where(mean2 == 0, 1, mean2)))
    denom = C.T @ (iD / N) @ C
    numr = C.T @ iD @ V @ iD @ C
    delta = np.linalg.solve(denom, numr)
    tr = float(np.trace(delta))
    if statistic == "F":
        d0 = tr**2 / float(np.trace(delta @ delta))
        stat = pearson / tr
        return pd.Series({"statistic": stat, "ndf": d0, "ddf": d0 * nu, "p_value": float(stats.f.sf(stat, d0, d0 * nu)),
                          "pearson": pearson, "design_effect": tr / delta.shape[0]})
    if statistic == "Chisq":
        dfree = delta.shape[0]
        return pd.Series({"statistic": pearson / (tr / dfree), "ndf": float(dfree), "ddf": np.nan,
                          "p_value": float(stats.chi2.sf(pearson / (tr / dfree), dfree)), "pearson": pearson, "design_effect": tr / dfree})
    raise ParameterError("statistic must be 'F' or 'Chisq'")


def svyttest(data: pd.DataFrame, variable: str, group: str, *, ids: Columns = None, strata: Columns = None, fpc: Columns = None,
             weights: str | None = None, level: float = 0.95) -> pd.Series:
    """Design-based comparison of the means of two groups (R: ``svyttest(variable ~ group, design)``).

    The difference is the second group's mean minus the first's (groups in sorted order, as R's
    factor levels); its SE is linearized jointly over both domains; t has the design's degrees of
    freedom minus one.

    Returns
    -------
    Series
        ``estimate, se, statistic, df, p_value, ci_low, ci_high, group_a, group_b``.
    """
    design = _design(data, ids, strata, fpc, weights)
    y = _numeric(data, variable)
    ok = ~np.isnan(y) & data[group].notna().to_numpy()
    levels = sorted(data.loc[ok, group].unique())
    if len(levels) != 2:
        raise ParameterError(f"{group!r} must have exactly two values; it has {levels}")
    a = ok & (data[group] == levels[0]).to_numpy()
    b = ok & (data[group] == levels[1]).to_numpy()
    ma, _, xa = _mean_parts(design, y, a)
    mb, _, xb = _mean_parts(design, y, b)
    est = mb - ma
    se = float(np.sqrt(design.variance(xb - xa)[0, 0]))
    dfree = design.degf(ok & (design.weights > 0)) - 1
    t = est / se
    q = float(stats.t.ppf(0.5 + level / 2, dfree))
    return pd.Series({"estimate": est, "se": se, "statistic": t, "df": dfree, "p_value": float(2 * stats.t.sf(abs(t), dfree)),
                      "ci_low": est - q * se, "ci_high": est + q * se, "group_a": levels[0], "group_b": levels[1]})


def _qrule_math(x: np.ndarray, w: np.ndarray, p: float) -> float:
    """R's ``qrule_math``: the smallest value whose weighted cumulative share reaches ``p``."""
    keep = w != 0
    x, w = x[keep], w[keep]
    order = np.argsort(x, kind="stable")
    x = x[order]
    # R accumulates sums in extended precision: ties at exactly p (equal weights) fall as in R
    cw = np.cumsum(w[order].astype(np.longdouble)).astype(float)
    total = float(np.sum(w.astype(np.longdouble)))
    below = np.flatnonzero(cw <= p * total)
    if not below.size:
        return float(x[0])
    pos = below[-1]
    nxt = min(pos + 1, len(x) - 1)
    return float(x[pos] if p - cw[pos] / total == 0 else x[nxt])


def svyquantile(data: pd.DataFrame, variable: str, quantiles: Sequence[float] = (0.5,), *, ids: Columns = None, strata: Columns = None,
                fpc: Columns = None, weights: str | None = None, domain=None, level: float = 0.95) -> pd.DataFrame:
    """Design-based quantiles with Woodruff intervals (R ≥ 4: ``svyquantile(~variable, design,
    quantiles, ci=TRUE)``, ``qrule="math"``, ``interval.type="mean"``).

    The interval for the share below the quantile (a design-based mean, t quantile with the
    design's degrees of freedom) is mapped back through the weighted distribution function; the
    SE is the interval's width over twice that t quantile.

    Returns ``quantile, estimate, ci_low, ci_high, se``, one row per quantile.
    """
    design = _design(data, ids, strata, fpc, weights)
    y = _numeric(data, variable)
    inside = _domain(data, domain) & ~np.isnan(y)
    dfree = design.degf(inside & (design.weights > 0))
    q = float(stats.t.ppf(1 - (1 - level) / 2, dfree))
    w = np.where(inside, design.weights, 0.0)
    rows = []
    for p in quantiles:
        qhat = _qrule_math(y[inside], w[inside], p)
        below = np.where(inside, (y <= qhat).astype(float), np.nan)
        share, se_share, _ = _mean_parts(design, below, inside)
        lo_p, hi_p = share - q * se_share, share + q * se_share
        lo = np.nan if lo_p < 0 else _qrule_math(y[inside], w[inside], lo_p)
        hi = np.nan if hi_p > 1 else _qrule_math(y[inside], w[inside], hi_p)
        rows.append({"quantile": p, "estimate": qhat, "ci_low": lo, "ci_high": hi, "se": (hi - lo) / (2 * q)})
    return pd.DataFrame(rows)
