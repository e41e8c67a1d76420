"""The bench's one table: rows with a measured value, a target and a result, and the machine.

Two kinds of target, so that a red bench means a regression and nothing else:
- a guard (the default) holds a figure the code meets today; missing it is a regression: the
  row says FAIL and `make bench` exits 1;
- an aspiration is a goal not reached yet (an open issue's target): the row says MISSED (or PASS
  once met) and the last line names it, but it never changes the exit status. When the code
  meets it, make it a guard.
"""

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

    passed is None for a figure reported for context, without a target; aspiration marks a
    target not reached yet, reported but never failing the bench (see the module docstring).
    """

    check: str
    measured: str
    target: str = ""
    passed: bool | None = None
    aspiration: bool = False

    @property
    def result(self) -> str:
        """PASS, FAIL (a guard missed), MISSED (an aspiration), or info without a target."""
        if self.passed is None:
            return INFO
        if self.passed:
            return "PASS"
        return "MISSED" if self.aspiration else "FAIL"


def missed_targets(rows: Sequence[Row], aspiration: bool = False) -> list[str]:
    """The checks of the guards (or, with aspiration, the aspirations) missed, in table order."""
    return [row.check for row in rows if row.passed is False and row.aspiration == aspiration]


def verdict(rows: Sequence[Row]) -> str:
    """The bench's last line: PASS when every guard holds, else FAIL naming each guard missed;
    then any aspiration missed, named as such."""
    guards = sum(row.passed is not None and not row.aspiration for row in rows)
    missed = missed_targets(rows)
    if missed:
        line = f"bench: FAIL, {len(missed)} of {guards} guards missed: " + "; ".join(missed)
    else:
        line = f"bench: PASS, all {guards} guards met"
    aspirations = sum(row.passed is not None and row.aspiration for row in rows)
    not_yet = missed_targets(rows, aspiration=True)
    if not_yet:
        line += (
            f" ({len(not_yet)} of {aspirations} aspirations not met yet, not failing: "
            + "; ".join(not_yet)
            + ")"
        )
    return line


def exit_status(rows: Sequence[Row]) -> int:
    """The bench's exit status: 1 when a guard is missed, else 0 (aspirations and info rows
    never count)."""
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
