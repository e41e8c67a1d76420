"""Widening of the dynamic-provider plugin's worker pool, so long waits do not starve other calls.

The plugin (`python -m pulumi.dynamic`) serves gRPC calls from a ThreadPoolExecutor of 4 workers,
and a call that waits 30 minutes in its queue is cancelled. A create that waits for its import job
holds a worker for the job's whole run, so with more than 4 imports in a stack the rest would queue
(and fail after 30 minutes) while HealthOmics could run 5 at once. The waits themselves are cheap
(sleeping threads sharing batched status reads), so the provider raises the pool's size from inside
the plugin process the first time it is called. This relies on CPython's ThreadPoolExecutor keeping
its executor reachable from each worker thread; where it does not, nothing changes and the plugin
keeps its 4 workers.
"""

from __future__ import annotations

import sys
import threading
import weakref
from concurrent.futures import ThreadPoolExecutor
from typing import Any

PLUGIN_MODULE = "pulumi.dynamic.__main__"
PLUGIN_WORKERS = 256
"""Workers the plugin may run at once once widened: far above any stack's parallelism. Each is a
sleeping thread while it waits; past this many, calls queue as in the unwidened plugin."""

_widened = False
_lock = threading.Lock()


def in_dynamic_provider_plugin() -> bool:
    """True when this process is the dynamic-provider plugin the Pulumi engine started."""
    spec = getattr(sys.modules.get("__main__"), "__spec__", None)
    return getattr(spec, "name", None) == PLUGIN_MODULE


def widen_plugin_pool(workers: int = PLUGIN_WORKERS) -> bool:
    """Raise the plugin's worker pool to workers (once per process); True when it is widened."""
    global _widened
    with _lock:
        if _widened or not in_dynamic_provider_plugin():
            return _widened
        executor = _current_executor()
        if executor is None:
            return False
        _raise_max_workers(executor, workers)
        _widened = True
        return True


def _current_executor() -> ThreadPoolExecutor | None:
    """The ThreadPoolExecutor whose worker runs this call, if that can be known."""
    args: Any = getattr(threading.current_thread(), "_args", ())
    if not args or not isinstance(args[0], weakref.ref):
        return None
    executor = args[0]()
    return executor if isinstance(executor, ThreadPoolExecutor) else None


class _NoIdleWorkers:
    """Stands in for the executor's idle-worker semaphore, which over-counts idle workers.

    Each finished call releases it, also when that worker goes straight on to a queued call, so
    after a burst of quick calls (Check, Diff) it claims idle workers that are busy waiting on
    imports, and a new call would queue behind them. Claiming none makes every new call start a
    thread, up to the widened maximum; past it, calls queue as before.
    """

    def acquire(self, blocking: bool = True, timeout: float | None = None) -> bool:
        return False

    def release(self, n: int = 1) -> None:
        return None


def _raise_max_workers(executor: Any, workers: int) -> None:
    """Let executor run workers threads, and start threads for the calls already queued."""
    with executor._shutdown_lock:
        executor._max_workers = max(executor._max_workers, workers)
        executor._idle_semaphore = _NoIdleWorkers()
        for _ in range(executor._work_queue.qsize()):
            executor._adjust_thread_count()
