"""Shared maximum-likelihood machinery: positive parameters fitted on the log scale, standard
errors from the observed information (numerical Hessian), summaries in the lifelines manner."""

from __future__ import annotations

import warnings
from collections.abc import Callable, Sequence

import numpy as np
import pandas as pd
from scipy import optimize, stats

from communitylab.errors import ConvergenceWarning, EstimationWarning, NotFittedError
from communitylab.fit_inputs import frame_of_columns


def _hessian(f: Callable[[np.ndarray], float], x: np.ndarray, rel_step: float = 1e-4) -> np.ndarray:
    """Central-difference Hessian of ``f`` at ``x`` (1 + 2n + 4 n(n-1)/2 evaluations)."""
    n = len(x)
    h = rel_step * np.maximum(np.abs(x), 1.0)
    H = np.empty((n, n))
    f0 = f(x)
    for i in range(n):
        e = np.zeros(n)
        e[i] = 2 * h[i]
        H[i, i] = (f(x + e) - 2 * f0 + f(x - e)) / (4 * h[i] * h[i])
        for j in range(i + 1, n):
            ei, ej = np.zeros(n), np.zeros(n)
            ei[i], ej[j] = h[i], h[j]
            v = (f(x + ei + ej) - f(x + ei - ej) - f(x - ei + ej) + f(x - ei - ej)) / (4 * h[i] * h[j])
            H[i, j] = H[j, i] = v
    return H


def _jacobian_of_gradient(grad: Callable[[np.ndarray], np.ndarray], x: np.ndarray, rel_step: float = 1e-5) -> np.ndarray:
    """Hessian as the central-difference Jacobian of an analytic gradient (symmetrized)."""
    n = len(x)
    H = np.empty((n, n))
    for i in range(n):
        h = rel_step * max(abs(x[i]), 1.0)
        e = np.zeros(n)
        e[i] = h
        H[:, i] = (grad(x + e) - grad(x - e)) / (2 * h)
    return (H + H.T) / 2


def _newton_polish(f: Callable[[np.ndarray], float], x0: np.ndarray, H: np.ndarray, *, steps: int = 8, tol: float = 1e-5,
                   rel_step: float = 1e-5):
    """Newton steps x <- x - H^-1 g(x) with central-difference gradients and a fixed approximate
    Hessian; ``None`` when a step does not lower ``f`` or the steps do not settle (the caller then
    searches from ``x0``). Returns an ``OptimizeResult``."""
    x, fx = np.asarray(x0, float), f(x0)
    for _ in range(steps):
        g = np.empty_like(x)
        for i in range(len(x)):
            h = rel_step * max(abs(x[i]), 1.0)
            e = np.zeros_like(x)
            e[i] = h
            g[i] = (f(x + e) - f(x - e)) / (2 * h)
        try:
            delta = np.linalg.solve(H, g)
        except np.linalg.LinAlgError:
            return None
        x_new = x - delta
        f_new = f(x_new)
        if not np.isfinite(f_new) or f_new > fx + 1e-9 * abs(fx):
            return None
        x, fx = x_new, f_new
        if np.max(np.abs(delta)) < tol:
            return optimize.OptimizeResult(x=x, fun=fx, success=True, message="Newton polish from a sample fit converged")
    return None


def compress(data: dict) -> dict:
    """Identical members (same ``x, t_x, T``) merged into one row with their weights summed: the
    likelihood is unchanged and day-resolution summaries shrink a lot. Adds ``ux, ux_inv``: the
    distinct repeat counts and each row's index into them."""
    if "ux" in data or not {"x", "tx", "T", "w"} <= set(data):
        return data
    x, tx, T = (np.asarray(data[k], float) for k in ("x", "tx", "T"))
    order = np.lexsort((T, tx, x))  # sorted by x, then t_x, then T: the order np.unique(axis=0) gives, faster
    xs, txs, Ts = x[order], tx[order], T[order]
    start = np.r_[True, (xs[1:] != xs[:-1]) | (txs[1:] != txs[:-1]) | (Ts[1:] != Ts[:-1])]
    group = np.cumsum(start) - 1
    inv = np.empty(len(x), dtype=np.intp)
    inv[order] = group
    uniq = np.column_stack([xs[start], txs[start], Ts[start]])
    w = np.bincount(inv, weights=data["w"], minlength=len(uniq))
    out = {**data, "x": uniq[:, 0], "tx": uniq[:, 1], "T": uniq[:, 2], "w": w}
    out["ux"], out["ux_inv"] = np.unique(out["x"], return_inverse=True)
    return out


#: A log-parameter beyond this (a parameter below 1e-6 or above 1e6) has run to a boundary
BOUNDARY_LOG = float(np.log(1e6))
#: A standard error on the log scale above this (an interval spanning a factor of e^20) identifies nothing
MAX_SE_LOG = 10.0


