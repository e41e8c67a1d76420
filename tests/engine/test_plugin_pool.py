"""The plugin's worker pool: widened in configure, reusing idle workers, harmless if it can't."""

from __future__ import annotations

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
