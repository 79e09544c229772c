"""communitylab: is this community alive, or an audience that only talks to the brand?

Layers (data flows down only): loaders -> Community (Ibis table on DuckDB or PySpark) ->
metrics and models (tidy pandas) -> plots (matplotlib Axes) -> studies (notebooks) -> runner.
"""

from communitylab.community import Community, resolve_hosts
from communitylab.engine import Engine, default_engine, spark_session
from communitylab.schema import DataValidationError, LoadReport, validate_events, validate_members

__version__ = "0.1.0"

__all__ = [
    "Community",
    "DataValidationError",
    "Engine",
    "LoadReport",
    "__version__",
    "default_engine",
    "resolve_hosts",
    "spark_session",
    "validate_events",
    "validate_members",
]
