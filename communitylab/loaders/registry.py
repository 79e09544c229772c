"""The registry of export formats: each connector module registers its format, its loader and
how to recognize it, so that a new platform is one module.

A connector calls :func:`register` once, at its end::

    register(Format("slack", "Slack workspace export ...", "message → post; ...", "workspace admins",
                    load_slack, order=10), export=is_slack_export)

``export`` recognizes a whole folder or zip (Slack's ``users.json`` and ``channels.json``);
``entry`` recognizes one file from a :class:`Sniff` of it (its name and first bytes, its first JSON
record), at a ``priority`` (lower is asked first; a format may register several, e.g. a
JSON-key test before the Reddit record test and a record test after it).
:func:`~communitylab.loaders.formats.sniff_format` asks the export detectors first, then the
entry detectors of each file; :data:`~communitylab.loaders.formats.FORMATS` lists every
registered format in ``order`` (the README's format table, which a test compares with it).

Examples
--------
>>> from communitylab.loaders.formats import FORMATS
>>> FORMATS["mbox"].name, callable(FORMATS["mbox"].loader)
('mbox', True)
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from communitylab.loaders._export import ExportFiles
from communitylab.loaders._io import strip_compression
from communitylab.schema import DataValidationError

__all__ = ["Format", "Sniff", "register", "REGISTERED", "ENTRY_DETECTORS", "EXPORT_DETECTORS", "FIRST_LINE_LIMIT"]


@dataclass(frozen=True)
class Format:
    """One export format: what it reads, what it maps to, its host rule, its loader, and its
    place (``order``) in the table of formats."""

    name: str
    reads: str
    maps: str
    host_rule: str
    loader: Callable[..., Any]
    order: int = 100


#: Every registered format by name, in ``order`` (:data:`~communitylab.loaders.formats.FORMATS` is this dict)
REGISTERED: dict[str, Format] = {}
#: ``(priority, format name, detector of one file)``, asked lowest priority first
ENTRY_DETECTORS: list[tuple[int, str, Callable[[Sniff], bool]]] = []
#: ``(priority, format name, detector of a whole folder or zip)``
EXPORT_DETECTORS: list[tuple[int, str, Callable[[ExportFiles], bool]]] = []


def register(fmt: Format, *, entry: Callable[[Sniff], bool] | list[tuple[int, Callable[[Sniff], bool]]] | None = None,
             export: Callable[[ExportFiles], bool] | None = None, priority: int | None = None) -> Format:
    """Register ``fmt`` with the detectors that recognize it (``entry``: one function at
    ``priority``, default ``fmt.order``, or a list of ``(priority, function)``)."""
    REGISTERED[fmt.name] = fmt
    ordered = sorted(REGISTERED.values(), key=lambda f: f.order)  # kept in table order, in place
    REGISTERED.clear()
    REGISTERED.update((f.name, f) for f in ordered)
    rank = fmt.order if priority is None else priority
    for p, detect in ([(rank, entry)] if callable(entry) else entry or []):
        ENTRY_DETECTORS.append((p, fmt.name, detect))
    if export is not None:
        EXPORT_DETECTORS.append((rank, fmt.name, export))
    ENTRY_DETECTORS.sort(key=lambda d: d[0])
    EXPORT_DETECTORS.sort(key=lambda d: d[0])
    return fmt


#: The longest first line the sniffer reads to classify a JSON Lines file (twarc2 writes one API
#: response per line, often well over 64 KB)
FIRST_LINE_LIMIT = 64 << 20


class Sniff:
    """What detectors look at in one file of an export: its name (lower case, compression
    suffix stripped: ``bare``), its first bytes, its CSV header, and its first JSON record; each
    read once, when a detector first asks."""

    def __init__(self, files: ExportFiles, name: str) -> None:
        self.files, self.name = files, name
        self.bare = strip_compression(name.lower())

    def suffix(self, *suffixes: str) -> bool:
        """Whether the file's name (compression aside) ends in one of ``suffixes``."""
        return self.bare.endswith(suffixes)

    def head(self, size: int = 65536) -> bytes:
        """The first ``size`` bytes (decompressed)."""
        cache = self.__dict__.setdefault("_heads", {})
        if size not in cache:
            try:
                with self.files.open(self.name) as fh:
                    cache[size] = fh.read(size)
            except (OSError, EOFError) as exc:
                raise DataValidationError(self.files.label(self.name), "(file)", [], f"a readable file ({type(exc).__name__}: {exc})", 0) from exc
        return cache[size]

    def starts_with(self, prefix: bytes, size: int = 65536) -> bool:
        """Whether the file starts with ``prefix`` (leading blank lines aside)."""
        return self.head(size).lstrip(b"\r\n").startswith(prefix)

    @cached_property
    def text(self) -> str:
        return self.head().decode("utf-8-sig", errors="replace")

    @cached_property
    def compact(self) -> str:
        """The first 64 KB without whitespace (for tests of JSON keys: ``'"guild":' in compact``)."""
        return "".join(self.text.split())

    def json_keys(self, *keys: str) -> bool:
        """A ``.json`` file whose first 64 KB hold every one of ``keys`` as a JSON key."""
        return self.suffix(".json") and all(f'"{k}":' in self.compact for k in keys)

    @cached_property
    def csv_header(self) -> set[str]:
        return {c.strip().strip('"') for c in self.text.splitlines()[0].split(",")} if self.text else set()

    @cached_property
    def holds_records(self) -> bool:
        """A JSON Lines file by its name (``.jsonl``, ``.ndjson``; ``.json`` whose keys no API
        detector claimed), or a file with no extension starting with ``{`` (a decompressed
        ``RC_2024-02``)."""
        if self.suffix(".jsonl", ".ndjson", ".json"):
            return True
        return "." not in self.bare.rsplit("/", 1)[-1] and self.head().lstrip().startswith(b"{")

    @cached_property
    def first_record(self) -> Any:
        """The first non-blank line parsed as JSON, however long (up to :data:`FIRST_LINE_LIMIT`);
        None when it is not JSON or the file holds no records."""
        if not self.holds_records:
            return None
        try:
            with self.files.open(self.name) as fh:
                for _ in range(100):
                    line = fh.readline(FIRST_LINE_LIMIT)
                    if not line:
                        return None
                    if line.strip():
                        return json.loads(line)
        except (ValueError, RecursionError, OSError, EOFError):
            return None
        return None

    def detect(self) -> str | None:
        """The first registered format whose entry detector claims this file, or None."""
        return next((name for _, name, found in ENTRY_DETECTORS if found(self)), None)
