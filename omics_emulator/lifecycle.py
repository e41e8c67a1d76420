"""Declared status transitions and the scheduled, lazily applied status changes of resources."""

from __future__ import annotations

import heapq
import itertools
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import ClassVar, Protocol


class Lifecycle:
    """The statuses of one resource kind and the transitions allowed between them."""

    def __init__(self, name: str, transitions: Mapping[str, frozenset[str]]) -> None:
        self.name = name
        self.transitions = dict(transitions)

    def check(self, old: str, new: str) -> None:
        """Raise AssertionError when ``old -> new`` is not a declared transition."""
        if new not in self.transitions.get(old, frozenset()):
            raise AssertionError(f"{self.name}: undeclared transition {old} -> {new}")

    def is_final(self, status: str) -> bool:
        """Whether no transition leaves ``status``."""
        return not self.transitions.get(status)


class Stateful:
    """A resource whose status moves only along its kind's declared transitions."""

    lifecycle: ClassVar[Lifecycle]
    status: str
    status_message: str
    update_time: float
    epoch: int

    def move(self, status: str, at: float, message: str = "", scheduled: bool = False) -> None:
        """Take a declared transition at ``at``; unless scheduled, it cancels pending ones."""
        self.lifecycle.check(self.status, status)
        self.status, self.status_message, self.update_time = status, message, at
        self.epoch += 0 if scheduled else 1


class Tracked(Protocol):
    """A resource whose scheduled changes are discarded when its epoch moves on."""

    epoch: int


@dataclass(order=True)
class Scheduled:
    """A change due at ``at`` for ``resource``; stale once the resource's epoch changed."""

    at: float
    seq: int
    resource: Tracked = field(compare=False)
    target: str = field(compare=False)
    epoch: int = field(compare=False)


class Timeline:
    """A queue of scheduled changes, popped in time order once due (no threads)."""

    def __init__(self) -> None:
        self._heap: list[Scheduled] = []
        self._seq = itertools.count()

    def schedule(self, at: float, resource: Tracked, target: str) -> None:
        """Queue ``target`` for ``resource`` at time ``at``."""
        heapq.heappush(self._heap, Scheduled(at, next(self._seq), resource, target, resource.epoch))

    def due(self, now: float) -> Iterator[Scheduled]:
        """Yield the live changes due by ``now``, earliest first, removing them."""
        while self._heap and self._heap[0].at <= now:
            event = heapq.heappop(self._heap)
            if event.epoch == event.resource.epoch:
                yield event
