"""How the mini-engine reaches each kind of custom resource: the real plugin, or moto."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from pulumi.output import Unknown

from omics_provider.testing.plugin import PROVIDER_KEY, DiffOutcome, DynamicProviderPlugin
from tests.support.aws_resources import AwsClients, AwsType, UnsupportedResource, aws_type, changed

DYNAMIC_TYPE_PREFIX = "pulumi-python:dynamic/"
NO_CHANGES, SOME_CHANGES, UNKNOWN_CHANGES = "DIFF_NONE", "DIFF_SOME", "DIFF_UNKNOWN"


def changed_keys(olds: Mapping[str, Any], news: Mapping[str, Any]) -> list[str]:
    """The keys whose values differ between two input maps (an unknown value counts)."""
    return [
        key
        for key in sorted(set(olds) | set(news))
        if isinstance(news.get(key), Unknown) or changed(olds, news, key)
    ]


class Handler(Protocol):
    """How one kind of custom resource is checked, diffed, created, updated and deleted."""

    supports_preview: bool

    def check(
        self, name: str, olds: dict[str, Any], news: dict[str, Any]
    ) -> tuple[dict[str, Any], list[tuple[str, str]]]: ...

    def diff(
        self,
        id_: str,
        old_inputs: dict[str, Any],
        old_outputs: dict[str, Any],
        news: dict[str, Any],
    ) -> DiffOutcome: ...

    def create(self, inputs: dict[str, Any]) -> tuple[str, dict[str, Any]]: ...

    def update(
        self, id_: str, old_outputs: dict[str, Any], news: dict[str, Any]
    ) -> dict[str, Any]: ...

    def delete(self, id_: str, outputs: dict[str, Any]) -> None: ...


@dataclass
class DynamicResources:
    """Dynamic resources: every call goes to the real plugin over gRPC."""

    plugin: DynamicProviderPlugin
    supports_preview = False  # the Python dynamic provider's Configure does not claim it

    def check(
        self, name: str, olds: dict[str, Any], news: dict[str, Any]
    ) -> tuple[dict[str, Any], list[tuple[str, str]]]:
        provider = news[PROVIDER_KEY]
        outcome = self.plugin.check(provider, olds, news)
        return {**outcome.inputs, PROVIDER_KEY: provider}, outcome.failures

    def diff(
        self,
        id_: str,
        old_inputs: dict[str, Any],
        old_outputs: dict[str, Any],
        news: dict[str, Any],
    ) -> DiffOutcome:
        return self.plugin.diff(news[PROVIDER_KEY], id_, old_outputs, news)

    def create(self, inputs: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        id_, outputs = self.plugin.create(inputs[PROVIDER_KEY], inputs)
        return id_, {**outputs, PROVIDER_KEY: inputs[PROVIDER_KEY]}

    def update(self, id_: str, old_outputs: dict[str, Any], news: dict[str, Any]) -> dict[str, Any]:
        outputs = self.plugin.update(news[PROVIDER_KEY], id_, old_outputs, news)
        return {**outputs, PROVIDER_KEY: news[PROVIDER_KEY]}

    def delete(self, id_: str, outputs: dict[str, Any]) -> None:
        self.plugin.delete(outputs[PROVIDER_KEY], id_, outputs)


@dataclass
class AwsResources:
    """pulumi-aws resources of one type, applied to moto (see tests/support/aws_resources.py)."""

    row: AwsType
    aws: AwsClients
    supports_preview = True

    def check(
        self, name: str, olds: dict[str, Any], news: dict[str, Any]
    ) -> tuple[dict[str, Any], list[tuple[str, str]]]:
        return self.row.check(name, olds, news), []

    def diff(
        self,
        id_: str,
        old_inputs: dict[str, Any],
        old_outputs: dict[str, Any],
        news: dict[str, Any],
    ) -> DiffOutcome:
        keys = changed_keys(old_inputs, news)
        replaces = [key for key in keys if key in self.row.replace_on]
        return DiffOutcome(SOME_CHANGES if keys else NO_CHANGES, replaces, False)

    def create(self, inputs: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        return self.row.create(self.aws, inputs)

    def update(self, id_: str, old_outputs: dict[str, Any], news: dict[str, Any]) -> dict[str, Any]:
        return self.row.update(self.aws, id_, old_outputs, news)

    def delete(self, id_: str, outputs: dict[str, Any]) -> None:
        self.row.delete(self.aws, id_, outputs)


class Handlers:
    """The handler of each resource type for one deployment; starts the plugin when first needed."""

    def __init__(
        self, plugin_env: dict[str, str], config: dict[str, str], aws: AwsClients | None
    ) -> None:
        self.plugin_env = plugin_env
        self.config = config
        self.aws = aws
        self.plugin: DynamicProviderPlugin | None = None

    def __call__(self, type_: str) -> Handler:
        if type_.startswith(DYNAMIC_TYPE_PREFIX):
            if self.plugin is None:
                self.plugin = DynamicProviderPlugin(env=self.plugin_env, config=self.config)
                self.plugin.start()
            return DynamicResources(self.plugin)
        row = aws_type(type_)
        if self.aws is None:
            raise UnsupportedResource(f"{type_} needs a moto server: give MiniEngine aws=")
        return AwsResources(row, self.aws)

    def plugin_output(self) -> str:
        """What the plugin printed on stderr (progress lines, tracebacks), if it ran."""
        return self.plugin.stderr_text() if self.plugin is not None else ""

    def close(self) -> None:
        """Stop the plugin, as the engine does at the end of a deployment."""
        if self.plugin is not None:
            self.plugin.stop()
