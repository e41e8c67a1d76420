"""Which Iceberg catalog property keys hold credentials (their values are never shown)."""

from __future__ import annotations

import re

_CREDENTIAL_KEY = re.compile(r"secret|token|credential|password|access-key|session", re.I)


def is_credential_key(key: str) -> bool:
    """True for catalog property keys whose values are credentials (never shown)."""
    return bool(_CREDENTIAL_KEY.search(key))
