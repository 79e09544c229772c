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


def support_export() -> Path:
    """A customer-support export in the Customer Support on Twitter CSV's shape (an unnamed index
    column, ``response_tweet_id``, parents written as floats), made here rather than copied: 100
    threads of four tweets between two brand accounts and 60 customers, 400 tweets, one planted
    ``SECRET-TEXT`` for the leak tests. Written once into the temporary folder (seeded, identical
    every time)."""
    import os
    import random
    import tempfile

    path = Path(tempfile.gettempdir()) / "communitylab-test-fixtures" / "support-export.csv"
    if path.exists():
        return path
    rng = random.Random(11)
    rows, tid = [], 0
    start = pd.Timestamp("2024-03-01 09:00", tz="UTC")
    for thread in range(100):
        customer, brand = str(200000 + rng.randrange(60)), ("AcmeSupport", "BetaHelp")[thread % 2]
        at = start + pd.Timedelta(hours=7 * thread, minutes=rng.randrange(60))
        texts = [f"@{brand} my order #{thread} has not arrived" + (" SECRET-TEXT-TWCS" if thread == 0 else ""),
                 f"@{customer} Sorry to hear that. Please DM us your order number.", f"@{brand} sent, thanks",
                 f"@{customer} Thanks, it ships today."]
        for k, text in enumerate(texts):
            tid += 1
            at += pd.Timedelta(minutes=rng.randrange(5, 120))
            rows.append({"tweet_id": tid, "author_id": brand if k % 2 else customer, "inbound": k % 2 == 0,
                         "created_at": at.strftime("%a %b %d %H:%M:%S +0000 %Y"), "text": text,
                         "response_tweet_id": str(tid + 1) if k < 3 else "", "in_response_to_tweet_id": float(tid - 1) if k else None})
    path.parent.mkdir(parents=True, exist_ok=True)
    part = path.with_name(f".{path.name}.{os.getpid()}")
    pd.DataFrame(rows).to_csv(part)
    os.replace(part, path)
    return path
