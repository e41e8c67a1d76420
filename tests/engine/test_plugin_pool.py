"""The plugin's worker pool: widened in configure, reusing idle workers, harmless if it can't."""

from __future__ import annotations

import queue
import textwrap
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from omics_emulator import EmulatorHandle, EmulatorSettings
from omics_provider import VariantImportJobProvider
from omics_provider.resources import plugin_pool
from omics_provider.testing.plugin import DynamicProviderPlugin
from tests.support.jobs import FAST_POLL_CONFIG, job_inputs, jobs_into, plugin_env

PROVIDER = VariantImportJobProvider()
WARNING = "warning: omics-variant-import could not widen the plugin's worker pool"

# Simulates a CPython whose pool workers no longer reach their executor through the thread's
# arguments: the pool works as before, but the plugin cannot find the executor to widen.
HIDE_THE_EXECUTOR = textwrap.dedent(
    """
    import concurrent.futures.thread as pool_thread
    import threading

    _init = threading.Thread.__init__

    def _init_hiding_worker_args(self, *args, **kwargs):
        target, worker_args = kwargs.get("target"), kwargs.get("args", ())
        if target is pool_thread._worker:
            kwargs["target"], kwargs["args"] = (lambda: pool_thread._worker(*worker_args)), ()
        _init(self, *args, **kwargs)

    threading.Thread.__init__ = _init_hiding_worker_args
    """
)


def plugin_threads(plugin: DynamicProviderPlugin) -> int:
    """How many threads the plugin process runs now."""
    assert plugin.process is not None
    status = Path(f"/proc/{plugin.process.pid}/status").read_text()
    return int(next(line.split()[1] for line in status.splitlines() if line.startswith("Threads:")))


def test_plugin_reuses_idle_workers_across_many_sequential_calls(
    plugin: DynamicProviderPlugin, omics_emulator: EmulatorHandle, store: dict[str, Any]
) -> None:
    before = plugin_threads(plugin)
    for n in range(300):
        plugin.check(PROVIDER, {}, job_inputs(f"s3://samples-bucket/{n}.vcf"))
    plugin.create(PROVIDER, job_inputs())
    assert plugin_threads(plugin) <= before + 4


@pytest.mark.parametrize(
    "omics_emulator_settings", [EmulatorSettings(job_seconds=1.0, max_concurrent_jobs=8)]
)
def test_plugin_that_cannot_be_widened_keeps_its_four_workers_and_warns_once(
    omics_emulator: EmulatorHandle, store: dict[str, Any], tmp_path: Path
) -> None:
    (tmp_path / "sitecustomize.py").write_text(HIDE_THE_EXECUTOR)
    env = plugin_env(omics_emulator, PYTHONPATH=str(tmp_path))
    many = [job_inputs(f"s3://samples-bucket/{n}.vcf", resourceName=f"b{n}") for n in range(6)]
    with DynamicProviderPlugin(env=env, config=FAST_POLL_CONFIG) as plugin:
        with ThreadPoolExecutor(len(many)) as callers:
            results = list(callers.map(lambda inputs: plugin.create(PROVIDER, inputs), many))
        stderr = plugin.stderr_text()
    assert {outputs["status"] for _, outputs in results} == {"COMPLETED"}
    assert stderr.count(WARNING) == 1
    starts = sorted(job["creationTime"] for job in jobs_into(omics_emulator))
    assert (starts[4] - starts[0]).total_seconds() >= 0.9  # the 5th waited for a free worker


