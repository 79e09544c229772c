"""What a user runs first on an export: ``communitylab inspect SOURCE``.

It loads the source as a study would (format sniffed or given, the platform's host rule) and
reports what it found, without running a study: the format and its mapping, the host rule and the
hosts found, the load report, counts by kind, and the time span.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from communitylab.community import Community
from communitylab.errors import ParameterError
from communitylab.schema import EVENT_KINDS

__all__ = ["inspect_source", "describe_community", "format_inspection"]

OPTIONS = ("format", "hosts", "columns", "kinds", "start", "end", "name")


def inspect_source(source: str, options: Mapping[str, Any] | None = None) -> tuple[Community, dict[str, Any]]:
    """Load ``source`` with ``options`` (any of format, hosts, columns, kinds, start, end, name).

    Raises
    ------
    ValueError
        An option that ``inspect`` does not take.
    DataValidationError, FileNotFoundError
        As the loaders raise them.
    """
    from communitylab.datasets import load_community

    options = dict(options or {})
    unknown = sorted(set(options) - set(OPTIONS))
    if unknown:
        raise ParameterError(f"inspect takes -p {', '.join(OPTIONS)}; not {unknown}")
    hosts = options.get("hosts")
    if isinstance(hosts, str):
        hosts = [hosts]
    community = load_community(
        source, hosts=hosts or None, name=options.get("name") or None, format=options.get("format") or None,
        columns=options.get("columns") or None, kinds=options.get("kinds") or None,
        start=options.get("start") or None, end=options.get("end") or None,
    )
    return community, describe_community(community, source)


def describe_community(community: Community, source: str = "") -> dict[str, Any]:
    """One JSON-ready object: ``format, rows_read, rows_loaded, excluded, hosts, host_rule, counts``,
    ``members``, ``channels``, ``first_event``, ``last_event``, ``load_report``, ``notes``."""
    from communitylab.loaders.formats import FORMATS

    t = community.events
    kinds = community.execute(t.group_by("kind").aggregate(n=t.count())).set_index("kind")["n"]
    aggs = {"lo": t.created_at.min(), "hi": t.created_at.max(), "members": t.member_id.nunique()}
    if "channel" in t.columns:
        aggs["channels"] = t.channel.nunique()
    span = community.execute(t.aggregate(**aggs))
    lo, hi = span["lo"].iloc[0], span["hi"].iloc[0]
    r = community.report
    fmt = community.format
    return {
        "source": Path(source).name if source else community.name,
        "format": fmt,
        "mapping": FORMATS[fmt].maps if fmt in FORMATS else "",
        "rows_read": int(r.rows_read),
        "rows_loaded": int(r.rows_loaded),
        "excluded": int(r.excluded),
        "hosts": len(community.hosts),
        "host_rule": community.host_rule,
        "counts": {k: int(kinds.get(k, 0)) for k in EVENT_KINDS},
        "members": int(span["members"].iloc[0]),
        "channels": int(span["channels"].iloc[0]) if "channels" in span else 0,
        "first_event": None if lo is None or str(lo) == "NaT" else lo.isoformat(),
        "last_event": None if hi is None or str(hi) == "NaT" else hi.isoformat(),
        "load_report": [{k: i[k] for k in ("rule", "column", "count", "action")} for i in r.issues],
        "notes": list(r.notes),
    }


def format_inspection(info: Mapping[str, Any], host_ids: list[str] | None = None) -> str:
    """The inspection as text for a terminal."""
    lines = [
        f"source:     {info['source']}",
        f"format:     {info['format']}" + (f"  ({info['mapping']})" if info["mapping"] else ""),
        f"host rule:  {info['host_rule'] or 'none'}",
        f"hosts:      {info['hosts']:,}" + (f"  ({', '.join(host_ids[:10])}{' ...' if len(host_ids) > 10 else ''})" if host_ids else ""),
        f"events:     {info['rows_loaded']:,} loaded of {info['rows_read']:,} read; {info['excluded']:,} excluded",
        "counts:     " + ", ".join(f"{k} {v:,}" for k, v in info["counts"].items()),
        f"members:    {info['members']:,} with an event; channels: {info['channels']:,}",
        f"time span:  {info['first_event']} to {info['last_event']} (UTC)",
        "load report:",
    ]
    lines += [f"  - {i['rule']}" + (f" [{i['column']}]" if i["column"] else "") + f": {i['count']:,} {i['action']}" for i in info["load_report"]] or ["  (no rule applied)"]
    lines += [f"  note: {n}" for n in info["notes"]]
    return "\n".join(lines)
