"""Opening files whether or not they are compressed, within stated limits, with a progress bar.

Decompression is bounded: a compressed file (or archive entry) may expand to at most
:data:`MAX_EXPANSION` times its compressed size, beyond an allowance of :data:`MIN_ALLOWANCE`
(so small, very repetitive files still open); ``COMMUNITYLAB_MAX_EXPANSION`` raises the ratio. A
file past it (a "zip bomb": 1 MB that expands to 1 GiB) stops with :class:`InputTooLarge` naming it,
after reading no more than the limit.

A file of :data:`PROGRESS_MIN_BYTES` or more shows a progress bar on stderr (bytes read of the
file) once reading has taken :data:`PROGRESS_DELAY` seconds, when the ``communitylab`` logger
passes INFO (the command line's default; ``--quiet`` turns it off; a notebook shows none).
"""

from __future__ import annotations

import csv
import gzip
import io
import logging
import os
import sys
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

from communitylab.errors import InputTooLarge
from communitylab.schema import DataValidationError

#: A compressed input may expand to this many times its compressed size ...
MAX_EXPANSION = 200
#: ... or to this many bytes, whichever is larger.
MIN_ALLOWANCE = 256 << 20


def expansion_limit(compressed_size: int) -> int:
    """Bytes a compressed input of ``compressed_size`` bytes may expand to (see the module docstring)."""
    ratio = os.environ.get("COMMUNITYLAB_MAX_EXPANSION")
    try:
        r = float(ratio) if ratio else MAX_EXPANSION
    except ValueError:
        r = MAX_EXPANSION
    return max(int(r * max(compressed_size, 1)), MIN_ALLOWANCE)


class BoundedReader(io.RawIOBase):
    """A binary stream that raises :class:`InputTooLarge` once more than ``limit`` bytes come out of it."""

    def __init__(self, raw: IO[bytes], limit: int, label: str):
        self._raw, self._limit, self._label, self._read = raw, limit, label, 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:  # type: ignore[override]
        want = min(len(buffer), self._limit + 1 - self._read)
        data = self._raw.read(max(want, 1))
        n = len(data)
        self._read += n
        if self._read > self._limit:
            raise InputTooLarge(self._label, f"it expands past {self._limit:,} bytes ({MAX_EXPANSION}× its compressed size or "
                                             f"{MIN_ALLOWANCE >> 20} MiB; COMMUNITYLAB_MAX_EXPANSION raises the ratio)")
        buffer[:n] = data
        return n

    def close(self) -> None:
        try:
            self._raw.close()
        finally:
            super().close()


def bounded(raw: IO[bytes], compressed_size: int, label: str) -> IO[bytes]:
    """``raw`` (a decompressing stream) limited to :func:`expansion_limit` of ``compressed_size``."""
    return io.BufferedReader(BoundedReader(raw, expansion_limit(compressed_size), label), buffer_size=1 << 16)  # type: ignore[return-value]


#: Compressed files read on the fly, by suffix
COMPRESSED = (".gz", ".zst")


#: Files from this size on may show a progress bar ...
PROGRESS_MIN_BYTES = 32 << 20
#: ... once reading them has taken this many seconds
PROGRESS_DELAY = 3.0


class ProgressReader(io.RawIOBase):
    """A raw stream that advances a progress bar by the bytes read through it."""

    def __init__(self, raw: IO[bytes], total: int, label: str) -> None:
        from tqdm import tqdm

        self._raw = raw
        self._bar = tqdm(total=total, unit="B", unit_scale=True, unit_divisor=1024, delay=PROGRESS_DELAY, leave=False,
                         desc=Path(label).name[:40], file=sys.stderr, dynamic_ncols=True)

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        n = self._raw.readinto(buffer)
        self._bar.update(n or 0)
        return n

    def close(self) -> None:
        if not self.closed:
            self._bar.close()
            self._raw.close()
        super().close()


def with_progress(raw: IO[bytes], total: int, label: str) -> IO[bytes]:
    """``raw`` behind a progress bar when it is large and progress is shown (see the module
    docstring); buffered either way, so ``peek`` and line iteration work as on a file."""
    if total < PROGRESS_MIN_BYTES or logging.getLogger("communitylab").getEffectiveLevel() > logging.INFO:
        return raw
    return io.BufferedReader(ProgressReader(raw, total, label), buffer_size=1 << 20)


def decompressing(raw: IO[bytes], name: str, compressed_size: int, label: str) -> IO[bytes]:
    """``raw`` decompressed when ``name`` ends in ``.gz`` or ``.zst`` (bounded), else ``raw`` itself.

    Zstandard streams may use the long windows Pushshift and Arctic Shift dumps are written with
    (``zstd --long=31``).
    """
    if name.endswith(".gz"):
        return bounded(gzip.GzipFile(fileobj=raw), compressed_size, label)  # type: ignore[arg-type]
    if name.endswith(".zst"):
        import zstandard

        reader = zstandard.ZstdDecompressor(max_window_size=2**31).stream_reader(raw, read_across_frames=True)
        return bounded(reader, compressed_size, label)  # type: ignore[arg-type]
    return raw


def strip_compression(name: str) -> str:
    """The name without a ``.gz`` / ``.zst`` suffix (``RC_2024-02.zst`` -> ``RC_2024-02``)."""
    for suffix in COMPRESSED:
        if name.lower().endswith(suffix):
            return name[: -len(suffix)]
    return name


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
    """Open for reading bytes, decompressing ``.gz`` and ``.zst`` on the fly (streaming)."""
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f"no such file: {path}")
    size = path.stat().st_size
    return decompressing(with_progress(open(path, "rb"), size, str(path)), path.name, size, str(path))


def open_text(path: str | os.PathLike, encoding: str = "utf-8-sig") -> IO[str]:
    """Open for reading text (BOM stripped), decompressing ``.gz`` on the fly."""
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f"no such file: {path}")
    if path.suffix in COMPRESSED or path.stat().st_size >= PROGRESS_MIN_BYTES:
        return io.TextIOWrapper(open_binary(path), encoding=encoding, newline="")
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
