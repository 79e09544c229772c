"""Where data live: a local path or a Hadoop-style URI, read and written through one interface.

A store or a Spark scratch folder may be a local path (``/data/store``), a ``file://`` URI, or a
folder on storage a cluster shares (``hdfs://namenode/...``, ``s3a://bucket/...``). Spark reads
these URIs itself; communitylab lists files, reads Parquet footers and writes small records
through :mod:`pyarrow.fs`, which names S3 ``s3://`` where Hadoop says ``s3a://`` (both are
accepted here). HDFS needs Hadoop's client library on the machine, as for any Arrow program.

Examples
--------
>>> is_uri("s3a://bucket/store"), is_uri("/data/store"), is_uri("C:/data")
(True, False, False)
>>> join("s3a://bucket/store/", "_keys", "members.pq")
's3a://bucket/store/_keys/members.pq'
>>> basename("file:///data/stores/forum/")
'forum'
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pyarrow.fs as pafs

from communitylab.errors import ParameterError

__all__ = ["is_uri", "join", "basename", "filesystem", "local_path"]

_SCHEME = re.compile(r"^([a-zA-Z][a-zA-Z0-9+.-]+)://")
#: Hadoop's names for S3 and what Arrow calls it
_ARROW_SCHEMES = {"s3a": "s3", "s3n": "s3"}


def is_uri(location: str | os.PathLike) -> bool:
    """Whether ``location`` names its file system (``scheme://...``; a Windows drive is a path)."""
    return bool(_SCHEME.match(str(location)))


def join(location: str | os.PathLike, *parts: str) -> str:
    """``location`` and ``parts`` joined with ``/`` (a path or a URI alike)."""
    if not is_uri(location):
        return str(Path(location, *parts))
    return "/".join([str(location).rstrip("/"), *(p.strip("/") for p in parts)])


def basename(location: str | os.PathLike) -> str:
    """The last part of a path or URI (a trailing slash ignored)."""
    return str(location).rstrip("/").rsplit("/", 1)[-1] if is_uri(location) else Path(location).name


def local_path(location: str | os.PathLike) -> Path | None:
    """The local path a location names (``file://`` URIs included), or None for remote storage."""
    text = str(location)
    if not is_uri(text):
        return Path(text)
    if text.startswith("file://"):
        return Path(text[len("file://"):] or "/")
    return None


def filesystem(location: str | os.PathLike) -> tuple[pafs.FileSystem, str]:
    """The Arrow file system holding ``location`` and the path inside it.

    Raises
    ------
    ParameterError
        When Arrow cannot open that file system here (an unknown scheme, HDFS without Hadoop's
        client library, S3 without credentials a client can find).
    """
    local = local_path(location)
    if local is not None:
        return pafs.LocalFileSystem(), str(local.absolute())
    text = str(location)
    scheme = _SCHEME.match(text).group(1)
    uri = _ARROW_SCHEMES.get(scheme.lower(), scheme) + text[len(scheme):]
    try:
        return pafs.FileSystem.from_uri(uri)
    except Exception as exc:  # Arrow raises ArrowInvalid, OSError or its own errors by file system
        raise ParameterError(f"cannot open {text}: {type(exc).__name__}: {' '.join(str(exc).split())[:300]}") from exc
