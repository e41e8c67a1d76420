"""Provider settings from the stack: parsed once in configure, every bad value named at check."""

from __future__ import annotations

from typing import Any

import pytest
from pulumi.dynamic import CheckFailure

from omics_provider.aws.clients import AwsSettings
from omics_provider.core.errors import ProviderError, QuotaExceededError
from omics_provider.core.timing import STATUS_POLL, Backoff
from omics_provider.resources.provider_base import (
    QUOTA_POLL_SECONDS,
    OmicsProvider,
    parse_settings,
    reported,
)

NAMESPACE = "omics-variant-import"


def parsed(values: dict[str, Any]) -> tuple[Any, dict[str, str]]:
    settings, failures = parse_settings(values.get)
    return settings, {failure.property: failure.reason for failure in failures}


def test_parse_settings_reads_region_profile_endpoint_and_polling() -> None:
    settings, failures = parsed(
        {
            "aws:region": "eu-central-1",
            f"{NAMESPACE}:omicsEndpoint": "http://127.0.0.1:9",
            f"{NAMESPACE}:pollInitialSeconds": "0.5",
            f"{NAMESPACE}:pollMaxSeconds": "30",
            f"{NAMESPACE}:quotaPollSeconds": 5,
        }
    )
    assert failures == {}
    assert settings.aws == AwsSettings("eu-central-1", None, "http://127.0.0.1:9")
    assert settings.status_poll == Backoff(0.5, STATUS_POLL.factor, 30)
    assert settings.quota_poll_seconds == 5


def test_parse_settings_unset_gives_the_documented_defaults() -> None:
    settings, failures = parsed({})
    assert failures == {}
    assert settings.status_poll == Backoff(2, 2, 120)
    assert settings.quota_poll_seconds == 10 == QUOTA_POLL_SECONDS


@pytest.mark.parametrize("key", ["pollInitialSeconds", "pollMaxSeconds", "quotaPollSeconds"])
@pytest.mark.parametrize(
    "value",
    [
        "soon",
        "0",
        "0.5",
        "1e-300",
        "-1",
        "nan",
        "inf",
        "1e300",
        "3601",
        "true",
        "5_0",
        "\uff15",
        " 5",
    ],
)
def test_parse_settings_names_every_bad_polling_value(key: str, value: str) -> None:
    settings, failures = parsed({f"{NAMESPACE}:{key}": value})
    reason = failures[f"{NAMESPACE}:{key}"]
    assert reason.startswith(f"{NAMESPACE}:{key}: must be a number of seconds from 1 to 3,600")
    assert settings.status_poll == Backoff(2, 2, 120)  # the default stands in: nothing can hang
    assert settings.quota_poll_seconds == QUOTA_POLL_SECONDS


@pytest.mark.parametrize("key", ["pollInitialSeconds", "pollMaxSeconds", "quotaPollSeconds"])
def test_parse_settings_takes_an_empty_polling_value_as_unset(key: str) -> None:
    assert parsed({f"{NAMESPACE}:{key}": ""})[1] == {}


@pytest.mark.parametrize(
    ("endpoint", "value", "accepted"),
    [
        (None, "1", True),
        (None, "0.99", False),
        ("https://omics.us-east-1.amazonaws.com", "0.5", False),
        ("http://127.0.0.1:4566", "0.01", True),
        ("http://127.0.0.1:4566", "0.009", False),
    ],
)
def test_parse_settings_floors_polling_at_1_second_against_aws_and_10_ms_locally(
    endpoint: str | None, value: str, accepted: bool
) -> None:
    config = {f"{NAMESPACE}:pollInitialSeconds": value}
    if endpoint is not None:
        config[f"{NAMESPACE}:omicsEndpoint"] = endpoint
    settings, failures = parsed(config)
    assert (failures == {}) is accepted
    assert settings.status_poll.initial == (float(value) if accepted else STATUS_POLL.initial)


def test_parse_settings_takes_the_local_floor_for_boto3s_own_local_endpoint(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("AWS_ENDPOINT_URL_OMICS", "http://127.0.0.1:4566")
    assert parsed({f"{NAMESPACE}:quotaPollSeconds": "0.05"})[1] == {}


@pytest.mark.parametrize(
    ("key", "value", "says"),
    [
        ("aws:region", "mars", "an AWS region such as us-east-1"),
        ("aws:region", "us-east-1\n", "control characters"),
        ("aws:profile", "no-such-profile", "is not a profile"),
        (f"{NAMESPACE}:omicsEndpoint", "127.0.0.1:4566", "http(s) URL"),
        (f"{NAMESPACE}:omicsEndpoint", "ftp://example.com", "http(s) URL"),
        (f"{NAMESPACE}:omicsEndpoint", "http://host name", "http(s) URL"),
        (f"{NAMESPACE}:omicsEndpoint", "https://[::1", "Invalid IPv6 URL"),
        (f"{NAMESPACE}:omicsEndpoint", "http://[::1]:99999", "Port out of range"),
        (f"{NAMESPACE}:omicsEndpoint", "http://127.0.0.1:0", "port 0 is not a port"),
        (f"{NAMESPACE}:omicsEndpoint", "http://127.0.0.1:4566x", "cannot be parsed"),
    ],
)
def test_parse_settings_names_a_bad_aws_setting(key: str, value: str, says: str) -> None:
    _, failures = parsed({key: value})
    assert says in failures[key]
    assert failures[key].startswith(f"{key}: ")


@pytest.mark.parametrize("password", ["hunter2", "pa/ss", "pa#ss", "pa?ss", "p@ss"])
def test_parse_settings_refuses_credentials_in_the_endpoint_without_quoting_them(
    password: str,
) -> None:
    key = f"{NAMESPACE}:omicsEndpoint"
    _, failures = parsed({key: f"http://svc:{password}@127.0.0.1:4566"})
    assert failures[key].startswith(f"{key}: must be an http(s) URL")
    assert "without a user name or password" in failures[key]
    assert password not in failures[key] and "svc" not in failures[key]


@pytest.mark.parametrize("url", ["http://127.0.0.1:4566", "https://[::1]:8443/", "http://h:1"])
def test_parse_settings_accepts_well_formed_endpoints(url: str) -> None:
    _, failures = parsed({f"{NAMESPACE}:omicsEndpoint": url})
    assert failures == {}


class Failing(OmicsProvider):
    """A provider whose create fails with the error it is given."""

    kind = "VariantStore"

    def __init__(self, error: ProviderError) -> None:
        self.error = error

    @reported
    def create(self, props: dict[str, Any]) -> Any:
        try:
            raise RuntimeError("inner detail")
        except RuntimeError:
            raise self.error from None


def test_reported_reraises_the_error_itself_without_its_traceback() -> None:
    error = QuotaExceededError("full", resource="VariantStore s", operation="Op", advice="wait")
    with pytest.raises(QuotaExceededError) as raised:
        Failing(error).create({})
    assert raised.value is error
    assert raised.value.__suppress_context__
    frames = [entry.name for entry in raised.traceback]
    assert frames[-1] == "wrapper" and "create" not in frames  # the method's frames dropped


def test_reported_refuses_bad_settings_naming_the_resource_kind() -> None:
    provider = Failing(ProviderError("never raised"))
    provider.setting_failures = (CheckFailure("aws:region", "aws:region: bad"),)
    with pytest.raises(ProviderError) as raised:
        provider.create({})
    assert (raised.value.resource, raised.value.operation) == ("VariantStore", None)
    assert raised.value.problem == "invalid stack configuration: aws:region: bad"
