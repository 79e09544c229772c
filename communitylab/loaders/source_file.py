"""One community that lives in several places: a source file (``community.yml``).

.. code-block:: yaml

    name: Acme makers                  # shown in reports
    identities: identities.csv         # optional: member, source, handle (one row per handle)
    sources:
      slack:                           # the source's name becomes the events' channel
        path: exports/acme-slack.zip   # relative to this file
        format: slack                  # optional: sniffed when absent
        hosts: [U024BE7LH]             # optional: replaces the platform's host rule
        start: 2024-01-01              # optional time window (UTC), end exclusive
      forum:
        path: exports/forum-posts.csv
        format: discourse
      newsletter-list:
        path: exports/list.mbox
        hosts: ["@acme.example"]
      partner-table:
        path: exports/events.csv
        format: events
        columns: {member_id: author, created_at: time}

Rules, stated once:

* each source is loaded by its own connector, with its own load report (merged, by source);
* ids are made unique per source (``slack:U024BE7LH``): the same handle on two platforms is not
  assumed to be one person; the identity table says who is, and those handles become its
  ``member`` value (``identities`` may also be given inline as ``{member: {source: handle}}``);
* ``channel`` is the source's name (the platform's own channel is kept as ``source_channel``),
  so the studies compare the sources side by side;
* the hosts are the union of every source's hosts.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from communitylab.community import Community, HostRule
from communitylab.engine import Engine
from communitylab.loaders.registry import Format, Sniff, register
from communitylab.schema import DataValidationError, LoadReport

__all__ = ["load_source_file", "read_identities"]

_SOURCE_KEYS = {"path", "format", "hosts", "start", "end", "columns", "kinds", "name"}


def read_identities(spec: Any, base: Path, source: str) -> dict[tuple[str, str], str]:
    """``{(source, handle): member}`` from a CSV path or an inline ``{member: {source: handle}}``."""
    if spec is None:
        return {}
    if isinstance(spec, Mapping):
        out = {}
        for member, handles in spec.items():
            if not isinstance(handles, Mapping):
                raise DataValidationError(source, "identities", [str(member)], "a mapping {source: handle} for each member", 1)
            for src, handle in handles.items():
                for h in handle if isinstance(handle, list) else [handle]:
                    out[(str(src), str(h))] = str(member)
        return out
    path = base / str(spec)
    if not path.exists():
        raise FileNotFoundError(f"{source}: identities file {path} does not exist")
    table = pd.read_csv(path, dtype=str, keep_default_na=False)
    missing = [c for c in ("member", "source", "handle") if c not in table.columns]
    if missing:
        raise DataValidationError(str(path), "(columns)", [], f"columns member, source, handle; missing {missing}, found {list(table.columns)}", 0)
    dup = table.duplicated(["source", "handle"], keep=False)
    if dup.any():
        lines = (table.index[dup] + 2).tolist()
        raise DataValidationError(str(path), "source, handle", lines, "each (source, handle) mapped to one member (line numbers shown)", int(dup.sum()))
    return {(r.source, r.handle): r.member for r in table.itertuples(index=False)}


def load_source_file(
    path: str | os.PathLike,
    *,
    hosts: HostRule = None,
    name: str | None = None,
    include_text: bool = False,
    engine: Engine | None = None,
    now: pd.Timestamp | None = None,
) -> Community:
    """Load every source of a ``community.yml`` into one community (see the module docstring).

    Raises
    ------
    DataValidationError
        The file is not YAML, has no ``sources``, or a source has unknown keys or no ``path``;
        and whatever a source's own connector raises.
    """
    from communitylab.loaders.formats import load_source

    path = Path(path)
    try:
        spec = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise DataValidationError(str(path), "(file)", [], f"a YAML source file ({exc})", 0) from exc
    if not isinstance(spec, Mapping) or not spec.get("sources"):
        raise DataValidationError(str(path), "sources", [], "a mapping with 'sources': {name: {path: ..., format: ...}}", 0)
    sources = spec["sources"]
    if isinstance(sources, list):
        sources = {str(s.get("name", f"source{i + 1}")): s for i, s in enumerate(sources) if isinstance(s, Mapping)}
    base = path.parent
    identities = read_identities(spec.get("identities"), base, str(path))
    frames, members, host_ids, report = [], [], set(), LoadReport(source=path.name)
    for src_name, s in sources.items():
        src_name = str(src_name)
        if not isinstance(s, Mapping) or "path" not in s:
            raise DataValidationError(str(path), f"sources.{src_name}", [], "a mapping with at least 'path'", 0)
        unknown = sorted(set(s) - _SOURCE_KEYS)
        if unknown:
            raise DataValidationError(str(path), f"sources.{src_name}", [], f"keys among {sorted(_SOURCE_KEYS)}; unknown {unknown}", 0)
        part = load_source(
            base / str(s["path"]), s.get("format"), hosts=s.get("hosts"), name=src_name, columns=s.get("columns"),
            kinds=s.get("kinds"), start=s.get("start"), end=s.get("end"), include_text=include_text, engine=engine, now=now,
        )

        def ident(value: Any, src: str = src_name) -> Any:
            if value is None or pd.isna(value):
                return pd.NA
            return identities.get((src, str(value)), f"{src}:{value}")

        f = part.to_pandas()
        f["source_channel"] = f["channel"] if "channel" in f.columns else pd.NA
        f["channel"] = src_name
        for col in ("event_id", "thread_id", "parent_id"):
            f[col] = f[col].map(lambda v, src=src_name: pd.NA if pd.isna(v) else f"{src}:{v}")
        for col in ("member_id", "to_member_id"):
            f[col] = f[col].map(ident)
        frames.append(f.drop(columns=["is_host", "to_host"], errors="ignore"))
        if part.members is not None:
            m = part.members.copy()
            m["member_id"] = m["member_id"].map(ident)
            members.append(m)
        host_ids |= {ident(h) for h in part.hosts}
        r = part.report
        report.rows_read += r.rows_read
        report.issues += [{**i, "rule": f"{src_name}: {i['rule']}"} for i in r.issues]
        report.notes += [f"{src_name} ({part.format}): {n}" for n in r.notes]
        report.notes.append(f"{src_name}: {part.format} export, {r.rows_loaded:,} events, hosts by {part.host_rule or 'none'}")
    linked = {m for (_, _), m in identities.items()}
    if identities:
        report.notes.append(f"identity table: {len(identities):,} handles linked to {len(linked):,} members across sources")
    events = pd.concat(frames, ignore_index=True)
    members_df = None
    if members:
        members_df = pd.concat(members, ignore_index=True)
        members_df = members_df[members_df["member_id"].notna()].drop_duplicates("member_id", keep="first")
    scratch = LoadReport(source=path.name, rows_read=len(events))
    community = Community.from_frames(
        events, members_df, hosts=host_ids if hosts is None else hosts, name=name or str(spec.get("name") or path.stem),
        source=path.name, engine=engine, now=now, report=scratch,
    )
    # each source was validated on its own; the combined check only adds what combining changed
    report.issues += [{**i, "rule": f"combined: {i['rule']}"} for i in scratch.issues if i["action"] == "excluded"]
    report.rows_loaded = scratch.rows_loaded
    community.report = report
    community.format = "community"
    community.host_rule = "each source's own rule" if hosts is None else "given by the user"
    return community


def _is_source_file(f: Sniff) -> bool:
    return f.suffix(".yml", ".yaml")


register(
    Format("community", "A source file (community.yml): several sources of one community, with an identity table",
              "each source by its own format; channel = the source's name", "each source's own rule", load_source_file, order=150),
    entry=_is_source_file, priority=10,
)
