"""Opening files whether or not they are gzip-compressed."""

from __future__ import annotations

import csv
import gzip
import os
import re
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

from communitylab.schema import DataValidationError


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


@contextmanager
def reading(path: str | os.PathLike) -> Iterator[None]:
    """Turn a file that cannot be read (a ``.gz`` that is not gzip, truncated compression, bytes
    that are not UTF-8) into a :class:`DataValidationError` naming the file."""
    try:
        yield
    except FileNotFoundError:
        raise
    except (OSError, EOFError, UnicodeDecodeError, zlib.error, csv.Error) as exc:
        raise DataValidationError(str(path), "(file)", [], f"a readable file ({type(exc).__name__}: {exc})", 0) from exc


_ROOT = re.compile(rb"<(?![?!])")


def refuse_dtd(path: str | os.PathLike, limit: int = 1 << 20) -> None:
    """Refuse an XML file that declares a DTD (``<!DOCTYPE``) before its root element.

    Data dumps never carry one; a DTD is how entity-expansion ("billion laughs") and external-entity
    attacks get in, so any DTD is refused whatever the parser's own limits.
    """
    head = b""
    with reading(path), open_binary(path) as fh:
        while len(head) < limit:
            chunk = fh.read(65536)
            if not chunk:
                break
            head += chunk
            m = _ROOT.search(head)
            if m:
                head = head[: m.start()]
                break
    prolog = re.sub(rb"<!--.*?-->", b"", head, flags=re.S)
    if b"<!DOCTYPE" in prolog.upper():
        line = head[: head.upper().find(b"<!DOCTYPE")].count(b"\n") + 1
        raise DataValidationError(str(path), f"line {line}", [], "an XML dump without a DTD (<!DOCTYPE ...> is refused: dumps never have one)", 0)
