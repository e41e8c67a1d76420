"""The package's pytest plugin (entry point pytest11): a fresh event loop for Pulumi per test.

Loaded by pytest whenever omics-variant-import is installed. Each test gets a current event
loop for Pulumi's runtime (mocks need one; an earlier asyncio.run() leaves none), closed after
the test with everything a failed program left pending, so "Future exception was never
retrieved" never reaches the terminal. Opt out with `-p no:omics_variant_import`.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest

from omics_provider.testing.program import close_loop


@pytest.fixture(autouse=True)
def pulumi_event_loop() -> Iterator[asyncio.AbstractEventLoop]:
    """A current event loop for the test, drained, closed and unset after it."""
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    yield loop
    close_loop(loop)
    asyncio.set_event_loop(None)
