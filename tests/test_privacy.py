"""Pseudonymous labels and redaction."""

from __future__ import annotations

import pandas as pd

from communitylab.privacy import pseudonym, pseudonymize, redact_text


def test_labels_are_stable_keyed_and_not_the_id(monkeypatch):
    a = pseudonym("alice")
    assert a == pseudonym("alice") and a.startswith("M-") and "alice" not in a
    monkeypatch.setenv("COMMUNITYLAB_PRIVACY_KEY", "client-42")
    assert pseudonym("alice") != a


def test_pseudonymize_drops_personal_columns_and_keeps_brands():
    df = pd.DataFrame({"member_id": ["alice", "AppleSupport"], "display_name": ["Alice", "Apple"], "text": ["hi", "yo"], "n": [1, 2]})
    out = pseudonymize(df, hosts=["AppleSupport"])
    assert list(out.columns) == ["member_id", "n"]
    assert out["member_id"].tolist() == [pseudonym("alice"), "AppleSupport"]
    assert pseudonymize(df, show_personal_data=True).equals(df)


def test_emails_are_redacted():
    text, n = redact_text("write to jane.doe@example.org or bob@x.co")
    assert n == 2 and "@" not in text
