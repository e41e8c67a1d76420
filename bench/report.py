"""The bench's one table: rows with a measured value, a target and PASS/FAIL, and the machine."""

from __future__ import annotations

import os
import platform
import statistics
import sys
from collections.abc import Sequence
from dataclasses import dataclass

INFO = "info"


@dataclass(frozen=True)
class Row:
    """One line of the table: what was measured, its value, the target and whether it is met.

    passed is None for a figure reported for context, without a target.
    """

    check: str
    measured: str
    target: str = ""
    passed: bool | None = None

    @property
    def result(self) -> str:
        """PASS, FAIL, or info for a figure without a target."""
        if self.passed is None:
            return INFO
        return "PASS" if self.passed else "FAIL"


def missed_targets(rows: Sequence[Row]) -> list[str]:
    """The checks of the rows whose target was missed, in table order."""
    return [row.check for row in rows if row.passed is False]


def verdict(rows: Sequence[Row]) -> str:
    """The bench's last line: PASS when every target is met, else FAIL naming each one missed."""
    targets = sum(row.passed is not None for row in rows)
    missed = missed_targets(rows)
    if missed:
        return f"bench: FAIL, {len(missed)} of {targets} targets missed: " + "; ".join(missed)
    return f"bench: PASS, all {targets} targets met"


def exit_status(rows: Sequence[Row]) -> int:
    """The bench's exit status: 1 when a target is missed, else 0 (info rows never count)."""
    return 1 if missed_targets(rows) else 0


def median(values: Sequence[float]) -> float:
    """The median of values (at least one)."""
    return statistics.median(values)


def render(rows: Sequence[Row]) -> str:
    """The rows as a fixed-width text table with a header."""
    header = Row("check", "measured", "target")
    widths = [
        max(len(r.check) for r in [header, *rows]),
        max(len(r.measured) for r in [header, *rows]),
        max(len(r.target) for r in [header, *rows]),
    ]
    lines = []
    for index, row in enumerate([header, *rows]):
        result = "result" if index == 0 else row.result
        cells = (row.check, row.measured, row.target)
        lines.append(
            "  ".join(c.ljust(w) for c, w in zip(cells, widths, strict=True)) + "  " + result
        )
        if index == 0:
            lines.append("-" * (sum(widths) + 2 * len(widths) + len("result")))
    return "\n".join(line.rstrip() for line in lines)


def machine_context() -> str:
    """Cores, load, Python and platform: what the figures were measured on."""
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg()) if hasattr(os, "getloadavg") else "n/a"
    return (
        f"machine: {os.cpu_count()} cores, load average {load}; "
        f"Python {sys.version.split()[0]} ({platform.python_implementation()}), "
        f"{platform.system()} {platform.machine()}"
    )
