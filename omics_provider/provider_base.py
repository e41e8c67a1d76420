"""What both dynamic providers share: configuration, clean errors, and snake_case attributes."""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterable, Mapping
from typing import Any, ClassVar, TypeVar

from pulumi.dynamic import CheckResult, ConfigureRequest, DiffResult, ResourceProvider

from .aws_calls import CallContext
from .aws_clients import omics_client
from .errors import ProviderError
from .plugin_capacity import widen_plugin_pool
from .polling import SYSTEM_CLOCK, Clock, Deadline
from .progress import Progress
from .provider_config import ProviderSettings

F = TypeVar("F", bound=Callable[..., Any])


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
