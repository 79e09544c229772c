"""Fixtures of real export formats, written by hand in each platform's own shape (``tests/fixtures/exports``)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

EXPORTS = Path(__file__).resolve().parents[1] / "fixtures" / "exports"
NOW = pd.Timestamp("2025-01-01", tz="UTC")


def kinds(community) -> dict[str, int]:
    counts = community.frame["kind"].value_counts()
    return {k: int(counts.get(k, 0)) for k in ("post", "reply", "reaction", "join", "leave")}


def adds_up(report) -> bool:
    """Nothing silently dropped: read = loaded + excluded."""
    return report.rows_read == report.rows_loaded + report.excluded
