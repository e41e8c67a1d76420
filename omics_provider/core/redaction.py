"""Redaction of credentials from any text a user, a log or the state may see."""

from __future__ import annotations

import re
import threading

REDACTED = "<redacted>"
MIN_SECRET_LENGTH = 4
"""Shorter values (e.g. moto's dummy "test") are not treated as secrets: they would mangle text."""

_URL_USERINFO = re.compile(r"(?P<scheme>\b[a-zA-Z][a-zA-Z0-9+.-]*://)[^/\s@'\"]+@")
_HEADER_VALUE = re.compile(r"(?P<what>[Ii]nvalid header (?:value|name)\s*)\S.*", re.DOTALL)
_ACCESS_KEY_ID = re.compile(r"\b(?:AKIA|ASIA|AIDA|AROA)[A-Z0-9]{12,}\b")

_secrets: set[str] = set()
_lock = threading.Lock()


def register_secret(value: str | None) -> None:
    """Remember a credential (key, secret, token) so that redact() removes it from any text."""
    if value is None:
        return
    with _lock:
        for form in {value, value.strip()}:
            if len(form) >= MIN_SECRET_LENGTH:
                _secrets.add(form)


def redact(text: str) -> str:
    """text without credentials: registered secrets, access key ids, URL passwords, header values.

    An invalid header value (a credential with a stray newline makes botocore quote the whole
    header) is dropped with everything after it, since its boundary cannot be trusted.
    """
    with _lock:
        secrets = sorted(_secrets, key=len, reverse=True)
    for secret in secrets:
        text = text.replace(secret, REDACTED)
    text = _HEADER_VALUE.sub(lambda m: f"{m['what']}{REDACTED}", text)
    text = _URL_USERINFO.sub(lambda m: f"{m['scheme']}{REDACTED}@", text)
    return _ACCESS_KEY_ID.sub(REDACTED, text)
