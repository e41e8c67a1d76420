"""One file's import as data: the job a worker gets and the outcome it returns (no heavy imports:
the resource module, loaded by every plugin start, uses these)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any

COMMITTED = "COMMITTED"
ALREADY_COMMITTED = "ALREADY_COMMITTED"
FAILED = "FAILED"
NOT_IN_TABLE = "NOT_IN_TABLE"
"""A file committed once whose rows the table no longer holds (someone removed them): the next
update imports it again."""


@dataclass(frozen=True)
class FileJob:
    """Everything a worker process needs for one file (picklable; no client, no table)."""

    catalog: Mapping[str, str]
    table: str
    source: str
    batch: str
    profile: str | None = None
    region: str | None = None


@dataclass(frozen=True)
class FileOutcome:
    """What happened to one file: a resource output row."""

    source: str
    status: str
    snapshotId: int | None = None
    rows: int = 0
    etag: str = ""
    batch: str = ""
    bytes: int = 0
    message: str = ""

    def output(self) -> dict[str, Any]:
        """The outputs' form (None left out: the engine drops it)."""
        return {k: v for k, v in asdict(self).items() if v is not None}
