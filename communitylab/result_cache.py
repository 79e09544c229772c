"""Metric results kept on disk between sessions, for a Parquet store that has not changed.

A community opened from a store (:func:`~communitylab.loaders.open_store`) computes each metric
once per session (:func:`~communitylab.community.cached`). This module keeps the costly ones on
disk as well, so that a new session over the same store (a notebook re-run in a fresh kernel,
the next study of a run, a report re-rendered) reads them back instead of recomputing them.

What an entry is keyed by: the store's absolute path and every file in it (relative path, size,
modification time, key dictionaries included), the hosts, the members table, the engine, the
metric and its arguments, the window, and the code (every source file of communitylab and the
versions of the libraries that compute). Any change to one of them is a miss: the metric is
computed again. When a store's files change, the entries of its earlier versions are deleted.

Where: ``$COMMUNITYLAB_CACHE_DIR``, by default ``$XDG_CACHE_HOME/communitylab`` or
``~/.cache/communitylab`` (created readable by its owner only: entries hold member ids). Set
``COMMUNITYLAB_CACHE=off`` (or pass ``cache=False`` to ``open_store``) to compute everything in
every session. Only a store of at least ``$COMMUNITYLAB_CACHE_MIN_EVENTS`` events (default
1,000,000) keeps results: smaller logs are computed in seconds, and leave nothing behind. Results
are kept as pickles, read only from this folder: never point ``COMMUNITYLAB_CACHE_DIR`` at a
folder others can write to. Only DuckDB results are kept (a Spark cluster's files live on its own
storage).
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import pickle
import shutil
import struct
import uuid
from collections.abc import Callable
from importlib import metadata
from pathlib import Path
from typing import Any, BinaryIO

import ibis
import pandas as pd

from communitylab import locations
from communitylab.errors import ParameterError

__all__ = ["ResultCache", "cache_dir", "cache_enabled", "code_digest"]

_LIBRARIES = ("duckdb", "ibis-framework", "pandas", "numpy", "pyarrow", "scipy", "statsmodels", "sqlglot")
_FORMAT = 1  # the entries' layout (see _dump)


def cache_enabled() -> bool:
    """Whether results are kept on disk (``COMMUNITYLAB_CACHE`` is not ``off``, ``0`` or ``false``)."""
    return os.environ.get("COMMUNITYLAB_CACHE", "on").strip().lower() not in ("off", "0", "false", "no")


def cache_dir() -> Path:
    """The folder results are kept in (see the module's text)."""
    folder = os.environ.get("COMMUNITYLAB_CACHE_DIR")
    if not folder:
        base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
        folder = str(Path(base) / "communitylab")
    return Path(folder)


def _min_events() -> int:
    try:
        return int(os.environ.get("COMMUNITYLAB_CACHE_MIN_EVENTS", "1000000"))
    except ValueError:
        return 1_000_000


@functools.cache
def code_digest() -> str:
    """A digest of communitylab's source files and of the versions of the libraries it computes
    with: a result computed by other code is never read back."""
    h = hashlib.sha256()
    package = Path(__file__).resolve().parent
    for f in sorted(package.rglob("*.py")):
        h.update(f.relative_to(package).as_posix().encode())
        h.update(f.read_bytes())
    for lib in _LIBRARIES:
        try:
            version = metadata.version(lib)
        except metadata.PackageNotFoundError:
            version = "-"
        h.update(f"{lib}={version};".encode())
    return h.hexdigest()


def _digest(*parts: Any) -> str:
    return hashlib.sha256(json.dumps(parts, default=str, sort_keys=True).encode()).hexdigest()


def _members_digest(members: pd.DataFrame | None) -> str:
    if members is None:
        return "-"
    hashed = pd.util.hash_pandas_object(members, index=False).to_numpy()
    return _digest(list(map(str, members.columns)), [str(t) for t in members.dtypes], hashlib.sha256(hashed.tobytes()).hexdigest())


class ResultCache:
    """The folder of one community's kept results (see the module's text).

    Parameters
    ----------
    folder : Path
        Where this community's entries are written.
    """

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    @classmethod
    def for_store(
        cls, path: str | os.PathLike, files: list[list], *, events: int, hosts: frozenset[str], members: pd.DataFrame | None,
        backend: str,
    ) -> ResultCache | None:
        """The cache of a store's community, or None when caching is off or the store is small
        (the caller asks only for an engine that ``keeps_results``); deletes the entries of the
        store's earlier versions.

        Parameters
        ----------
        path : path
            The store.
        files : list
            Every file of the store as ``[relative path, size, modification time (ns)]``.
        events : int
            The store's number of events.
        hosts, members, backend
            The community's hosts, members table and engine backend (part of the cache's key).
        """
        if not cache_enabled() or events < _min_events():
            return None
        try:
            root = cache_dir()
        except (RuntimeError, KeyError):  # no home folder to keep them in: nothing kept
            return None
        local = locations.local_path(path)
        store = root / _digest(str(local.resolve()) if local is not None else str(path))[:20]
        version = _digest(_FORMAT, code_digest(), files)[:20]
        try:
            folder = store / version / _digest(sorted(hosts), _members_digest(members), backend)[:20]
        except (TypeError, ValueError):  # a members table pandas cannot hash (e.g. lists in a cell): nothing kept
            return None
        try:
            root.mkdir(parents=True, exist_ok=True, mode=0o700)
            if store.is_dir():
                for old in store.iterdir():  # earlier versions of the store (or of the code) are never read again
                    if old.name != version:
                        shutil.rmtree(old, ignore_errors=True)
        except OSError:
            return None
        return cls(folder)

    def window(self, bounds: tuple) -> ResultCache:
        """The cache of the community restricted to ``bounds`` (see :meth:`Community.window`)."""
        return ResultCache(self.folder / "window" / _digest(*map(repr, bounds))[:20])

    def fetch(self, key: tuple, compute: Callable[[], Any]) -> Any:
        """The result of ``key`` read back when kept, else computed by ``compute()`` and kept. An
        entry that cannot be read is computed again; one that cannot be written is not kept.
        Engine tables (shared intermediate tables such as the reply network) are not kept: the
        results computed from them are, and writing them would slow every first session."""
        name = _entry_name(key)
        if name is None:
            return compute()
        found = self._read(name)
        if found is not None:
            return found[0]
        value = compute()
        if not isinstance(value, ibis.Expr):
            self._write(name, value)
        return value

    def _read(self, name: str) -> tuple[Any] | None:
        try:
            with (self.folder / f"{name}.pkl").open("rb") as f:
                return (_load(f),)
        except Exception:  # none, or a truncated or foreign entry: computed again (and overwritten)
            return None

    def _write(self, name: str, value: Any) -> None:
        target = self.folder / f"{name}.pkl"
        tmp = self.folder / f".{name}.{uuid.uuid4().hex}.tmp"
        try:
            self.folder.mkdir(parents=True, exist_ok=True, mode=0o700)
            with tmp.open("wb") as f:
                _dump(value, f)
            os.replace(tmp, target)  # whole or not at all: a reader never sees half an entry
        except Exception:  # a full disk, a read-only folder, a result that cannot be pickled: not kept
            tmp.unlink(missing_ok=True)


_MAGIC = b"communitylab-result-1\n"


def _dump(value: Any, f: BinaryIO) -> None:
    """Pickle ``value`` to ``f`` with its arrays' memory written as it is (pickle protocol 5's
    out-of-band buffers): no copy of a large frame is made to keep it."""
    buffers: list[memoryview] = []

    def out_of_band(buffer: pickle.PickleBuffer) -> bool:
        try:
            buffers.append(buffer.raw())  # contiguous memory: written as it is, after the pickle
        except BufferError:
            return True  # not contiguous: copied into the pickle
        return False

    data = pickle.dumps(value, protocol=5, buffer_callback=out_of_band)
    f.write(_MAGIC + struct.pack("<QQ", len(data), len(buffers)))
    f.write(data)
    for b in buffers:
        f.write(struct.pack("<Q", b.nbytes))
        f.write(b)


def _load(f: BinaryIO) -> Any:
    """The value :func:`_dump` wrote (its arrays in fresh, writable memory)."""
    if f.read(len(_MAGIC)) != _MAGIC:
        raise ParameterError("not a kept result")
    n_data, n_buffers = struct.unpack("<QQ", f.read(16))
    data = f.read(n_data)
    buffers = []
    for _ in range(n_buffers):
        (size,) = struct.unpack("<Q", f.read(8))
        buffer = bytearray(size)
        if f.readinto(buffer) != size:
            raise ParameterError("a truncated entry")
        buffers.append(buffer)
    if len(data) != n_data:
        raise ParameterError("a truncated entry")
    return pickle.loads(data, buffers=buffers)


def _entry_name(key: tuple) -> str | None:
    """The file name of a metric's entry; None when an argument has no stable text (an object
    printed with its memory address, e.g. a function), which is never kept."""
    text = repr(key)
    if " at 0x" in text:
        return None
    return hashlib.sha256(text.encode()).hexdigest()[:32]
