"""What both dynamic providers share: settings, configure(), clean errors, snake_case names."""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar, TypeVar

from pulumi.dynamic import CheckFailure, CheckResult, ConfigureRequest, DiffResult, ResourceProvider

from omics_provider.aws.calls import CallContext
from omics_provider.aws.clients import (
    AwsSettings,
    is_aws_endpoint,
    known_profiles,
    omics_client,
    resolved_endpoint,
)
from omics_provider.core.errors import ProviderError
from omics_provider.core.namespace import CONFIG_NAMESPACE
from omics_provider.core.progress import Progress
from omics_provider.core.timing import STATUS_POLL, SYSTEM_CLOCK, Backoff, Clock
from omics_provider.core.validation import Checker, number_from_text, quoted
from omics_provider.resources.plugin_pool import widen_plugin_pool

F = TypeVar("F", bound=Callable[..., Any])

QUOTA_POLL_SECONDS = 10.0
"""While creates wait for the concurrent-job quota, running jobs' statuses are read this often."""
MIN_POLL_SECONDS = 1.0
"""The shortest interval accepted for pollInitialSeconds, pollMaxSeconds and quotaPollSeconds
against AWS: HealthOmics' Get and List calls have low request-rate quotas."""
MIN_LOCAL_POLL_SECONDS = 0.01
"""The same floor against an endpoint that is not AWS's (an emulator on this machine)."""
MAX_POLL_SECONDS = 3600.0
"""The longest interval accepted for pollInitialSeconds, pollMaxSeconds and quotaPollSeconds."""
POLL_KEYS = ("pollInitialSeconds", "pollMaxSeconds", "quotaPollSeconds")


@dataclass(frozen=True)
class ProviderSettings:
    """Everything a provider call needs besides its inputs."""

    aws: AwsSettings = field(default_factory=AwsSettings)
    status_poll: Backoff = STATUS_POLL
    quota_poll_seconds: float = QUOTA_POLL_SECONDS


def parse_settings(get: Callable[[str], Any]) -> tuple[ProviderSettings, list[CheckFailure]]:
    """Settings from a config getter taking full keys (`aws:region`), and what is wrong with them.

    `omics-variant-import:pollInitialSeconds`, `pollMaxSeconds` and `quotaPollSeconds` tune how
    often statuses are read; the defaults suit real HealthOmics jobs. Each is a plain number from
    MIN_POLL_SECONDS (MIN_LOCAL_POLL_SECONDS when the endpoint is not AWS's) to MAX_POLL_SECONDS.
    A bad value is reported with its key and replaced by the default, so that check can name it
    before anything is sent.
    """
    checker = Checker()
    aws = AwsSettings.from_config(get)
    checker.region("aws:region", aws.region)
    if aws.profile is not None and aws.profile not in known_profiles():
        checker.fail(
            "aws:profile",
            f"{quoted(aws.profile)} is not a profile of the AWS config or credentials files; "
            "name one of them or remove aws:profile to use the default credential chain",
        )
    if aws.omics_endpoint is not None:
        checker.endpoint_url(f"{CONFIG_NAMESPACE}:omicsEndpoint", aws.omics_endpoint)

    # With a bad AWS setting no endpoint can be resolved, and nothing runs until it is fixed:
    # only the lower floor is checked meanwhile, so the failures name the setting at fault.
    floor = MIN_LOCAL_POLL_SECONDS if checker.failures else poll_floor(aws)

    def seconds(key: str, default: float) -> float:
        raw = get(f"{CONFIG_NAMESPACE}:{key}")
        given = None if raw in (None, "") else number_from_text(raw)
        value = checker.seconds(f"{CONFIG_NAMESPACE}:{key}", given, floor, MAX_POLL_SECONDS)
        return default if value is None else value

    initial = seconds("pollInitialSeconds", STATUS_POLL.initial)
    cap = seconds("pollMaxSeconds", STATUS_POLL.cap)
    settings = ProviderSettings(
        aws=aws,
        status_poll=Backoff(initial, STATUS_POLL.factor, max(cap, initial)),
        quota_poll_seconds=seconds("quotaPollSeconds", QUOTA_POLL_SECONDS),
    )
    return settings, checker.failures


def poll_floor(aws: AwsSettings) -> float:
    """The shortest poll interval accepted for aws: MIN_LOCAL_POLL_SECONDS when its endpoint
    (as the client builder resolves it) is not AWS's, else MIN_POLL_SECONDS."""
    endpoint = resolved_endpoint(aws)
    local = endpoint is not None and not is_aws_endpoint(endpoint)
    return MIN_LOCAL_POLL_SECONDS if local else MIN_POLL_SECONDS


def reported(method: F) -> F:
    """Run a provider method that may call AWS: refuse bad settings first, and re-raise a
    ProviderError (its own message, formatted and redacted when it was made) from the method
    itself, so the plugin's traceback is short and its last line carries the whole message."""

    @functools.wraps(method)
    def wrapper(self: OmicsProvider, *args: Any, **kwargs: Any) -> Any:
        try:
            self.refuse_bad_settings()
            return method(self, *args, **kwargs)
        except ProviderError as error:
            failed = error
        raise failed.with_traceback(None) from None

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
        """Validate offline: no AWS call. Failures name their property (or the stack setting)
        and a valid value."""
        result = type(self).check_inputs(olds, news)
        return CheckResult(result.inputs, [*self.setting_failures, *(result.failures or [])])

    def diff(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        """Compare the stored outputs (which carry every input) with the new inputs."""
        return type(self).diff_inputs(olds, news)

    def configure(self, req: ConfigureRequest) -> None:
        """Read the stack's AWS region, profile, endpoint and polling settings (checked at check),
        and let the plugin serve more than 4 calls at once (see plugin_pool)."""
        self._settings, failures = parse_settings(req.config.get)
        self.setting_failures = tuple(failures)
        widen_plugin_pool()

    setting_failures: tuple[CheckFailure, ...] = ()

    @property
    def settings(self) -> ProviderSettings:
        """The configured settings, or the defaults when configure() was not called."""
        return getattr(self, "_settings", None) or ProviderSettings()

    def refuse_bad_settings(self) -> None:
        """Raise a ProviderError naming every bad stack setting (before anything is sent)."""
        if self.setting_failures:
            reasons = "; ".join(failure.reason for failure in self.setting_failures)
            raise ProviderError(f"invalid stack configuration: {reasons}", resource=self.kind)

    def client(self, region: str | None) -> Any:
        """The omics client for region (None: the stack's region or AWS's default chain)."""
        return omics_client(self.settings.aws, region)

    def context(self, props: Mapping[str, Any]) -> CallContext:
        """A CallContext for one operation on the resource props describe (the flow gives each
        call its deadline)."""
        progress = Progress(self.kind, str(props.get("resourceName") or "?"), self.clock)
        return CallContext(progress, self.clock)


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
