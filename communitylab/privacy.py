"""Pseudonymous member labels and redaction for shared reports.

Reports show members as stable keyed hashes (``M-3fa2c1``), never ids, names, e-mails or texts,
unless a run asks for personal data explicitly. The key comes from the ``COMMUNITYLAB_PRIVACY_KEY``
environment variable (set it per client so labels cannot be linked across clients); without it a
fixed project key is used, which keeps labels stable between runs but is not secret.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import re
from collections.abc import Iterable

import pandas as pd

__all__ = ["pseudonym", "pseudonymize", "redact_text", "EMAIL_RE", "privacy_key"]

EMAIL_RE = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}")
_DEFAULT_KEY = "communitylab-default-key"


def privacy_key() -> bytes:
    """The key of the keyed hash (``COMMUNITYLAB_PRIVACY_KEY`` or the project default)."""
    return os.environ.get("COMMUNITYLAB_PRIVACY_KEY", _DEFAULT_KEY).encode()


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
