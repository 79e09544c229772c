"""Import an export into a Parquet store: ``communitylab import SOURCE STORE``.

The export is loaded by its connector (validated, with its load report), and its events are
appended to the store (:func:`~communitylab.loaders.store.write_store`: hive partitions by month,
integer keys kept across appends). Events already in the store (the same ``event_id``) are not
written twice, so importing the next month's export over an overlapping one is safe. The platform's
hosts are kept beside the data (``_hosts.json``), so :func:`~communitylab.loaders.store.open_store`
knows them without being told, and so is the export's format and host rule (``_source.json``): a
store of a mailing list is compared with mailing lists among the peer communities.

Examples
--------
>>> import tempfile, pathlib
>>> from communitylab.simulate import example_export
>>> store = pathlib.Path(tempfile.mkdtemp()) / "store"
>>> first = import_source(example_export(), store)
>>> again = import_source(example_export(), store)
>>> first.written > 0, again.written, again.already_in_store == first.written
(True, 0, True)
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow.dataset as pads

from communitylab.loaders.formats import load_source
from communitylab.loaders.store import HOSTS_FILE, SOURCE_FILE, stored_source, write_store
from communitylab.schema import EVENT_COLUMNS, LoadReport

__all__ = ["ImportResult", "import_source"]

@dataclass
class ImportResult:
    """What an import did: events written, events skipped as already in the store, the hosts kept,
    and the connector's load report."""

    store: Path
    written: int
    already_in_store: int
    hosts: frozenset[str]
    report: LoadReport

    def __str__(self) -> str:
        return (f"{self.written:,} events written to {self.store}, {self.already_in_store:,} already in it; "
                f"{len(self.hosts):,} hosts kept; load report: {self.report.rows_read:,} read, "
                f"{self.report.rows_loaded:,} loaded, {self.report.excluded:,} excluded")


def _stored_ids(store: Path) -> set[str]:
    files = [p for p in store.rglob("*.parquet") if "_keys" not in p.parts]
    if not files:
        return set()
    table = pads.dataset([str(p) for p in files], format="parquet").to_table(columns=["event_id"])
    return set(table.column("event_id").to_pylist())


def _write_json(path: Path, value: Any) -> None:
    """``value`` as JSON at ``path``, replaced at once (never half written)."""
    part = path.with_name(f".{path.name}.{os.getpid()}.part")
    part.write_text(json.dumps(value))
    os.replace(part, path)


def import_source(source: str | os.PathLike, store: str | os.PathLike, **options: Any) -> ImportResult:
    """Load ``source`` (any export :func:`~communitylab.loaders.load_source` reads; ``options`` as
    it takes them: ``format``, ``hosts``, ``columns``, ``kinds``, ``start``, ``end``) and append its
    events to the Parquet store ``store`` (created when it does not exist)."""
    store = Path(store)
    community = load_source(source, **options)
    frame = community.frame if community.frame is not None else community.to_pandas()
    frame = frame[[c for c in frame.columns if c in EVENT_COLUMNS]]
    known = _stored_ids(store) if store.exists() else set()
    fresh = ~frame["event_id"].astype(str).isin(known)
    if fresh.any():
        write_store(frame.loc[fresh].reset_index(drop=True), store)
    hosts_path = store / HOSTS_FILE
    kept = set(json.loads(hosts_path.read_text())) if hosts_path.exists() else set()
    kept |= set(map(str, community.hosts))
    store.mkdir(parents=True, exist_ok=True)
    _write_json(hosts_path, sorted(kept))
    origin = stored_source(store) or {"formats": [], "host_rules": []}
    for key, value in (("formats", community.format), ("host_rules", community.host_rule)):
        if value and value not in origin.setdefault(key, []):
            origin[key].append(value)
    _write_json(store / SOURCE_FILE, origin)
    return ImportResult(store, int(fresh.sum()), int((~fresh).sum()), frozenset(kept), community.report)
