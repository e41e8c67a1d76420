"""Redaction of credentials from any text a user, a log or the state may see."""

from __future__ import annotations

import os
import re
import threading

REDACTED = "<redacted>"
MIN_SECRET_LENGTH = 4
"""Shorter values (e.g. moto's dummy "test") are not treated as secrets: they would mangle text."""

_URL_USERINFO = re.compile(
    r"(?P<scheme>(?<![A-Za-z0-9+.-])(?!s3://)[A-Za-z][A-Za-z0-9+.-]*://)[^\s'\"<>]*@"
)
"""A URL's user information: any characters (`/`, `#`, `?` and `@` included) up to the last `@`
of the URL. S3 URIs carry no credentials: an `@` in an S3 key is left alone."""
_HEADER_VALUE = re.compile(r"(?P<what>[Ii]nvalid header (?:value|name)\s*)\S.*", re.DOTALL)
_ACCESS_KEY_ID = re.compile(r"\b(?:AKIA|ASIA|AIDA|AROA)[A-Z0-9]{12,}\b")
"""AWS key ids: long-term (AKIA), temporary (ASIA), and user and role ids (AIDA, AROA)."""
_PULUMI_TOKEN = re.compile(r"\bpul-[0-9a-f]{40}\b")
_SECRET_ASSIGNMENT = re.compile(
    r"(?P<name>\b[A-Za-z0-9_]*(?:SECRET|TOKEN|PASSWORD|PASSPHRASE|CREDENTIAL)[A-Za-z0-9_]*"
    r"\s*=\s*)[^\s\x00'\"]+",
    re.IGNORECASE,
)
"""`NAME=value` where NAME speaks of a secret (an environment dump, an ini file): the value goes."""
SECRET_ENVIRONMENT = (
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
    "PULUMI_ACCESS_TOKEN",
    "PULUMI_CONFIG_PASSPHRASE",
)
"""Environment variables whose values are credentials wherever they appear."""

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
    """text without credentials: registered secrets and the credentials of the environment,
    AWS key ids, Pulumi access tokens, secret-named assignments, URL user information and
    invalid header values.

    An invalid header value (a credential with a stray newline makes botocore quote the whole
    header) is dropped with everything after it, since its boundary cannot be trusted.
    """
    with _lock:
        secrets = set(_secrets)
    secrets.update(_environment_secrets())
    for secret in sorted(secrets, key=len, reverse=True):
        text = text.replace(secret, REDACTED)
    text = _HEADER_VALUE.sub(lambda m: f"{m['what']}{REDACTED}", text)
    text = _URL_USERINFO.sub(lambda m: f"{m['scheme']}{REDACTED}@", text)
    text = _SECRET_ASSIGNMENT.sub(lambda m: f"{m['name']}{REDACTED}", text)
    text = _PULUMI_TOKEN.sub(REDACTED, text)
    return _ACCESS_KEY_ID.sub(REDACTED, text)


def _environment_secrets() -> set[str]:
    values = (os.environ.get(name) for name in SECRET_ENVIRONMENT)
    return {
        form
        for value in values
        if value
        for form in (value, value.strip())
        if len(form) >= MIN_SECRET_LENGTH
    }
