"""Point it at your export: which format a path holds, and one entry point that loads any of them.

``load_source(path)`` sniffs the format (a zip or folder with ``users.json`` and
``channels.json`` is Slack, a file starting with ``From `` is mail, ...), or takes ``format=``
when the guess is wrong, and calls the platform's connector. :data:`FORMATS` lists every format
with what it reads, what it maps to and its host rule (the README's "Your own data" table). Each
connector module registers its format and how to recognize it
(:mod:`communitylab.loaders.registry`).
"""

from __future__ import annotations

import inspect
import os
from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any

import pandas as pd

from communitylab import locations
from communitylab.community import Community, HostRule
from communitylab.engine import Engine
from communitylab.errors import ParameterError
from communitylab.loaders._export import ExportFiles, is_documentation
from communitylab.loaders.registry import EXPORT_DETECTORS, REGISTERED, Format, Sniff
from communitylab.schema import DataValidationError

__all__ = ["FORMATS", "Format", "sniff_format", "load_source", "describe_formats"]


def _connector_modules() -> None:
    """Import every connector module of this package: each registers its format (see
    :mod:`communitylab.loaders.registry`), so a new platform is one module and nothing else."""
    import importlib
    import pkgutil

    import communitylab.loaders as package

    for info in pkgutil.iter_modules(package.__path__):
        if not info.name.startswith("_") and info.name not in ("formats", "registry", "importing"):
            importlib.import_module(f"communitylab.loaders.{info.name}")


_connector_modules()

#: Every format :func:`load_source` understands, in the order of the README's table (registered
#: by the connector modules; see :mod:`communitylab.loaders.registry`)
FORMATS: dict[str, Format] = REGISTERED

_MAPPING_HELP = (
    "Name the format with format=... (-p format NAME in a study), or map a table's columns: "
    "format='events', columns={'event_id': 'id', 'member_id': 'author', 'kind': 'type', 'created_at': 'time', "
    "'parent_id': 'reply_to'} (-p columns \"{member_id: author, created_at: time}\")."
)


def describe_formats() -> pd.DataFrame:
    """``format, reads, maps to, host rule``: one row per format ``load_source`` understands."""
    return pd.DataFrame(
        [{"format": f.name, "reads": f.reads, "maps to": f.maps, "host rule": f.host_rule} for f in FORMATS.values()]
    )


def sniff_format(path: str | os.PathLike) -> str:
    """The format name of an export (see :data:`FORMATS`).

    Raises
    ------
    FileNotFoundError
        The path does not exist.
    DataValidationError
        The format is not recognized (the message lists the formats and how to map columns), or
        a folder mixes formats.
    """
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f"no such file or folder: {path}")
    files = ExportFiles(path)
    names = files.names()
    if path.is_dir() or files.is_zip:
        whole = next((name for _, name, found in EXPORT_DETECTORS if found(files)), None)
        if whole is not None:
            return whole
        found: dict[str, list[str]] = {}
        unknown: list[str] = []
        for n in names:
            if is_documentation(n):
                continue
            fmt = Sniff(files, n).detect()
            (found.setdefault(fmt, []) if fmt else unknown).append(n)
        if len(found) > 1:
            detail = "; ".join(f"{fmt}: {', '.join(v[:3])}" for fmt, v in sorted(found.items()))
            raise DataValidationError(files.label(""), "(files)", [], f"one export format in a folder; this one mixes {detail}. Give each its own source (community.yml)", 0)
        if found:
            return next(iter(found))
        raise DataValidationError(str(path), "(format)", [], f"a known export; none of its files was recognized ({', '.join(unknown[:5])}). Formats: {', '.join(FORMATS)}. {_MAPPING_HELP}", 0)
    fmt = Sniff(files, names[0]).detect()
    if fmt is None:
        raise DataValidationError(str(path), "(format)", [], f"a known export format; this file was not recognized. Formats: {', '.join(FORMATS)}. {_MAPPING_HELP}", 0)
    return fmt


def load_source(
    path: str | os.PathLike,
    format: str | None = None,
    *,
    hosts: HostRule = None,
    name: str | None = None,
    columns: Mapping[str, str] | None = None,
    kinds: Mapping[str, str] | None = None,
    start: str | pd.Timestamp | None = None,
    end: str | pd.Timestamp | None = None,
    include_text: bool = False,
    engine: Engine | None = None,
    now: pd.Timestamp | None = None,
) -> Community:
    """Load any supported export as a :class:`~communitylab.Community`.

    Parameters
    ----------
    path : path
        A file, folder or zip (see :data:`FORMATS`), or a store's URI (``file://``, ``hdfs://``,
        ``s3a://``), which only the ``store`` format reads.
    format : str, optional
        One of :data:`FORMATS`; sniffed when None, ``""`` or ``"auto"``.
    hosts : list of str, optional
        Replaces the platform's host rule (ids; Discord also takes role names, mail domains
        like ``"@project.org"``, Twitter ``"@usernames"``).
    columns, kinds : mapping, optional
        For ``format="events"``: ``{contract column: your column}`` and ``{your value: kind}``.
    start, end : date, optional
        Keep events with ``start <= created_at < end`` (UTC); what is left out is noted.
    include_text : bool
        Keep message texts (personal data; off by default).
    """
    if locations.is_uri(path):
        fmt = format if format and format != "auto" else "store"
        if fmt != "store":
            raise ParameterError(f"{path}: only a Parquet store is read from a URI, not format {fmt!r}; copy the export here to load it")
    else:
        path = Path(path)
        fmt = format if format and format != "auto" else sniff_format(path)
    if fmt not in FORMATS:
        raise ParameterError(f"unknown format {fmt!r}; formats: {', '.join(FORMATS)}")
    loader = FORMATS[fmt].loader
    accepted = inspect.signature(loader).parameters
    if (columns or kinds) and "columns" not in accepted:
        raise ParameterError(f"columns/kinds map a generic table (format 'events'); {fmt!r} has its own mapping")
    offered = {"hosts": hosts, "name": name, "include_text": include_text, "engine": engine, "now": now, "columns": columns, "kinds": kinds}
    kwargs = {k: v for k, v in offered.items() if k in accepted}
    community = loader(path, **kwargs)
    if not community.format:
        community.format = fmt
    if not community.host_rule:
        community.host_rule = "given by the user" if hosts else FORMATS[fmt].host_rule
    return window(community, start, end)


def window(community: Community, start: Any = None, end: Any = None) -> Community:
    """The community within ``[start, end)`` with what was left out noted in its load report."""
    if not start and not end:
        return community
    before = community.report.rows_loaded
    out = community.window(start or None, end or None)
    kept = len(out.frame) if out.frame is not None else int(out.execute(out.events.count()))
    report = replace(out.report, issues=list(out.report.issues), notes=list(out.report.notes))
    report.notes.append(f"time window {start or 'start'} to {end or 'end'} (UTC): {before - kept:,} events outside it left out of this study")
    return replace(out, report=report)