def _covariance(H: np.ndarray) -> tuple[np.ndarray, np.ndarray, str]:
    """Covariance and standard errors (log scale) from the observed information ``H``, or NaN and
    the reason when ``H`` is not positive definite (a flat or singular likelihood)."""
    n = len(H)
    nan = (np.full((n, n), np.nan), np.full(n, np.nan))
    if not np.all(np.isfinite(H)):
        return (*nan, "the information matrix is not finite")
    eig = np.linalg.eigvalsh((H + H.T) / 2)
    if eig.min() <= 1e-10 * max(abs(eig.max()), 1e-300):
        return (*nan, "the information matrix is singular or not positive definite: the likelihood is flat")
    cov = np.linalg.inv(H)
    return cov, np.sqrt(np.diag(cov)), ""


class PositiveMLE:
    """Base class: subclasses define ``_param_names`` and ``_negll(params, data)``.

    Fitted attributes end in ``_``: ``params_`` (Series), ``se_`` (Series), ``estimable_`` (Series
    of bool), ``log_likelihood_``, ``converged_``, ``optimizer_``, ``n_``. ``summary`` is a
    DataFrame ``estimate, se, ci_low, ci_high, note`` (Wald intervals on the log scale, so they stay
    positive; ``note`` says "not estimable" where the data do not identify a parameter).

    A fit that did not converge, or converged only by the fallback search, issues a
    :class:`~communitylab.errors.ConvergenceWarning`; estimates at a boundary or standard errors
    that cannot be computed an :class:`~communitylab.errors.EstimationWarning`, with those standard
    errors NaN (never 0).
    """

    _param_names: Sequence[str] = ()
    #: relative change of the log-likelihood at which the search stops (numeric-gradient models)
    _ftol: float = 1e-13

    def __init__(self, *, level: float = 0.95, initial: Sequence[float] | None = None) -> None:
        self.level = level
        self.initial = initial

    def _negll(self, params: np.ndarray, data: dict) -> float:  # pragma: no cover - abstract
        raise NotImplementedError

    def _fit_data(self, data: dict, n: int, *, newton_hessian: np.ndarray | None = None):
        """Maximize the likelihood from ``self.initial``. ``newton_hessian``: an approximation of the
        Hessian of the negative log-likelihood (log parameters) at the start, e.g. a sample fit's
        scaled to the data: the start is then polished by Newton steps with central-difference
        gradients (a few evaluations instead of a quasi-Newton search), with the quasi-Newton
        search as the fallback should a step fail to improve."""
        data = compress(data)
        x0 = np.log(np.asarray(self.initial if self.initial is not None else [1.0] * len(self._param_names), dtype=float))

        def f(logp: np.ndarray) -> float:
            with np.errstate(all="ignore"):
                v = self._negll(np.exp(logp), data)
            return v if np.isfinite(v) else 1e300

        analytic = hasattr(self, "_negll_grad")

        def fg(logp: np.ndarray) -> tuple[float, np.ndarray]:
            p = np.exp(logp)
            with np.errstate(all="ignore"):
                v, g = self._negll_grad(p, data)
            if not np.isfinite(v) or not np.all(np.isfinite(g)):
                return 1e300, np.zeros_like(logp)
            return v, g * p  # chain rule to the log scale

        polished = None if analytic or newton_hessian is None else _newton_polish(f, x0, newton_hessian)
        method = "Newton polish" if polished is not None else "L-BFGS-B"
        if polished is not None:
            best = polished
        elif analytic:
            best = optimize.minimize(fg, x0, jac=True, method="L-BFGS-B", options={"maxiter": 20_000, "ftol": 1e-13, "gtol": 1e-9})
        else:
            best = optimize.minimize(f, x0, method="L-BFGS-B", options={"maxiter": 20_000, "ftol": self._ftol, "gtol": 1e-9})
        if not best.success:  # fall back to a derivative-free search from where it stopped
            nm = optimize.minimize(f, best.x, method="Nelder-Mead", options={"maxiter": 20_000, "xatol": 1e-9, "fatol": 1e-11})
            if nm.fun <= best.fun:
                best, method = nm, "Nelder-Mead (fallback after L-BFGS-B stopped: " + str(best.message) + ")"
        logp = best.x
        H = _jacobian_of_gradient(lambda v: fg(v)[1], logp) if analytic else _hessian(f, logp)
        cov_log, se_log, reason = _covariance(H)
        p = np.exp(logp)
        names = list(self._param_names)
        boundary = (np.abs(logp) > BOUNDARY_LOG) | (se_log > MAX_SE_LOG)
        self.estimable_ = pd.Series(np.isfinite(se_log) & ~boundary, index=names, name="estimable")
        se_log = np.where(self.estimable_, se_log, np.nan)  # never a standard error of 0 for what the data do not identify
        self.params_ = pd.Series(p, index=names, name="estimate")
        self.se_ = pd.Series(p * se_log, index=names, name="se")  # delta method
        self._cov_log = cov_log
        self.log_likelihood_ = -float(best.fun)
        self.converged_ = bool(best.success)
        self.optimizer_ = method
        self.optimizer_message_ = str(best.message)
        self.n_ = int(n)
        model = type(self).__name__
        if not best.success:
            warnings.warn(f"{model}: the likelihood search did not converge ({best.message}); the estimates may not be its "
                          "maximum", ConvergenceWarning, stacklevel=3)
        elif method.startswith("Nelder-Mead"):
            warnings.warn(f"{model}: converged only by the fallback search ({method})", ConvergenceWarning, stacklevel=3)
        if boundary.any():
            at = ", ".join(f"{k} {v:.3g}" for k, v, b in zip(names, p, boundary, strict=True) if b)
            warnings.warn(f"{model}: estimates at a boundary of the parameter space or not identified ({at}): the data do not "
                          "determine them (for example no one leaves, or no one repeats); they are reported as not estimable",
                          EstimationWarning, stacklevel=3)
        elif reason:
            warnings.warn(f"{model}: standard errors cannot be computed ({reason}); reported as not estimable",
                          EstimationWarning, stacklevel=3)
        return self

    def _check_fitted(self) -> None:
        if not hasattr(self, "params_"):
            raise NotFittedError(f"{type(self).__name__} is not fitted; call fit(...) first")

    @property
    def summary(self) -> pd.DataFrame:
        """``estimate, se, ci_low, ci_high`` per parameter; log-likelihood and n in ``attrs``."""
        self._check_fitted()
        z = stats.norm.ppf(0.5 + self.level / 2)
        se_log = self.se_ / self.params_
        out = pd.DataFrame({
            "estimate": self.params_, "se": self.se_,
            "ci_low": self.params_ * np.exp(-z * se_log), "ci_high": self.params_ * np.exp(z * se_log),
            "note": np.where(self.estimable_, "", "not estimable"),
        })
        out.index.name = "param"
        out.attrs.update(log_likelihood=self.log_likelihood_, n=self.n_, converged=self.converged_, model=type(self).__name__)
        return out

    def print_summary(self) -> None:
        """Print the summary for people."""
        s = self.summary
        print(f"{s.attrs['model']}: n = {s.attrs['n']:,}, log-likelihood = {s.attrs['log_likelihood']:.2f}, converged = {s.attrs['converged']}")
        print(s.to_string(float_format=lambda v: f"{v:.4f}"))

    def sample_params(self, size: int, seed: int = 0) -> pd.DataFrame:
        """Parameter draws from the asymptotic normal on the log scale (for uncertainty bands)."""
        self._check_fitted()
        rng = np.random.default_rng(seed)
        draws = rng.multivariate_normal(np.log(self.params_.to_numpy()), self._cov_log, size=size)
        return pd.DataFrame(np.exp(draws), columns=list(self._param_names))


