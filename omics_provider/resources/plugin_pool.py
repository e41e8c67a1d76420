"""Widening of the dynamic-provider plugin's worker pool, so long waits do not starve other calls.

The plugin (`python -m pulumi.dynamic`) serves gRPC calls from a ThreadPoolExecutor of 4 workers,
and a call that waits 30 minutes in its queue is cancelled. A create that waits for its import job
holds a worker for the job's whole run, so with more than 4 imports in a stack the rest would queue
(and fail after 30 minutes) while HealthOmics could run 5 at once. The waits themselves are cheap
(sleeping threads sharing batched status reads), so the provider raises the pool's size from
inside the plugin process when it is first configured.

This is the project's one reach into another library's internals (CPython's ThreadPoolExecutor:
`_max_workers`, `_idle_semaphore`, `_threads`, `_work_queue`, `_adjust_thread_count`, and the
executor reachable from each worker thread). Where they differ, nothing changes: the plugin keeps
its 4 workers and one warning says so. Delete this module once the plugin lets a provider choose
its pool size.
"""

from __future__ import annotations

import sys
import threading
import weakref
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

PLUGIN_MODULE = "pulumi.dynamic.__main__"
PLUGIN_WORKERS = 256
"""Workers the plugin may run at once once widened: far above any stack's parallelism. Each is a
sleeping thread while it waits; past this many, calls queue as in the unwidened plugin."""

_attempted = False
_widened = False
_lock = threading.Lock()


def in_dynamic_provider_plugin() -> bool:
    """True when this process is the dynamic-provider plugin the Pulumi engine started."""
    spec = getattr(sys.modules.get("__main__"), "__spec__", None)
    return getattr(spec, "name", None) == PLUGIN_MODULE


def widen_plugin_pool(workers: int = PLUGIN_WORKERS) -> bool:
    """Raise the plugin's worker pool to workers, once per process; True when it is widened.

    Called from a worker thread of the plugin (configure runs there). On any surprise the plugin
    keeps its pool as it is and one warning line goes to stderr.
    """
    global _attempted, _widened
    with _lock:
        if _attempted or not in_dynamic_provider_plugin():
            return _widened
        _attempted = True
        try:
            executor = _current_executor()
            if executor is None:
                raise LookupError("the calling thread does not name its executor")
            _widen(executor, workers)
        except Exception as error:  # any surprise: the plugin keeps its own pool
            _warn(f"{type(error).__name__}: {error}")
            return False
        _widened = True
        return True


def _warn(reason: str) -> None:
    sys.stderr.write(
        "warning: omics-variant-import could not widen the plugin's worker pool "
        f"({reason}); it keeps its 4 workers, so a 5th waiting import waits for a free worker\n"
    )
    sys.stderr.flush()


def _current_executor() -> ThreadPoolExecutor | None:
    """The ThreadPoolExecutor whose worker runs this call, if that can be known."""
    args: Any = getattr(threading.current_thread(), "_args", ())
    if not args or not isinstance(args[0], weakref.ref):
        return None
    executor = args[0]()
    return executor if isinstance(executor, ThreadPoolExecutor) else None


class _Outstanding:
    """Calls submitted and not finished yet: the number of threads the pool should have."""

    def __init__(self, initial: int) -> None:
        self.count = initial
        self.lock = threading.Lock()

    def change(self, delta: int) -> None:
        with self.lock:
            self.count += delta


class _IdleWorkers:
    """Stands in for the executor's idle-worker semaphore, which over-counts idle workers.

    The executor releases it after every finished call, also when that worker goes straight on
    to a queued call, so after a burst of quick calls (Check, Diff) it claims idle workers that
    are busy waiting on imports. Here a worker counts as idle only when there are more threads
    than outstanding calls: a new call starts a thread exactly when every thread is taken, and
    threads are reused otherwise.
    """

    def __init__(self, executor: Any, outstanding: _Outstanding) -> None:
        self.executor = executor
        self.outstanding = outstanding

    def acquire(self, blocking: bool = True, timeout: float | None = None) -> bool:
        return len(self.executor._threads) >= self.outstanding.count

    def release(self, n: int = 1) -> None:
        return None


def _widen(executor: Any, workers: int) -> None:
    """Let executor run workers threads, count its outstanding calls, start queued ones.

    Every internal is read before anything changes, so a missing one changes nothing; should
    anything raise once changes began, the executor gets its own submit, semaphore and size back
    before the exception goes on.
    """
    with executor._shutdown_lock:
        queued = int(executor._work_queue.qsize())
        threads, max_workers = len(executor._threads), int(executor._max_workers)
        adjust, semaphore = executor._adjust_thread_count, executor._idle_semaphore
        if not hasattr(semaphore, "acquire"):
            raise AttributeError("_idle_semaphore has no acquire()")
        own_submit = vars(executor).get("submit")  # normally unset: the class's method
        outstanding = _Outstanding(threads + queued)
        try:
            executor.submit = _counting_submit(executor.submit, outstanding)
            executor._idle_semaphore = _IdleWorkers(executor, outstanding)
            executor._max_workers = max(max_workers, workers)
            for _ in range(queued):
                adjust()
        except BaseException:
            _restore(executor, own_submit, semaphore, max_workers)
            raise


def _restore(executor: Any, own_submit: Any, semaphore: Any, max_workers: int) -> None:
    """Give executor back the submit, idle semaphore and size it had before _widen."""
    if own_submit is None:
        vars(executor).pop("submit", None)
    else:
        executor.submit = own_submit
    executor._idle_semaphore = semaphore
    executor._max_workers = max_workers


def _counting_submit(
    submit: Callable[..., Future[Any]], outstanding: _Outstanding
) -> Callable[..., Future[Any]]:
    """submit, keeping outstanding up to date: up when a call is queued, down when it ends."""

    def counted(fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
        def run() -> Any:
            try:
                return fn(*args, **kwargs)
            finally:
                outstanding.change(-1)

        outstanding.change(+1)
        try:
            return submit(run)
        except BaseException:
            outstanding.change(-1)
            raise

    return counted
