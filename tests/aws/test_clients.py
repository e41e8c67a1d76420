"""Client construction: region, profile, endpoint, host prefix, retries, credentials redacted."""

from __future__ import annotations

import pytest

from omics_provider.aws.clients import AwsSettings, build_omics_client, is_aws_endpoint
from omics_provider.core.errors import ProviderError
from omics_provider.core.redaction import redact


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://omics.us-east-1.amazonaws.com", True),
        ("https://omics.cn-north-1.amazonaws.com.cn", True),
        ("http://127.0.0.1:4566", False),
        ("http://localhost:8080", False),
    ],
)
def test_is_aws_endpoint(url: str, expected: bool) -> None:
    assert is_aws_endpoint(url) is expected


def test_client_for_aws_keeps_the_analytics_host_prefix() -> None:
    client = build_omics_client(AwsSettings(region="eu-west-1"), None)
    assert client.meta.region_name == "eu-west-1"
    assert client.meta.config.inject_host_prefix is True


def test_client_for_the_stack_endpoint_turns_the_host_prefix_off() -> None:
    client = build_omics_client(AwsSettings(omics_endpoint="http://127.0.0.1:9"), "us-west-2")
    assert client.meta.endpoint_url == "http://127.0.0.1:9"
    assert client.meta.region_name == "us-west-2"
    assert client.meta.config.inject_host_prefix is False


def test_client_for_boto3s_own_endpoint_setting_turns_the_host_prefix_off(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("AWS_ENDPOINT_URL_OMICS", "http://127.0.0.1:9")
    client = build_omics_client(AwsSettings(region="us-east-1"), None)
    assert client.meta.endpoint_url == "http://127.0.0.1:9"
    assert client.meta.config.inject_host_prefix is False


def test_client_never_retries_behind_the_providers_back() -> None:
    client = build_omics_client(AwsSettings(region="us-east-1"), None)
    assert client.meta.config.retries["total_max_attempts"] == 1


def test_client_for_a_profile_that_does_not_exist_fails_in_one_line_naming_it() -> None:
    with pytest.raises(ProviderError) as raised:
        build_omics_client(AwsSettings(region="us-east-1", profile="no-such-profile"), None)
    assert str(raised.value).startswith("aws:profile 'no-such-profile' is not a profile")
    assert "\n" not in str(raised.value)


def test_client_registers_its_credentials_for_redaction(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "registered/Secret+Value-123")
    monkeypatch.setenv("AWS_SESSION_TOKEN", "session-token-with-newline\n")
    build_omics_client(AwsSettings(region="us-east-1"), None)
    text = redact("x registered/Secret+Value-123 y session-token-with-newline z")
    assert text == "x <redacted> y <redacted> z"
