"""Content hashes of files and folders, and the folders the package ships.

Examples
--------
>>> import pathlib, tempfile
>>> p = pathlib.Path(tempfile.mkdtemp()) / "a.txt"
>>> _ = p.write_text("hello")
>>> sha256_file(p)[:12]
'2cf24dba5fb0'
"""

from __future__ import annotations

import gzip
import hashlib
from pathlib import Path

__all__ = ["sha256_file", "sha256_tree", "packaged_folder"]

_CHUNK = 1 << 20


def _update(h, path: Path, *, gunzip: bool = False) -> None:
    opener = gzip.open if gunzip else open
    with opener(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(_CHUNK), b""):
            h.update(chunk)


def sha256_file(path: str | Path, *, gunzip: bool = False) -> str:
    """sha256 of a file's bytes, read in 1 MB chunks (``gunzip``: of its decompressed bytes)."""
    h = hashlib.sha256()
    _update(h, Path(path), gunzip=gunzip)
    return h.hexdigest()


def sha256_tree(path: str | Path) -> str:
    """sha256 of a file, or of a folder: every file's relative name and bytes, in name order (the
    same content under another folder name hashes the same)."""
    path = Path(path)
    if not path.is_dir():
        return sha256_file(path)
    h = hashlib.sha256()
    for f in sorted(p for p in path.rglob("*") if p.is_file()):
        h.update(f.relative_to(path).as_posix().encode())
        _update(h, f)
    return h.hexdigest()


def packaged_folder(installed: str, checkout: str) -> Path:
    """A folder the package ships: ``communitylab/<installed>`` in an installed wheel, the
    repository's ``<checkout>`` in a source checkout (an editable install)."""
    here = Path(__file__).resolve().parent
    return here / installed if (here / installed).is_dir() else here.parent / checkout