def check_columns(df: pd.DataFrame, columns: Sequence[str], source: str) -> None:
    """``df`` is a DataFrame holding ``columns`` (see :mod:`communitylab.fit_inputs`)."""
    frame_of_columns(df, columns, source)


def check_rfm(frequency: np.ndarray, recency: np.ndarray, T: np.ndarray, source: str = "summary") -> None:
    """Bad input for the buy-till-you-die models gets a clear error naming the rows."""
    from communitylab.schema import DataValidationError

    for name, bad, expected in (
        ("frequency", (frequency < 0) | ~np.isfinite(frequency), "a count of repeat transactions >= 0"),
        ("recency", (recency < 0) | ~np.isfinite(recency), "recency >= 0"),
        ("T", (T <= 0) | ~np.isfinite(T), "an age T > 0"),
        ("recency", recency > T + 1e-9, "recency no later than the age T"),
        ("recency", (frequency == 0) & (recency > 0), "recency 0 when frequency is 0"),
    ):
        if np.any(bad):
            rows = np.flatnonzero(bad)
            raise DataValidationError(source, name, rows[:5].tolist(), expected, len(rows))


def rfm_arrays(df: pd.DataFrame, frequency_col: str, recency_col: str, T_col: str, weights_col: str | None, source: str):
    """Checked ``x, t_x, T, weights`` arrays from a per-member summary (BG/NBD, Pareto/NBD)."""
    check_columns(df, [frequency_col, recency_col, T_col], source)
    x, tx, T = (df[c].to_numpy(float) for c in (frequency_col, recency_col, T_col))
    check_rfm(x, tx, T, source)
    w = df[weights_col].to_numpy(float) if weights_col else np.ones_like(x)
    return {"x": x, "tx": tx, "T": T, "w": w}
