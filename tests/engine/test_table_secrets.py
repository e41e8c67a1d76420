"""The table resources' catalog (credentials, tokens, any secret property) never in state in
clear nor in a message: registered as a secret with `catalog` a secret output, absent from every
other output and from the plugin's messages, through the real plugin."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from pulumi.runtime.mocks import MockMonitor

from omics_provider import VariantTableImportProvider, VariantTableProvider
from omics_provider.testing import run_program
from omics_provider.testing.plugin import DynamicProviderPlugin
from tests.support.tables import TABLE, VcfBucket
from tests.support.vcf_files import cohort

SECRET = "canary-SECRET-catalog-7c41"
SECRET_SIG = "4dabf18193072939515e22adb298388d"
"""The key Pulumi's wire format marks a secret value with."""
SECRET_PROPERTIES = {
    "credential": f"client:{SECRET}",
    "token": SECRET,
    "s3.secret-access-key": SECRET,
    "s3.session-token": SECRET,
}
PROGRAM = """
import pulumi
from omics_provider import VariantTable, VariantTableImport

catalog = pulumi.Config().require_object("catalog")
table = VariantTable("variants", table="genomics.variants", catalog=catalog)
VariantTableImport(
    "batch-1", table=table.table, sources=["s3://cohort-b/a.vcf"], catalog=catalog, workers=1
)
"""


@pytest.fixture
def registrations(monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, list[str]]]:
    """Each resource's additionalSecretOutputs, as the SDK sends them to the engine."""
    seen: dict[str, list[str]] = {}
    register = MockMonitor.RegisterResource

    def recording(self: MockMonitor, request: Any) -> Any:
        seen[request.name] = list(request.additionalSecretOutputs)
        return register(self, request)  # type: ignore[no-untyped-call]

    monkeypatch.setattr(MockMonitor, "RegisterResource", recording)
    yield seen


def _without_secrets(value: Any) -> Any:
    """value with every secret-marked part left out: what would be in state in clear."""
    if isinstance(value, dict):
        if value.get(SECRET_SIG):
            return "<secret>"
        return {k: _without_secrets(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_without_secrets(v) for v in value]
    return value


def test_table_resources_register_the_catalog_as_a_secret_and_a_secret_output(
    tmp_path: Path, catalog: dict[str, str], registrations: dict[str, list[str]]
) -> None:
    (tmp_path / "__main__.py").write_text(PROGRAM)
    secret_catalog = {**catalog, **SECRET_PROPERTIES}

    run = run_program(tmp_path / "__main__.py", {"project:catalog": secret_catalog})

    for name in ("variants", "batch-1"):
        assert registrations[name] == ["catalog"]
        inputs = run.resources[name].inputs
        assert inputs["catalog"][SECRET_SIG] and inputs["catalog"]["value"] == secret_catalog
        assert SECRET not in json.dumps(_without_secrets(inputs), default=str)  # __provider too


def test_catalog_secrets_reach_no_output_but_catalog_nor_any_message(
    moto_url: str, vcf_bucket: VcfBucket, catalog: dict[str, str]
) -> None:
    secret_catalog = {**catalog, **SECRET_PROPERTIES}
    sources = [
        vcf_bucket.put("a.vcf", cohort(2, 10, seed=3)),
        vcf_bucket.put("broken.vcf", b"##fileformat=VCFv4.2\nnot a record\n"),
        "s3://no-such-bucket-7c41/missing.vcf",
    ]
    env = {"AWS_ENDPOINT_URL_S3": moto_url, "AWS_DEFAULT_REGION": "us-east-1"}
    env |= {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing"}
    table_inputs = {"resourceName": "variants", "catalog": secret_catalog, "table": TABLE}
    import_inputs = {**table_inputs, "resourceName": "batch-1", "sources": sources, "workers": 1}
    with DynamicProviderPlugin(env=env) as plugin:
        _, table_out = plugin.create(VariantTableProvider(), table_inputs)
        import_id, out = plugin.create(VariantTableImportProvider(), import_inputs)
        _, read_out, read_in = plugin.read(VariantTableImportProvider(), import_id, out)
        assert plugin.printed("3/3 files done")
        messages = plugin.stderr_text()

    assert out["itemCounts"] == {"COMMITTED": 1, "FAILED": 2}
    for outputs in (table_out, out, read_out, read_in):
        assert outputs["catalog"] == secret_catalog  # the one output registered secret
        assert SECRET not in json.dumps({k: v for k, v in outputs.items() if k != "catalog"})
    assert SECRET not in messages
