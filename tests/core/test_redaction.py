"""redact(): no credential survives in any text a user, a log or the state may see."""

from __future__ import annotations

import pytest

from omics_provider.core.redaction import REDACTED, redact, register_secret

PULUMI_TOKEN = "pul-" + "0123456789abcdef" * 2 + "01234567"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("key AKIAIOSFODNN7EXAMPLE denied", f"key {REDACTED} denied"),
        ("temporary ASIAIOSFODNN7EXAMPLE expired", f"temporary {REDACTED} expired"),
        ("user AIDAJQABLZS4A3QDU576Q", f"user {REDACTED}"),
        ("role AROAJQABLZS4A3QDU576Q", f"role {REDACTED}"),
        (f"token {PULUMI_TOKEN} used", f"token {REDACTED} used"),
        ("AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG", f"AWS_SECRET_ACCESS_KEY={REDACTED}"),
        ("x\0PULUMI_ACCESS_TOKEN=abc123\0y", f"x\0PULUMI_ACCESS_TOKEN={REDACTED}\0y"),
        ("aws_session_token = FwoGZXIvYXdzE", f"aws_session_token = {REDACTED}"),
    ],
    ids=["AKIA", "ASIA", "AIDA", "AROA", "pulumi-token", "env-secret", "environ", "ini-token"],
)
def test_redact_removes_key_ids_tokens_and_secret_assignments(text: str, expected: str) -> None:
    assert redact(text) == expected


@pytest.mark.parametrize("password", ["hunter2", "pa/ss", "pa#ss", "pa?ss", "p@ss", "pa:ss/#?@x"])
def test_redact_removes_url_userinfo_up_to_the_last_at(password: str) -> None:
    text = f"cannot reach http://svc:{password}@host.example:4566/path: refused"
    assert redact(text) == f"cannot reach http://{REDACTED}@host.example:4566/path: refused"


@pytest.mark.parametrize(
    "text",
    [
        "s3://bucket/patient@2024.vcf failed",
        "see http://127.0.0.1:4566/ for details",
        "a plain message, token refused",
    ],
)
def test_redact_leaves_text_without_credentials_alone(text: str) -> None:
    assert redact(text) == text


def test_redact_removes_registered_and_environment_credentials(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    register_secret("registered-canary-value")
    monkeypatch.setenv("AWS_SESSION_TOKEN", "environment-canary-token\n")
    text = redact("a registered-canary-value b environment-canary-token c")
    assert text == f"a {REDACTED} b {REDACTED} c"


def test_redact_drops_an_invalid_header_value_and_what_follows() -> None:
    text = "Invalid header value b'AWS4-HMAC-SHA256 Credential=AKIA...\\nsecret'"
    assert redact(text) == f"Invalid header value {REDACTED}"
