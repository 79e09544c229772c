"""Pseudonymous member labels and redaction for shared reports.

Reports show members as stable keyed hashes (``M-3fa2c1d0``), never ids, names, e-mails or texts,
unless a run asks for personal data explicitly.

The key
-------
A label is an HMAC-SHA256 of the member id under a secret key, so someone holding a report and a
list of candidate ids (public handles, user ids) cannot recompute the labels. The key is, in order:

1. the ``COMMUNITYLAB_PRIVACY_KEY`` environment variable, when set (recommended: one key per
   client, so that labels cannot be linked across clients' reports);
2. otherwise a random 256-bit key generated on first use and kept in
   ``$COMMUNITYLAB_CONFIG_DIR`` (default ``$XDG_CONFIG_HOME/communitylab`` or
   ``~/.config/communitylab``) as ``privacy.key``, readable by its owner only (mode 0600). Labels
   are then stable across runs on that machine; copy the file to keep them stable elsewhere.

Manifests record :func:`key_fingerprint`, a hash that identifies the key, never the key.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import re
import secrets
from collections.abc import Iterable
from pathlib import Path

import pandas as pd

from communitylab.errors import ConfigError

__all__ = ["pseudonym", "pseudonymize", "redact_text", "EMAIL_RE", "privacy_key", "key_fingerprint", "key_path"]

EMAIL_RE = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}")


def key_path() -> Path:
    """Where the machine's generated key lives (see the module docstring)."""
    folder = os.environ.get("COMMUNITYLAB_CONFIG_DIR")
    if not folder:
        base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
        folder = str(Path(base) / "communitylab")
    return Path(folder) / "privacy.key"


def privacy_key() -> bytes:
    """The key of the keyed hash: ``COMMUNITYLAB_PRIVACY_KEY``, else the machine's generated key.

    The generated key is created atomically (two processes starting at once read the same key)
    with owner-only permissions.
    """
    env = os.environ.get("COMMUNITYLAB_PRIVACY_KEY")
    if env:
        return env.encode()
    path = key_path()
    try:
        return _read_key(path)
    except FileNotFoundError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    key = secrets.token_bytes(32)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(key.hex() + "\n")
    try:
        os.link(tmp, path)  # fails if another process won the race: use its key
    except FileExistsError:
        pass
    except OSError:  # a file system without hard links
        if not path.exists():
            os.replace(tmp, path)
    finally:
        if tmp.exists():
            os.unlink(tmp)
    return _read_key(path)


def _read_key(path: Path) -> bytes:
    """The generated key kept at ``path``: 64 hexadecimal digits; anything else is a damaged key,
    refused by name (a new key would silently change every label)."""
    text = path.read_text(errors="replace").strip()
    try:
        key = bytes.fromhex(text)
    except ValueError:
        key = b""
    if len(key) < 16:
        raise ConfigError(
            f"{path}: line 1: expected the privacy key, 64 hexadecimal digits; the file is damaged. "
            "Restore it from a copy to keep member labels stable, or delete it to start a new key "
            "(labels in new reports will then differ from earlier ones)"
        )
    return key


def key_fingerprint(key: bytes | None = None) -> str:
    """``sha256:<16 hex>`` of the key: tells which key labelled a report, reveals nothing of it."""
    return "sha256:" + hashlib.sha256(b"communitylab-key-fingerprint\x00" + (key or privacy_key())).hexdigest()[:16]


def pseudonym(member_id: object, *, prefix: str = "M", key: bytes | None = None, length: int = 8) -> str:
    """Stable label for one id: HMAC-SHA256 of the id under the key, first ``length`` hex digits."""
    if member_id is None or (not isinstance(member_id, str) and pd.isna(member_id)):
        return "unknown"
    digest = hmac.new(key or privacy_key(), str(member_id).encode(), hashlib.sha256).hexdigest()
    return f"{prefix}-{digest[:length]}"


def pseudonymize(
    frame: pd.DataFrame,
    columns: Iterable[str] = ("member_id", "src", "dst", "to_member_id"),
    *,
    hosts: Iterable[str] = (),
    drop: Iterable[str] = ("text", "display_name", "email", "name"),
    show_personal_data: bool = False,
) -> pd.DataFrame:
    """A copy safe for a shared report: id columns replaced by labels, personal columns dropped.

    Host (brand) accounts keep their names: a brand is not a private person. With
    ``show_personal_data=True`` the frame is returned unchanged (an explicit choice of the run).
    """
    if show_personal_data:
        return frame.copy()
    hosts = set(map(str, hosts))
    out = frame.drop(columns=[c for c in drop if c in frame.columns])
    for col in columns:
        if col in out.columns:
            out[col] = [v if str(v) in hosts else pseudonym(v) for v in out[col]]
    return out


def redact_text(text: str) -> tuple[str, int]:
    """Replace e-mail addresses with ``[e-mail redacted]``; returns the text and how many."""
    new, n = EMAIL_RE.subn("[e-mail redacted]", text)
    return new, n
