"""Progress lines on stderr, which the Pulumi CLI shows for dynamic providers."""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from typing import TextIO

from omics_provider.core.redaction import redact
from omics_provider.core.timing import SYSTEM_CLOCK, Clock

HEARTBEAT_SECONDS = 180.0
"""A waiting resource prints a line at least this often, even when nothing changed."""


def format_elapsed(seconds: float) -> str:
    """Seconds as 45s, 3m05s or 2h03m."""
    whole = int(seconds)
    if whole < 60:
        return f"{whole}s"
    if whole < 3600:
        return f"{whole // 60}m{whole % 60:02d}s"
    return f"{whole // 3600}h{whole // 60 % 60:02d}m"


@dataclass
class Progress:
    """Writes `[Kind name] message (elapsed)` lines for one resource operation."""

    kind: str
    name: str
    clock: Clock = SYSTEM_CLOCK
    stream: TextIO | None = None
    started_at: float = field(default=-1.0)
    last_line_at: float = field(default=-1.0)
    last_status: str | None = None

    def __post_init__(self) -> None:
        if self.started_at < 0:
            self.started_at = self.clock.monotonic()

    def elapsed(self) -> float:
        """Seconds since the operation began."""
        return self.clock.monotonic() - self.started_at

    def line(self, message: str) -> None:
        """Print one progress line now (on one line, credentials redacted)."""
        stream = self.stream or sys.stderr
        text = redact(" ".join(message.split()))
        stream.write(f"[{self.kind} {self.name}] {text} ({format_elapsed(self.elapsed())})\n")
        stream.flush()
        self.last_line_at = self.clock.monotonic()

    def warn(self, message: str) -> None:
        """Print one warning line now."""
        self.line(f"warning: {message}")

    def due(self, status: str) -> bool:
        """True when status differs from the last one reported or a heartbeat is due."""
        quiet_for = self.clock.monotonic() - self.last_line_at
        return status != self.last_status or self.last_line_at < 0 or quiet_for >= HEARTBEAT_SECONDS

    def status(self, status: str, message: str) -> None:
        """Print message when status changed or when the last line is a heartbeat old."""
        if self.due(status):
            self.last_status = status
            self.line(message)
