"""Drives the real dynamic-provider plugin over gRPC as the Pulumi engine does (tests, bench).

The Pulumi CLI cannot be installed everywhere this project is tested, so engine-facing behaviour is
proven by starting `python -m pulumi.dynamic` (the very server the engine starts for dynamic
resources) and calling it with providers serialized exactly as `pulumi.dynamic.Resource` does.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from typing import Any

import grpc
from pulumi.dynamic import ResourceProvider
from pulumi.dynamic.dynamic import serialize_provider
from pulumi.runtime import proto, rpc
from pulumi.runtime.proto import provider_pb2_grpc

PROVIDER_KEY = "__provider"
GRPC_PREFIX = "Exception calling application: "
"""How grpc words an exception a servicer raised, when the SDK sends no traceback of its own."""
Provider = ResourceProvider | str
"""A provider object, or the serialized form the engine stores in `__provider` and sends as is."""
URN_PREFIX = "urn:pulumi:test::omics-variant-import::pulumi-python:dynamic/omics"


class PluginCallError(Exception):
    """A gRPC call to the plugin failed; details is what the engine would show the user."""

    def __init__(self, method: str, code: grpc.StatusCode, details: str) -> None:
        self.method = method
        self.code = code
        self.details = details
        super().__init__(f"{method} failed ({code.name}): {self.last_line}")

    @property
    def last_line(self) -> str:
        """The last non-empty line of the plugin's error (the provider's message).

        Pulumi SDKs before the traceback format (3.216 among them) send grpc's own wording,
        "Exception calling application: <message>": the prefix is not the provider's.
        """
        lines = [line for line in self.details.strip().splitlines() if line.strip()]
        return lines[-1].removeprefix(GRPC_PREFIX) if lines else ""


@dataclass
class StderrLine:
    """One line the plugin printed on stderr, and when it arrived."""

    at: float
    text: str


@dataclass
class CheckOutcome:
    """What Check returned: the checked inputs and (property, reason) failures."""

    inputs: dict[str, Any]
    failures: list[tuple[str, str]]


@dataclass
class DiffOutcome:
    """What Diff returned."""

    changes: str
    replaces: list[str]
    delete_before_replace: bool


@dataclass
class DynamicProviderPlugin:
    """A running `python -m pulumi.dynamic` process and a gRPC stub to it."""

    env: dict[str, str] = field(default_factory=dict)
    config: dict[str, Any] = field(default_factory=dict)
    stderr: list[StderrLine] = field(default_factory=list)
    process: subprocess.Popen[bytes] | None = None
    channel: grpc.Channel | None = None
    stub: Any = None

    def start(self) -> DynamicProviderPlugin:
        """Start the plugin, connect to the port it prints, and send Configure."""
        self.process = subprocess.Popen(
            [sys.executable, "-m", "pulumi.dynamic"],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env={**os.environ, **self.env},
        )
        assert self.process.stdout is not None
        port = int(self.process.stdout.readline().decode().strip())
        threading.Thread(target=self._collect_stderr, daemon=True).start()
        self.channel = grpc.insecure_channel(f"127.0.0.1:{port}")
        self.stub = provider_pb2_grpc.ResourceProviderStub(self.channel)
        self.stub.Configure(proto.ConfigureRequest(args=to_struct(self.config)))
        return self

    def _collect_stderr(self) -> None:
        assert self.process is not None and self.process.stderr is not None
        for raw in self.process.stderr:
            self.stderr.append(StderrLine(time.monotonic(), raw.decode(errors="replace").rstrip()))

    def stop(self) -> None:
        """Close the channel and end the plugin process."""
        if self.channel is not None:
            self.channel.close()
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)

    def kill(self) -> None:
        """End the plugin at once, as a crash or a killed CI runner would."""
        if self.process is not None:
            self.process.kill()
            self.process.wait(timeout=10)

    def __enter__(self) -> DynamicProviderPlugin:
        return self.start()

    def __exit__(self, *_: object) -> None:
        self.stop()

    def stderr_text(self, settle: float = 0.2) -> str:
        """Everything the plugin printed on stderr, once nothing new arrived for settle seconds.

        The plugin flushes a line before its call returns, but the reader thread may not have
        taken it yet: waiting for a quiet moment makes "never printed" checks sound.
        """
        while True:
            count = len(self.stderr)
            time.sleep(settle)
            if len(self.stderr) == count:
                return "\n".join(line.text for line in self.stderr)

    def printed(self, text: str, seconds: float = 10.0) -> bool:
        """True once a line containing text arrived on stderr; False after seconds without it."""
        deadline = time.monotonic() + seconds
        while not any(text in line.text for line in list(self.stderr)):
            if time.monotonic() > deadline:
                return False
            time.sleep(0.01)
        return True

    # --- the engine's calls -------------------------------------------------------------------
    def check(self, provider: Provider, olds: dict[str, Any], news: dict[str, Any]) -> CheckOutcome:
        """Check, with olds (empty for a new resource) and news as the program declared them."""
        request = proto.CheckRequest(
            urn=_urn(news), olds=_props(provider, olds, bool(olds)), news=_props(provider, news)
        )
        response = self._call("Check", request)
        failures = [(f.property, f.reason) for f in response.failures]
        return CheckOutcome(_plain(response.inputs), failures)

    def diff(
        self, provider: Provider, id_: str, olds: dict[str, Any], news: dict[str, Any]
    ) -> DiffOutcome:
        """Diff stored outputs olds against checked inputs news."""
        request = proto.DiffRequest(
            id=id_, urn=_urn(news), olds=_props(provider, olds), news=_props(provider, news)
        )
        response = self._call("Diff", request)
        changes = proto.DiffResponse.DiffChanges.Name(response.changes)
        return DiffOutcome(changes, list(response.replaces), response.deleteBeforeReplace)

    def create(
        self, provider: Provider, inputs: dict[str, Any], timeout: float = 120
    ) -> tuple[str, dict[str, Any]]:
        """Create; returns the id and the outputs."""
        request = proto.CreateRequest(urn=_urn(inputs), properties=_props(provider, inputs))
        response = self._call("Create", request, timeout)
        return response.id, _plain(response.properties)

    def read(
        self, provider: Provider, id_: str, outputs: dict[str, Any]
    ) -> tuple[str, dict[str, Any], dict[str, Any]]:
        """Read (refresh); returns the id, the outputs and the inputs to store."""
        request = proto.ReadRequest(id=id_, urn=_urn(outputs), properties=_props(provider, outputs))
        response = self._call("Read", request)
        return response.id, _plain(response.properties), _plain(response.inputs)

    def update(
        self,
        provider: Provider,
        id_: str,
        olds: dict[str, Any],
        news: dict[str, Any],
        timeout: float = 120,
    ) -> dict[str, Any]:
        """Update; returns the outputs."""
        request = proto.UpdateRequest(
            id=id_, urn=_urn(news), olds=_props(provider, olds), news=_props(provider, news)
        )
        return _plain(self._call("Update", request, timeout).properties)

    def delete(
        self, provider: Provider, id_: str, outputs: dict[str, Any], timeout: float = 120
    ) -> None:
        """Delete the resource with the given stored outputs."""
        request = proto.DeleteRequest(
            id=id_, urn=_urn(outputs), properties=_props(provider, outputs)
        )
        self._call("Delete", request, timeout)

    def _call(self, method: str, request: Any, timeout: float = 120) -> Any:
        try:
            return getattr(self.stub, method)(request, timeout=timeout)
        except grpc.RpcError as error:
            code, details = error.code(), error.details() or ""
            raise PluginCallError(method, code, details) from None


def _urn(props: dict[str, Any]) -> str:
    return f"{URN_PREFIX}:Resource::{props.get('resourceName', 'test')}"


def _props(provider: Provider, props: dict[str, Any], with_provider: bool = True) -> Any:
    """props as the engine sends them: a Struct carrying the serialized provider."""
    bag = {k: v for k, v in props.items() if k != PROVIDER_KEY}
    if with_provider:
        bag[PROVIDER_KEY] = provider if isinstance(provider, str) else serialize_provider(provider)
    return to_struct(bag)


def to_struct(props: dict[str, Any]) -> Any:
    """props serialized as the engine and the plugin exchange them (a protobuf Struct).

    Runs on a private loop, not asyncio.run: that would clear the thread's current loop, which
    Pulumi's mocks (used by other tests in the same process) rely on.
    """
    loop = asyncio.new_event_loop()
    try:
        return loop.run_until_complete(rpc.serialize_properties(props, {}))
    finally:
        loop.close()


def _plain(struct: Any) -> dict[str, Any]:
    props = rpc.deserialize_properties(struct, keep_unknowns=True)
    return {k: v for k, v in dict(props).items() if k != PROVIDER_KEY}
