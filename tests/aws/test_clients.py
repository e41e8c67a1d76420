"""Client construction: region, profile, endpoint, host prefix, retries, credentials redacted."""

from __future__ import annotations

from typing import Any

import pytest

from omics_provider.aws.clients import (
    AwsSettings,
    build_omics_client,
    is_aws_endpoint,
    resolve_region,
)
from omics_provider.core.errors import ProviderError
from omics_provider.core.redaction import redact
from omics_stack.history import omics_client as plan_client


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


@pytest.fixture
def aws_config_file(tmp_path: Any, monkeypatch: pytest.MonkeyPatch) -> Any:
    """An empty AWS config file of this test's own, with no region or endpoint in the env."""
    path = tmp_path / "config"
    path.write_text("[default]\n")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(path))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "credentials"))
    for name in ("AWS_DEFAULT_REGION", "AWS_REGION", "AWS_PROFILE", "AWS_ENDPOINT_URL"):
        monkeypatch.delenv(name, raising=False)
    for name in ("AWS_ENDPOINT_URL_OMICS", "AWS_DISABLE_HOST_PREFIX_INJECTION"):
        monkeypatch.delenv(name, raising=False)
    return path


@pytest.mark.parametrize("how", ["environment", "config file"])
def test_client_for_aws_honours_disable_host_prefix_injection(
    aws_config_file: Any, monkeypatch: pytest.MonkeyPatch, how: str
) -> None:
    if how == "environment":
        monkeypatch.setenv("AWS_DISABLE_HOST_PREFIX_INJECTION", "true")
    else:
        aws_config_file.write_text("[default]\ndisable_host_prefix_injection = true\n")
    client = build_omics_client(AwsSettings(region="eu-west-1"), None)
    assert is_aws_endpoint(client.meta.endpoint_url)
    assert client.meta.config.inject_host_prefix is False


def test_client_for_an_endpoint_of_the_config_file_turns_the_host_prefix_off(
    aws_config_file: Any,
) -> None:
    aws_config_file.write_text(
        "[default]\nservices = local\n[services local]\nomics =\n  endpoint_url = http://127.0.0.1:7\n"
    )
    client = build_omics_client(AwsSettings(region="us-east-1"), None)
    assert client.meta.endpoint_url == "http://127.0.0.1:7"
    assert client.meta.config.inject_host_prefix is False


def test_plan_and_provider_build_the_same_client(
    aws_config_file: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AWS_ENDPOINT_URL_OMICS", "http://127.0.0.1:8")
    provider = build_omics_client(AwsSettings(region="us-east-1"), None)
    planner = plan_client("us-east-1", None, None)
    assert planner.meta.endpoint_url == provider.meta.endpoint_url == "http://127.0.0.1:8"
    assert planner.meta.config.inject_host_prefix is provider.meta.config.inject_host_prefix
    assert planner.meta.config.retries["mode"] == "standard"


@pytest.mark.parametrize(
    ("env", "profile_region", "expected"),
    [
        ({"AWS_DEFAULT_REGION": "eu-west-3"}, None, "eu-west-3"),
        ({}, "ap-south-1", "ap-south-1"),
        ({"AWS_REGION": "eu-west-1"}, None, None),  # the locked botocore does not read it
    ],
    ids=["AWS_DEFAULT_REGION", "profile", "AWS_REGION-is-not-read"],
)
def test_resolve_region_follows_boto3s_own_resolution(
    aws_config_file: Any,
    monkeypatch: pytest.MonkeyPatch,
    env: dict[str, str],
    profile_region: str | None,
    expected: str | None,
) -> None:
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    if profile_region:
        aws_config_file.write_text(f"[default]\nregion = {profile_region}\n")
    assert resolve_region(AwsSettings()) == expected
    assert resolve_region(AwsSettings(region="us-west-2")) == "us-west-2"
    assert resolve_region(AwsSettings(region="us-west-2"), "eu-north-1") == "eu-north-1"


def test_client_without_a_region_names_only_settings_boto3_reads(aws_config_file: Any) -> None:
    with pytest.raises(ProviderError) as raised:
        build_omics_client(AwsSettings(), None)
    message = str(raised.value)
    assert "aws:region" in message and "AWS_DEFAULT_REGION" in message
    assert "AWS_REGION" not in message.replace("AWS_DEFAULT_REGION", "")
