"""The one family of errors communitylab raises on purpose.

Every error a user can meet derives from :class:`CommunityLabError` and from the built-in it
resembles, so ``except CommunityLabError`` catches anything the kit refused, and older code
that catches ``ValueError`` or ``OSError`` keeps working.

Examples
--------
>>> from communitylab.errors import CommunityLabError, ParameterError
>>> try:
...     raise ParameterError("study 'community_health': parameter 'period' expects day, week or month; got 'fortnight'")
... except CommunityLabError as exc:
...     print(type(exc).__name__, isinstance(exc, ValueError))
ParameterError True
"""

from __future__ import annotations

__all__ = ["CommunityLabError", "ParameterError", "InputTooLarge", "ConfigError", "DatasetMissing", "DatasetChecksumError",
           "FetchError", "EngineUnavailable", "NotFittedError", "CommunityLabWarning", "ConvergenceWarning", "EstimationWarning"]


class CommunityLabError(Exception):
    """Root of every error communitylab raises on purpose."""


class ParameterError(CommunityLabError, ValueError):
    """A study name or a parameter value the kit refuses before any work starts."""


class ConfigError(CommunityLabError, OSError):
    """The kit's own configuration (the privacy key, its folder) cannot be read or written."""


class InputTooLarge(CommunityLabError, ValueError):
    """An input past a stated safety limit (decompressed size, nesting depth, field size).

    Attributes
    ----------
    source : str
        The file (or archive entry) that crossed the limit.
    limit : str
        The limit in words, with the setting that raises it.
    """

    def __init__(self, source: str, limit: str):
        self.source, self.limit = source, limit
        super().__init__(f"{source}: larger than a stated limit: {limit}")


class DatasetMissing(CommunityLabError, FileNotFoundError):
    """A registered data set that is not in the data folder; the message names the ``fetch`` command,
    the licence and the size."""


class DatasetChecksumError(CommunityLabError, ValueError):
    """A data set's file whose content differs from what the registry lists (a damaged download, a
    different edition of the data): the kit would not reproduce its published figures on it."""


class FetchError(CommunityLabError, OSError):
    """A data set that could not be downloaded from any of its locations (the message lists each)."""


class EngineUnavailable(CommunityLabError, ConnectionError):
    """An engine that cannot run a query: a Spark master or Spark Connect server that does not
    answer, or a cluster that accepts the application but gives it no executors in time."""


class NotFittedError(CommunityLabError, RuntimeError):
    """A model asked for results before ``fit(...)``."""


class CommunityLabWarning(UserWarning):
    """Root of every warning communitylab issues: a result that stands, with a caveat."""


class ConvergenceWarning(CommunityLabWarning):
    """A fit whose optimizer did not converge, or converged only by a fallback search: its
    estimates may not be the maximum of the likelihood."""


class EstimationWarning(CommunityLabWarning):
    """Estimates at a boundary of the parameter space, or standard errors that cannot be computed
    (a flat or singular likelihood): the data do not identify them; they are reported as not
    estimable, never with a standard error of 0."""
