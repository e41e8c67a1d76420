"""What both dynamic providers share: settings, configure(), clean errors, snake_case names."""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar, TypeVar

from pulumi.dynamic import CheckResult, ConfigureRequest, DiffResult, ResourceProvider

from omics_provider.aws.calls import CallContext
from omics_provider.aws.clients import CONFIG_NAMESPACE, AwsSettings, omics_client
from omics_provider.core.errors import ProviderError
from omics_provider.core.progress import Progress
from omics_provider.core.timing import STATUS_POLL, SYSTEM_CLOCK, Backoff, Clock, Deadline
from omics_provider.resources.plugin_pool import widen_plugin_pool

F = TypeVar("F", bound=Callable[..., Any])

QUOTA_POLL_SECONDS = 10.0
"""While creates wait for the concurrent-job quota, running jobs' statuses are read this often."""


@dataclass(frozen=True)
class ProviderSettings:
    """Everything a provider call needs besides its inputs."""

    aws: AwsSettings = field(default_factory=AwsSettings)
    status_poll: Backoff = STATUS_POLL
    quota_poll_seconds: float = QUOTA_POLL_SECONDS

    @classmethod
    def from_config(cls, get: Any) -> ProviderSettings:
        """Settings from a config getter taking full keys (`aws:region`).

        `omics-variant-import:pollInitialSeconds`, `pollMaxSeconds` and `quotaPollSeconds` tune
        how often statuses are read; the defaults suit real HealthOmics jobs.
        """
        initial = _seconds(get, "pollInitialSeconds", STATUS_POLL.initial)
        cap = _seconds(get, "pollMaxSeconds", STATUS_POLL.cap)
        return cls(
            aws=AwsSettings.from_config(get),
            status_poll=Backoff(initial, STATUS_POLL.factor, max(cap, initial)),
            quota_poll_seconds=_seconds(get, "quotaPollSeconds", QUOTA_POLL_SECONDS),
        )


def _seconds(get: Any, key: str, default: float) -> float:
    raw = get(f"{CONFIG_NAMESPACE}:{key}")
    if raw in (None, ""):
        return default
    try:
        value = float(raw)
    except (TypeError, ValueError):
        raise ValueError(
            f"{CONFIG_NAMESPACE}:{key} must be a number of seconds, got {raw!r}"
        ) from None
    if value <= 0:
        raise ValueError(f"{CONFIG_NAMESPACE}:{key} must be positive, got {raw!r}")
    return value


def reported(method: F) -> F:
    """Re-raise a ProviderError from the provider method itself, so the plugin's traceback is
    short and its last line carries the whole message."""

    @functools.wraps(method)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        widen_plugin_pool()
        try:
            return method(*args, **kwargs)
        except ProviderError as error:
            message = str(error)
        raise ProviderError(message) from None

    return wrapper  # type: ignore[return-value]


class OmicsProvider(ResourceProvider):
    """A stateless provider: settings come from configure(), clients are built per call.

    Subclasses name their resource kind and the pure functions that check and diff its inputs.
    """

    kind = "Resource"
    clock: Clock = SYSTEM_CLOCK
    check_inputs: ClassVar[staticmethod[[Mapping[str, Any], Mapping[str, Any]], CheckResult]]
    diff_inputs: ClassVar[staticmethod[[Mapping[str, Any], Mapping[str, Any]], DiffResult]]

    def check(self, olds: dict[str, Any], news: dict[str, Any]) -> CheckResult:
        """Validate offline: no AWS call. Failures name their property and a valid value."""
        return type(self).check_inputs(olds, news)

    def diff(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        """Compare the stored outputs (which carry every input) with the new inputs."""
        return type(self).diff_inputs(olds, news)

    def configure(self, req: ConfigureRequest) -> None:
        """Read the AWS region, profile, endpoint and polling settings of the stack."""
        self._settings = ProviderSettings.from_config(req.config.get)

    @property
    def settings(self) -> ProviderSettings:
        """The configured settings, or the defaults when configure() was not called."""
        return getattr(self, "_settings", None) or ProviderSettings()

    def client(self, region: str | None) -> Any:
        """The omics client for region (None: the stack's region or AWS's default chain)."""
        return omics_client(self.settings.aws, region)

    def context(self, props: dict[str, Any], seconds: float) -> CallContext:
        """A CallContext for one operation on the resource props describe, lasting seconds."""
        progress = Progress(self.kind, str(props.get("resourceName") or "?"), self.clock)
        return CallContext(progress, Deadline.after(self.clock, seconds), self.clock)


_CAMEL_BOUNDARY = re.compile(r"(?<!^)(?=[A-Z])")


def snake_case(name: str) -> str:
    """jobId -> job_id."""
    return _CAMEL_BOUNDARY.sub("_", name).lower()


def alias_snake_case(resource: object, keys: Iterable[str]) -> None:
    """Expose each camelCase property of resource (`jobId`) also as a snake_case one (`job_id`).

    Pulumi creates one attribute per props key, named exactly like the key, and resolves it by the
    name translate_output_property returns for the engine's key. Translating camelCase keys to
    snake_case there leaves every attribute unresolved (and would rewrite nested keys such as tag
    names), so the keys stay camelCase and the snake_case names are aliases of the same Outputs.
    """
    for key in keys:
        setattr(resource, snake_case(key), getattr(resource, key))
