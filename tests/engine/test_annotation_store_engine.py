"""AnnotationStore through the real plugin: a lost create answer, then a life cycle with protect
and the guarded delete, deployed run after run by the mini-engine against the emulator."""

from __future__ import annotations

from typing import Any

import pulumi
import pytest

from omics_emulator import EmulatorHandle
from omics_provider import AnnotationStore, AnnotationStoreProvider
from omics_provider.testing.plugin import DynamicProviderPlugin
from tests.support.engine import DeploymentFailed, MiniEngine
from tests.support.jobs import FAST_POLL_CONFIG, REFERENCE_ARN, ROLE_ARN, plugin_env
from tests.support.lost_answers import answer_lost
from tests.support.waiting import wait_until

STORE = "engine_notes"
INPUTS = {
    "resourceName": "notes",
    "name": STORE,
    "storeFormat": "GFF",
    "referenceArn": REFERENCE_ARN,
}


def test_create_whose_answer_is_lost_adopts_the_store_it_created(
    omics_emulator: EmulatorHandle,
) -> None:
    with answer_lost(omics_emulator.url, b"POST /annotationStore HTTP") as (url, loser):
        env = plugin_env(omics_emulator, AWS_ENDPOINT_URL_OMICS=url)
        with DynamicProviderPlugin(env=env, config=FAST_POLL_CONFIG) as plugin:
            checked = plugin.check(AnnotationStoreProvider(), {}, INPUTS)
            id_, outputs = plugin.create(AnnotationStoreProvider(), checked.inputs)

    assert loser.lost == 1
    [store] = omics_emulator.backend.annotations.stores()
    assert id_ == outputs["storeId"] == store["id"] and outputs["status"] == "ACTIVE"
    assert omics_emulator.backend.requests_by_operation()["CreateAnnotationStore"] == 1


class Program:
    """Declares the store with the flags a test sets between runs."""

    def __init__(self) -> None:
        self.protect = False
        self.force_destroy = False

    def __call__(self) -> None:
        AnnotationStore(
            "notes",
            name=STORE,
            store_format="GFF",
            reference_arn=REFERENCE_ARN,
            force_destroy=self.force_destroy,
            opts=pulumi.ResourceOptions(protect=self.protect),
        )


def import_into(client: Any, store: str) -> None:
    """Run one annotation import into store until it completes, as someone outside Pulumi."""
    items = [{"source": "s3://bucket-a/genes.gff3"}]
    job_id = client.start_annotation_import_job(
        destinationName=store, roleArn=ROLE_ARN, items=items
    )["jobId"]
    wait_until(
        lambda: client.get_annotation_import_job(jobId=job_id)["status"] == "COMPLETED",
        f"annotation import job {job_id} to complete",
    )


def test_destroy_of_a_protected_or_filled_store_is_refused_until_forced(
    omics_emulator: EmulatorHandle, omics_client: Any
) -> None:
    program = Program()
    engine = MiniEngine(program, plugin_env(omics_emulator))
    engine.up(FAST_POLL_CONFIG)
    store_id = engine.resource("notes").id
    assert engine.up(FAST_POLL_CONFIG).changes == {}
    import_into(omics_client, STORE)

    program.protect = True
    engine.up(FAST_POLL_CONFIG)
    with pytest.raises(DeploymentFailed, match="notes cannot be deleted: it is protected"):
        engine.destroy(FAST_POLL_CONFIG)

    program.protect = False
    engine.up(FAST_POLL_CONFIG)
    with pytest.raises(DeploymentFailed, match="deletes those annotations for good"):
        engine.destroy(FAST_POLL_CONFIG)
    assert omics_client.get_annotation_store(name=STORE)["id"] == store_id

    program.force_destroy = True
    assert engine.up(FAST_POLL_CONFIG).changes == {"update": ["notes"]}
    engine.destroy(FAST_POLL_CONFIG)
    assert engine.state == []
    assert omics_client.list_annotation_stores()["annotationStores"] == []
