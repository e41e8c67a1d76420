"""Client construction and provider settings: region, profile, endpoint, host prefix, polling."""

from __future__ import annotations

from typing import Any

import pytest

from omics_provider.aws.clients import AwsSettings, build_omics_client, is_aws_endpoint
from omics_provider.core.timing import STATUS_POLL, Backoff
from omics_provider.resources.provider_base import QUOTA_POLL_SECONDS, ProviderSettings


def getter(values: dict[str, Any]) -> Any:
    return values.get


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


def test_provider_settings_from_stack_config() -> None:
    settings = ProviderSettings.from_config(
        getter(
            {
                "aws:region": "eu-central-1",
                "aws:profile": "genomics",
                "omics-variant-import:omicsEndpoint": "http://127.0.0.1:9",
                "omics-variant-import:pollInitialSeconds": "0.5",
                "omics-variant-import:pollMaxSeconds": "30",
                "omics-variant-import:quotaPollSeconds": 5,
            }
        )
    )
    assert settings.aws == AwsSettings("eu-central-1", "genomics", "http://127.0.0.1:9")
    assert settings.status_poll == Backoff(0.5, STATUS_POLL.factor, 30)
    assert settings.quota_poll_seconds == 5


def test_provider_settings_default_when_unset() -> None:
    settings = ProviderSettings.from_config(getter({}))
    assert settings.aws == AwsSettings()
    assert (settings.status_poll, settings.quota_poll_seconds) == (STATUS_POLL, QUOTA_POLL_SECONDS)


@pytest.mark.parametrize("value", ["soon", "0", "-3"])
def test_provider_settings_reject_bad_seconds_naming_the_key(value: str) -> None:
    with pytest.raises(ValueError, match="omics-variant-import:pollMaxSeconds"):
        ProviderSettings.from_config(getter({"omics-variant-import:pollMaxSeconds": value}))
