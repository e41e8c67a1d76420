"""A fake clock for the provider (monotonic, sleep, wait) and the emulator (epoch seconds)."""

from __future__ import annotations

import threading


class FakeClock:
    """Time that moves only when something sleeps; usable by provider and emulator alike."""

    def __init__(self, start: float = 1_800_000_000.0) -> None:
        self.now = start
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    def monotonic(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += max(0.0, seconds)

    def wait(self, condition: threading.Condition, seconds: float) -> None:
        self.sleep(seconds)
