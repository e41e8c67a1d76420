"""Fixtures of the local-stack tests: a `make up` harness, held ports, the tracked files."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path

import pytest

from tests.local_stack.harness import LocalStackHarness, TrackedFiles, hold_preferred_ports


@pytest.fixture(scope="session")
def contract_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Where the stand-in remembers passphrase checks that passed, for the whole session."""
    return tmp_path_factory.mktemp("pulumi-contract-cache")


@pytest.fixture
def tracked() -> Iterator[TrackedFiles]:
    """The tracked files as they were before the test: a change fails the test (and is undone)."""
    files = TrackedFiles()
    yield files
    changed = files.changed()
    files.restore()
    if changed:
        pytest.fail(f"the test changed tracked files: {changed}")


@pytest.fixture
def preferred_ports() -> Iterator[dict[str, int]]:
    """The tracked stack file's ports, held by the test so that `make up` picks free ones (and
    never meets a developer's own running local stack)."""
    with ExitStack() as stack:
        yield hold_preferred_ports(stack)


@pytest.fixture
def harness(
    tmp_path: Path, tracked: TrackedFiles, preferred_ports: dict[str, int], contract_cache: Path
) -> Iterator[LocalStackHarness]:
    """`make up`/`make down` in a private run directory; services left behind are stopped."""
    running = LocalStackHarness(tmp_path, contract_cache)
    try:
        yield running
    finally:
        running.close()