def test_widen_outside_a_pool_worker_warns_once_and_changes_nothing(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(plugin_pool, "_attempted", False)
    monkeypatch.setattr(plugin_pool, "in_dynamic_provider_plugin", lambda: True)
    assert plugin_pool.widen_plugin_pool() is False  # the test's thread is no pool worker
    assert capsys.readouterr().err.count(WARNING) == 1
    assert plugin_pool.widen_plugin_pool() is False  # tried once per process, warned once
    assert capsys.readouterr().err == ""


@pytest.mark.parametrize("missing", ["_max_workers", "_threads", "_idle_semaphore"])
def test_widen_reads_every_internal_before_changing_anything(missing: str) -> None:
    executor = ThreadPoolExecutor(max_workers=2)
    internals = {
        name: getattr(executor, name)
        for name in ("_shutdown_lock", "_work_queue", "_threads", "_max_workers",
                     "_idle_semaphore", "_adjust_thread_count", "submit")
        if name != missing
    }  # fmt: skip
    renamed = SimpleNamespace(**internals)
    with pytest.raises(AttributeError):
        plugin_pool._widen(renamed, 256)
    assert vars(renamed) == internals
    executor.shutdown()


def test_widened_pool_starts_a_thread_only_when_every_thread_is_taken(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(plugin_pool, "_attempted", False)
    monkeypatch.setattr(plugin_pool, "in_dynamic_provider_plugin", lambda: True)
    executor = ThreadPoolExecutor(max_workers=4)
    assert executor.submit(plugin_pool.widen_plugin_pool).result(5) is True
    for _ in range(50):
        executor.submit(lambda: None).result(5)
    assert len(executor._threads) <= 2
    release = threading.Event()
    holding = [executor.submit(release.wait, 10) for _ in range(12)]
    assert executor.submit(lambda: "served").result(5) == "served"  # 13 calls, 13+ threads
    assert len(executor._threads) >= 13
    release.set()
    for future in holding:
        future.result(5)
    executor.shutdown()


class _OddQueue(queue.SimpleQueue[Any]):
    """A work queue that serves the executor but answers qsize() oddly (raises or no int)."""

    answer: Any = None

    def qsize(self) -> int:
        if isinstance(self.answer, BaseException):
            raise self.answer
        return self.answer  # type: ignore[no-any-return]


def _odd_queue(answer: Any) -> _OddQueue:
    work_queue = _OddQueue()
    work_queue.answer = answer
    return work_queue


class _FailingAdjust:
    """An _adjust_thread_count that fails once widening has raised the executor's size."""

    def __init__(self, executor: ThreadPoolExecutor) -> None:
        self.executor = executor
        self.own = executor._adjust_thread_count

    def __call__(self) -> None:
        if self.executor._max_workers > 1:
            raise RuntimeError("cannot start a thread now")
        self.own()


def _pool_with(**internals: Any) -> ThreadPoolExecutor:
    executor = ThreadPoolExecutor(max_workers=4)
    for name, value in internals.items():
        setattr(executor, name, value)
    return executor


@pytest.mark.parametrize(
    ("answer", "error"),
    [
        (NotImplementedError("qsize"), "NotImplementedError: qsize"),
        (OSError("sem_getvalue"), "OSError: sem_getvalue"),
        (None, "TypeError"),
        ("many", "ValueError"),
    ],
    ids=["not-implemented", "os-error", "none", "text"],
)
def test_widen_with_other_internals_keeps_the_executor_serving_and_warns_once(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    answer: Any,
    error: str,
) -> None:
    monkeypatch.setattr(plugin_pool, "_attempted", False)
    monkeypatch.setattr(plugin_pool, "in_dynamic_provider_plugin", lambda: True)
    executor = _pool_with(_work_queue=_odd_queue(answer))
    semaphore = executor._idle_semaphore
    assert executor.submit(plugin_pool.widen_plugin_pool).result(5) is False
    assert executor.submit(lambda: "served").result(5) == "served"
    assert executor._idle_semaphore is semaphore and "submit" not in vars(executor)
    err = capsys.readouterr().err
    assert err.count(WARNING) == 1 and error in err
    executor.shutdown()


def test_widen_that_fails_half_way_gives_the_executor_its_own_pool_back(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(plugin_pool, "_attempted", False)
    monkeypatch.setattr(plugin_pool, "in_dynamic_provider_plugin", lambda: True)
    executor = ThreadPoolExecutor(max_workers=1)
    gate, release = threading.Event(), threading.Event()
    executor.submit(gate.wait, 10)  # holds the one worker while the next two calls queue
    widened = executor.submit(plugin_pool.widen_plugin_pool)
    executor.submit(release.wait, 10)  # still queued when widening runs: adjust() is called
    executor._adjust_thread_count = _FailingAdjust(executor)  # type: ignore[method-assign]
    gate.set()
    assert widened.result(5) is False
    assert executor._max_workers == 1 and "submit" not in vars(executor)
    assert "RuntimeError: cannot start a thread now" in capsys.readouterr().err
    release.set()
    assert executor.submit(lambda: "served").result(5) == "served"
    executor.shutdown()
