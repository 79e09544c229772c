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


def test_default_key_is_random_private_and_stable(tmp_path, monkeypatch):
    import hashlib
    import hmac
    import stat

    from communitylab.privacy import key_fingerprint, key_path, privacy_key

    monkeypatch.delenv("COMMUNITYLAB_PRIVACY_KEY", raising=False)
    monkeypatch.setenv("COMMUNITYLAB_CONFIG_DIR", str(tmp_path / "cfg"))
    label = pseudonym("alice")
    path = key_path()
    assert path == tmp_path / "cfg" / "privacy.key" and stat.S_IMODE(path.stat().st_mode) == 0o600
    assert len(privacy_key()) == 32 and pseudonym("alice") == label  # stable on this machine
    # the label cannot be recomputed from the public source: the old constant key gives another one
    public = hmac.new(b"communitylab-default-key", b"alice", hashlib.sha256).hexdigest()[:8]
    assert label != f"M-{public}"
    # another machine (another config folder) gets another key
    monkeypatch.setenv("COMMUNITYLAB_CONFIG_DIR", str(tmp_path / "other"))
    assert pseudonym("alice") != label
    # the fingerprint names the key without revealing it
    fp = key_fingerprint()
    assert fp.startswith("sha256:") and privacy_key().hex() not in fp


def test_environment_key_overrides_the_file(tmp_path, monkeypatch):
    from communitylab.privacy import key_path

    monkeypatch.setenv("COMMUNITYLAB_CONFIG_DIR", str(tmp_path))
    monkeypatch.setenv("COMMUNITYLAB_PRIVACY_KEY", "client-42")
    a = pseudonym("alice")
    assert not key_path().exists()
    monkeypatch.setenv("COMMUNITYLAB_PRIVACY_KEY", "client-43")
    assert pseudonym("alice") != a
