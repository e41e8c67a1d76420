"""The stack program moved from a variant store to a table (destination: table): the existing
batches are imported into the table once, the store is left as it is, and the table key is
checked before anything runs."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from omics_emulator import EmulatorSettings, start_emulator
from omics_provider.aws.iceberg_catalog import open_catalog
from omics_stack import StackConfigError, parse_stack_config
from tests.support.aws_resources import AwsClients
from tests.support.engine import MiniEngine, main_program
from tests.support.jobs import FAST_POLL_CONFIG, REFERENCE_ARN, plugin_env
from tests.support.tables import TABLE, VcfBucket, appends_by_source, rows_by_source
from tests.support.vcf_files import cohort

MAIN = Path(__file__).resolve().parents[2] / "__main__.py"
NAMESPACE = "omics-variant-import"
STORE = "migrating_store"


@pytest.mark.timeout(300)  # several plugin processes, each importing PyIceberg and pyarrow
def test_migrating_a_stack_to_a_table_imports_each_batch_once_and_keeps_the_store(
    moto_url: str, vcf_bucket: VcfBucket, catalog: dict[str, str]
) -> None:
    batches = {
        name: [vcf_bucket.put(f"{name}/{i}.vcf", cohort(2, 10, seed=n * 2 + i)) for i in range(2)]
        for n, name in enumerate(["batch-1", "batch-2"])
    }
    imports = [{"name": name, "sources": files} for name, files in batches.items()]
    settings = EmulatorSettings(store_seconds=0.05, job_seconds=0.2, s3_endpoint=moto_url)
    with start_emulator(settings) as emulator:
        env = {**plugin_env(emulator), "AWS_ENDPOINT_URL_S3": moto_url}
        engine = MiniEngine(main_program(MAIN), env, AwsClients.on(moto_url))
        store_config = {
            **FAST_POLL_CONFIG,
            f"{NAMESPACE}:storeName": STORE,
            f"{NAMESPACE}:referenceArn": REFERENCE_ARN,
            f"{NAMESPACE}:omicsEndpoint": emulator.url,
            f"{NAMESPACE}:rolePropagationSeconds": 0,
            f"{NAMESPACE}:imports": imports,
        }
        engine.up(store_config)
        store_id = engine.resource("variant-store").id
        emulator.backend.reset_counters()

        table_config = {
            **store_config,
            f"{NAMESPACE}:destination": "table",
            f"{NAMESPACE}:table": {"name": TABLE, "catalog": catalog, "workers": 1},
        }
        moved = engine.up(table_config)
        assert set(moved.names("create")) == {"variant-table", "batch-1", "batch-2"}
        # the import jobs (finished: their data stays in the store) and the role leave the state
        assert {"batch-1", "batch-2", "import-role"} <= set(moved.names("delete"))
        assert "variant-store" not in moved.names("delete")
        assert engine.resource("variant-store").id == store_id
        writes = {
            op
            for op in emulator.backend.requests_by_operation()
            if not op.startswith(("Get", "List"))
        }
        assert writes == set()  # the store and its data left alone
        assert moved.exports["tableImports"] == {
            "batch-1": {"COMMITTED": 2},
            "batch-2": {"COMMITTED": 2},
        }
        table = open_catalog(catalog).load_table(TABLE)
        every = [s for files in batches.values() for s in files]
        assert appends_by_source(table) == dict.fromkeys(every, 1)
        assert rows_by_source(table) == dict.fromkeys(every, 20)

        again = engine.up(table_config)
        assert again.changes == {}


@pytest.mark.parametrize(
    ("values", "key"),
    [
        ({"destination": "lake"}, "destination"),
        ({"destination": "table"}, "table"),
        ({"destination": "table", "table": {"name": "Bad.Name"}}, "table.name"),
        ({"destination": "table", "table": {"name": "g.v", "catalogue": {}}}, "table.catalogue"),
        ({"destination": "table", "table": {"name": "g.v", "catalog": "x"}}, "table.catalog"),
    ],
    ids=["destination", "table-missing", "table-name", "table-key", "table-catalog"],
)
def test_parse_stack_config_names_a_bad_table_setting(values: dict[str, Any], key: str) -> None:
    with pytest.raises(StackConfigError) as refused:
        parse_stack_config(values)
    assert f"{NAMESPACE}:{key}:" in str(refused.value)


def test_parse_stack_config_with_a_table_needs_no_store() -> None:
    config = parse_stack_config({"destination": "table", "table": {"name": "genomics.variants"}})
    assert (config.destination, config.store_name) == ("table", "")
    assert config.table == {"name": "genomics.variants"}
