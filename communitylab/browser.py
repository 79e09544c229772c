"""Headless Chromium for what a reader sees: a report as PDF, a screenshot, the console's errors.

Uses the distribution's Chromium (Debian: ``apt-get install chromium``); nothing is downloaded.
Chromium runs with networking features that phone home switched off, in a fresh profile.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from communitylab.errors import CommunityLabError, ParameterError

__all__ = ["find_chromium", "html_to_pdf", "screenshot", "ChromiumMissing", "RenderError"]

_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
          "--disable-sync", "--no-first-run", "--disable-quic"]


class RenderError(CommunityLabError, RuntimeError):
    """Chromium ran but did not write what was asked (a PDF)."""


class ChromiumMissing(CommunityLabError, RuntimeError):
    """No Chromium on this machine."""

    def __init__(self) -> None:
        super().__init__("no Chromium found (looked for " + ", ".join(_NAMES) + " and $COMMUNITYLAB_CHROMIUM); "
                         "install the distribution's package, e.g. `apt-get install chromium` on Debian")


def find_chromium() -> str | None:
    """Path of a Chromium binary (``COMMUNITYLAB_CHROMIUM`` first), or None."""
    env = os.environ.get("COMMUNITYLAB_CHROMIUM")
    if env and Path(env).exists():
        return env
    return next((p for p in (shutil.which(n) for n in _NAMES) if p), None)


def _run(args: list[str], timeout: float) -> subprocess.CompletedProcess:
    chrome = find_chromium()
    if chrome is None:
        raise ChromiumMissing()
    with tempfile.TemporaryDirectory(prefix="communitylab-chromium-") as profile:
        return subprocess.run([chrome, *_FLAGS, f"--user-data-dir={profile}", *args], capture_output=True, text=True, timeout=timeout)


#: Paper sizes for :func:`html_to_pdf` (CSS ``@page`` sizes; Chromium honours them when printing).
PAPERS = {"a4": "A4", "letter": "letter", "a3": "A3", "legal": "legal"}


def html_to_pdf(html: str | os.PathLike, pdf: str | os.PathLike, *, paper: str = "a4", timeout: float = 120) -> Path:
    """Print an HTML file to PDF on ``paper`` (A4 by default; see :data:`PAPERS`), without
    Chromium's header and footer. Raises :class:`ChromiumMissing`.

    The page size goes in as a CSS ``@page`` rule on a copy of the report beside the PDF (removed
    after), so the report itself stays as it was published.
    """
    if paper not in PAPERS:
        raise ParameterError(f"paper must be one of {', '.join(PAPERS)}; got {paper!r}")
    pdf = Path(pdf)
    source = Path(html).resolve()
    page = f"<style>@page {{ size: {PAPERS[paper]}; margin: 14mm 12mm; }}</style>"
    printable = source.with_name(f".{source.stem}.print.html")
    printable.write_text(source.read_text(encoding="utf-8").replace("</head>", page + "</head>", 1), encoding="utf-8")
    try:
        proc = _run(["--no-pdf-header-footer", f"--print-to-pdf={pdf}", printable.as_uri()], timeout)
    finally:
        printable.unlink(missing_ok=True)
    if not pdf.exists() or pdf.stat().st_size == 0:
        raise RenderError(f"Chromium did not write {pdf}: {proc.stderr.strip()[-400:]}")
    return pdf


def screenshot(html: str | os.PathLike, png: str | os.PathLike, *, width: int = 1200, height: int = 2400,
               timeout: float = 120) -> list[str]:
    """Screenshot an HTML file; returns the page's console errors (``CONSOLE`` lines at error level
    and failed loads) as Chromium logged them."""
    proc = _run(["--enable-logging=stderr", "--v=0", f"--window-size={width},{height}", f"--screenshot={Path(png).resolve()}",
                 Path(html).resolve().as_uri()], timeout)
    lines = proc.stderr.splitlines()
    return [line for line in lines if ("CONSOLE" in line and ("Uncaught" in line or "rror" in line)) or "Failed to load resource" in line]
