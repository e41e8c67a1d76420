"""An emulator and a provider flow sharing one fake clock: waits take no real time."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from omics_emulator import EmulatorHandle, EmulatorSettings, OmicsBackend, start_emulator
from omics_emulator.pytest_plugin import make_omics_client
from tests.support.clock import FakeClock
from tests.support.jobs import create_store


@contextmanager
def virtual_emulator(
    clock: FakeClock, make_store: Callable[[Any], object] = create_store, **settings: Any
) -> Iterator[tuple[EmulatorHandle, Any]]:
    """An emulator on clock holding an ACTIVE store (made by make_store: a variant store unless
    told otherwise), and a boto3 client on it."""
    backend = OmicsBackend(EmulatorSettings(store_seconds=0, **settings), clock=clock)
    with start_emulator(backend=backend) as emulator:
        client = make_omics_client(emulator.url)
        make_store(client)
        yield emulator, client
