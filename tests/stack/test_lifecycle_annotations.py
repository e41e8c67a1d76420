"""Annotation imports through several deployments of a program (the mini-engine), state carried.

The stack program (`__main__.py`) declares variant deliveries; this life cycle declares an
annotation store, a second version and annotation batches directly, and runs what a user does:
first `up`; the same `up` again; a batch renamed and merged with a new file (into the same
version: what the version holds is recorded, not imported again); the same file declared into
the other version (imported there); `destroy`. After each run: the changes, the jobs, and that
no file reached a version twice.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest

from omics_emulator import EmulatorHandle, EmulatorSettings, start_emulator
from omics_emulator.pytest_plugin import make_omics_client
from omics_provider import AnnotationImportJob, AnnotationStore, AnnotationStoreVersion
from omics_provider.core.kinds import method_name
from tests.support.engine import MiniEngine
from tests.support.job_kinds import ANNOTATION, OTHER_VERSION, VERSION
from tests.support.jobs import FAST_POLL_CONFIG, REFERENCE_ARN, ROLE_ARN, STORE, plugin_env

BUCKET = "s3://annotation-deliveries"
JOB_TYPE = "pulumi-python:dynamic/omics:AnnotationImportJob"
ROOT = "omics-variant-import-test"
"""The stack resource the engine registers first."""


@dataclass
class Declared:
    """What the program declares this run: each batch's version and files."""

    batches: dict[str, tuple[str, list[str]]] = field(default_factory=dict)

    def program(self) -> None:
        """An annotation store (its first version VERSION), OTHER_VERSION, and the batches."""
        store = AnnotationStore(
            "genes",
            name=STORE,
            store_format="VCF",
            reference_arn=REFERENCE_ARN,
            version_name=VERSION,
            force_destroy=True,
        )
        other = AnnotationStoreVersion(
            "genes-v02", store_name=store.name, version_name=OTHER_VERSION, force_destroy=True
        )
        for name, (version, files) in self.batches.items():
            AnnotationImportJob(
                name,
                destination_name=store.name,
                version_name=other.version_name if version == OTHER_VERSION else version,
                role_arn=ROLE_ARN,
                items=[f"{BUCKET}/{file}" for file in files],
                format_options=ANNOTATION.settings["formatOptions"],
            )


@pytest.fixture
def emulator() -> Iterator[EmulatorHandle]:
    settings = EmulatorSettings(store_seconds=0.05, job_seconds=0.2, cancel_seconds=0.05)
    with start_emulator(settings) as handle:
        yield handle


def imported(emulator: EmulatorHandle, version: str) -> Counter[str]:
    """How many times each file of BUCKET reached version of STORE."""
    return emulator.backend.annotations.imported_sources(STORE, version)


def test_annotation_batches_through_up_rename_other_version_and_destroy(
    emulator: EmulatorHandle,
) -> None:
    declared = Declared({"batch-1": (VERSION, ["a.vcf", "b.vcf"])})
    engine = MiniEngine(declared.program, plugin_env(emulator))
    config = dict(FAST_POLL_CONFIG)

    first = engine.up(config)
    assert first.changes == {"create": [ROOT, "genes", "genes-v02", "batch-1"]}
    first_job = engine.resource("batch-1").outputs["jobId"]
    assert imported(emulator, VERSION) == {f"{BUCKET}/a.vcf": 1, f"{BUCKET}/b.vcf": 1}

    assert engine.up(config).changes == {}

    declared.batches = {"batch-1-and-c": (VERSION, ["a.vcf", "b.vcf", "c.vcf"])}
    merged = engine.up(config)
    assert merged.changes == {"create": ["batch-1-and-c"], "delete": ["batch-1"]}
    outputs = engine.resource("batch-1-and-c").outputs
    assert outputs["importedBy"] == {first_job: "0-1", outputs["jobId"]: "2"}
    assert set(imported(emulator, VERSION).values()) == {1}
    assert len(ANNOTATION.jobs(emulator)) == 2

    declared.batches["into-v02"] = (OTHER_VERSION, ["a.vcf"])
    again = engine.up(config)
    assert again.changes == {"create": ["into-v02"]}
    v02 = engine.resource("into-v02").outputs
    assert v02["status"] == "COMPLETED" and v02["importedBy"] == {v02["jobId"]: "0"}
    assert imported(emulator, OTHER_VERSION) == {f"{BUCKET}/a.vcf": 1}
    assert set(imported(emulator, VERSION).values()) == {1}

    done = engine.destroy(config)
    assert set(done.names("delete")) == {ROOT, "genes", "genes-v02", "batch-1-and-c", "into-v02"}
    assert engine.state == []
    client = make_omics_client(emulator.url)
    listed = getattr(client, method_name("ListAnnotationStores"))()["annotationStores"]
    assert [s["status"] for s in listed] in ([], ["DELETING"])
    assert engine.resources_of_type(JOB_TYPE) == []
