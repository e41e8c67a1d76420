"""AWS client construction: region, profile, endpoint, host prefix and timeouts, per process."""

from __future__ import annotations

import threading
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import urlparse

import boto3
from botocore.config import Config as BotoConfig
from botocore.exceptions import NoRegionError, ProfileNotFound

from omics_provider.core.errors import ProviderError
from omics_provider.core.namespace import CONFIG_NAMESPACE
from omics_provider.core.redaction import register_secret

if TYPE_CHECKING:
    from mypy_boto3_omics import OmicsClient

AWS_HOST_SUFFIXES = (".amazonaws.com", ".amazonaws.com.cn", ".api.aws")

_clients: dict[tuple[AwsSettings, str | None], Any] = {}
_clients_lock = threading.Lock()


@dataclass(frozen=True)
class AwsSettings:
    """Where and as whom to call AWS; read from the stack configuration in configure()."""

    region: str | None = None
    profile: str | None = None
    omics_endpoint: str | None = None

    @classmethod
    def from_config(cls, get: Any) -> AwsSettings:
        """Settings from a config getter taking full keys (`aws:region`)."""
        return cls(
            region=_text(get("aws:region")),
            profile=_text(get("aws:profile")),
            omics_endpoint=_text(get(f"{CONFIG_NAMESPACE}:omicsEndpoint")),
        )


def _text(value: Any) -> str | None:
    return str(value) if value not in (None, "") else None


def known_profiles() -> list[str]:
    """The profiles of the AWS config and credentials files (read offline)."""
    return list(boto3.session.Session().available_profiles)


def is_aws_endpoint(url: str) -> bool:
    """True when url is one of AWS's own endpoints (where the host prefix belongs)."""
    host = urlparse(url).hostname or ""
    return host.endswith(AWS_HOST_SUFFIXES)


def omics_client(settings: AwsSettings, region: str | None = None) -> OmicsClient:
    """A (process-wide, thread-safe) omics client for settings, in region if given.

    Clients live in this module, never on a provider: providers are pickled into state.
    """
    key = (settings, region)
    with _clients_lock:
        client = _clients.get(key)
        if client is None:
            client = build_omics_client(settings, region)
            _clients[key] = client
        return client  # type: ignore[no-any-return]


REGION_ADVICE = (
    "set aws:region in the stack (pulumi config set aws:region us-east-1), or a resource's "
    "region, or AWS_DEFAULT_REGION, or region in the profile of the AWS config file"
)
"""Where a region can come from: the stack, the resource, and what boto3 itself reads (the locked
botocore reads AWS_DEFAULT_REGION and the profile's `region`; it does not read AWS_REGION)."""
PROVIDER_RETRIES = {"total_max_attempts": 1}
"""The provider retries itself, within its own deadline: botocore must not retry behind it."""


def session_for(settings: AwsSettings) -> Any:
    """A boto3 session for settings' profile; ProviderError names a profile that does not exist."""
    try:
        return boto3.session.Session(profile_name=settings.profile)
    except ProfileNotFound:
        raise ProviderError(
            f"aws:profile {settings.profile!r} is not a profile of the AWS config or credentials "
            f"files (known: {', '.join(known_profiles()) or 'none'})",
            advice="set aws:profile to one of them or remove it to use the default credential "
            "chain",
        ) from None


def resolve_region(settings: AwsSettings, region: str | None = None) -> str | None:
    """The region a client for settings uses: region, else the stack's aws:region, else boto3's
    own resolution (AWS_DEFAULT_REGION, the profile's `region`); None when none is set."""
    return region or settings.region or session_for(settings).region_name


def resolved_endpoint(settings: AwsSettings) -> str | None:
    """The endpoint a client for settings calls (offline: nothing is sent); None when no client
    can be built (no region, no such profile), which check reports on its own."""
    try:
        return str(build_omics_client(settings, None).meta.endpoint_url)
    except ProviderError:
        return None


def build_omics_client(
    settings: AwsSettings,
    region: str | None,
    retries: Mapping[str, Any] | None = None,
    connections: int = 64,
) -> Any:
    """A new omics client for settings (uncached: use omics_client in provider code).

    The one rule for endpoint and host prefix, shared by the provider and `plan --store`:
    the endpoint is the stack's omicsEndpoint, else botocore's own (AWS_ENDPOINT_URL_OMICS,
    AWS_ENDPOINT_URL, the config file's `endpoint_url`); the `analytics-` host prefix follows
    botocore's own setting (AWS_DISABLE_HOST_PREFIX_INJECTION, the config file's
    `disable_host_prefix_injection`) and is always off for an endpoint that is not AWS's.
    retries default to none (the provider retries itself). Its credentials are registered for
    redaction; ProviderError names a missing profile or region in one line.
    """
    session = session_for(settings)
    region_name = region or settings.region or session.region_name
    try:
        client = _client(session, region_name, settings.omics_endpoint, retries, connections)
    except NoRegionError:
        raise ProviderError("no AWS region is set", advice=REGION_ADVICE) from None
    _register_credentials(session)
    if client.meta.config.inject_host_prefix and not is_aws_endpoint(client.meta.endpoint_url):
        # omics operations carry the host prefix `analytics-`: a custom endpoint must not get it.
        client = _client(
            session, region_name, settings.omics_endpoint, retries, connections, prefix=False
        )
    return client


def _register_credentials(session: Any) -> None:
    credentials = session.get_credentials()
    if credentials is not None:
        frozen = credentials.get_frozen_credentials()
        for value in (frozen.access_key, frozen.secret_key, frozen.token):
            register_secret(value)


def _client(
    session: Any,
    region: str | None,
    endpoint: str | None,
    retries: Mapping[str, Any] | None,
    connections: int,
    prefix: bool | None = None,
) -> Any:
    """A client; prefix None leaves the host prefix to botocore's own configuration."""
    options: dict[str, Any] = {
        "retries": dict(retries or PROVIDER_RETRIES),
        "connect_timeout": 10,
        "read_timeout": 60,
        "max_pool_connections": connections,
    }
    if prefix is not None:
        options["inject_host_prefix"] = prefix
    return session.client(
        "omics", region_name=region, endpoint_url=endpoint, config=BotoConfig(**options)
    )
