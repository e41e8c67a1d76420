"""Listing the namespace's keys from the engine's configuration; degrading when the SDK differs."""

from __future__ import annotations

import json
from types import SimpleNamespace

import pulumi
import pulumi.runtime.config as runtime_config
import pytest

from omics_stack import engine_config

ENGINE = {
    "aws:region": "us-east-1",
    "omics-variant-import:storeName": "cohort",
    "omics-variant-import:waitForCompletio": "false",
}


@pytest.fixture
def engine_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """PULUMI_CONFIG as the engine sets it, not yet loaded into the runtime's map."""
    monkeypatch.setenv("PULUMI_CONFIG", json.dumps(ENGINE))
    pulumi.runtime.set_all_config({})


def test_namespace_keys_lists_keys_loaded_by_the_executor(engine_env: None) -> None:
    pulumi.runtime.set_all_config(pulumi.runtime.get_config_env())

    assert engine_config.namespace_keys("omics-variant-import") == ["storeName", "waitForCompletio"]


def test_namespace_keys_without_the_sdk_config_map_reads_pulumi_config(
    engine_env: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    without_map = SimpleNamespace(get_config_env=runtime_config.get_config_env)
    monkeypatch.setattr(engine_config, "runtime_config", without_map)

    assert engine_config.namespace_keys("omics-variant-import") == ["storeName", "waitForCompletio"]


def test_read_config_without_any_key_source_warns_once_and_reads_known_keys(
    engine_env: None, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(engine_config, "runtime_config", SimpleNamespace())
    monkeypatch.setattr(engine_config, "_warned", False)

    first = engine_config.read_config(pulumi.Config("omics-variant-import"))
    engine_config.read_config(pulumi.Config("omics-variant-import"))

    assert first == {"storeName": "cohort"}  # waitForCompletio goes unseen: hence the warning
    assert capsys.readouterr().err.count("misspelt omics-variant-import keys") == 1
