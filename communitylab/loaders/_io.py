"""Opening files whether or not they are gzip-compressed."""

from __future__ import annotations

import gzip
import os
from pathlib import Path
from typing import IO


def find_file(folder: str | os.PathLike, name: str, required: bool = True) -> Path | None:
    """``folder/name`` or ``folder/name.gz``, whichever exists."""
    folder = Path(folder)
    for candidate in (folder / name, folder / f"{name}.gz"):
        if candidate.exists():
            return candidate
    if required:
        raise FileNotFoundError(f"neither {folder / name} nor {folder / name}.gz exists")
    return None


def open_binary(path: str | os.PathLike) -> IO[bytes]:
    """Open for reading bytes, decompressing ``.gz`` on the fly (streaming)."""
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f"no such file: {path}")
    return gzip.open(path, "rb") if path.suffix == ".gz" else open(path, "rb")


def open_text(path: str | os.PathLike, encoding: str = "utf-8-sig") -> IO[str]:
    """Open for reading text (BOM stripped), decompressing ``.gz`` on the fly."""
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f"no such file: {path}")
    if path.suffix == ".gz":
        return gzip.open(path, "rt", encoding=encoding, newline="")
    return open(path, encoding=encoding, newline="")
