"""The stack program's annotation store, versions, role and jobs, under OmicsMocks."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from omics_provider.errors import StackConfigError
from omics_provider.testing import run_program
from omics_provider.testing.mocks import (
    ANNOTATION_JOB_TYPE,
    ANNOTATION_STORE_TYPE,
    ROLE_POLICY_TYPE,
    ROLE_TYPE,
    VERSION_TYPE,
)

ROOT = Path(__file__).resolve().parents[2]
REFERENCE = "arn:aws:omics:us-east-1:123456789012:referenceStore/1234567890/reference/1234567890"
NAMESPACE = "omics-variant-import"
EXISTING_ROLE = "arn:aws:iam::123456789012:role/annotation-importer"
JUNE = "s3://annotation-drops/clinvar/2024-06/clinvar.tsv"
JULY = "s3://annotation-drops/clinvar/2024-07/clinvar.tsv.gz"
STORE: dict[str, Any] = {
    "name": "clinvar",
    "storeFormat": "TSV",
    "referenceArn": REFERENCE,
    "versionName": "v2024_06",
    "versions": ["v2024_07"],
    "storeOptions": {
        "tsvStoreOptions": {
            "annotationType": "CHR_START_END_ONE_BASE",
            "formatToHeader": {"CHR": "chrom", "START": "start", "END": "end"},
        }
    },
}
BATCHES: list[dict[str, Any]] = [
    {"name": "clinvar-2024-06", "sources": [JUNE]},
    {
        "name": "clinvar-2024-07",
        "sources": [JULY],
        "version": "v2024_07",
        "formatOptions": {"tsvOptions": {"readOptions": {"sep": "\t", "header": True}}},
    },
]


def stack_config(**values: Any) -> dict[str, Any]:
    """Engine configuration of a variant stack with one batch, plus values."""
    found = {
        "storeName": "cohort_variants",
        "referenceArn": REFERENCE,
        "imports": [{"name": "variants-2024-06", "sources": ["s3://cohort-b/a.vcf"]}],
        **values,
    }
    return {f"{NAMESPACE}:{key}": value for key, value in found.items()}


def run(tmp_path: Path, config: dict[str, Any]) -> Any:
    (tmp_path / "__main__.py").write_text(
        "from omics_stack import declare_stack\n\ndeclare_stack()\n"
    )
    return run_program(tmp_path / "__main__.py", config)


def test_declare_stack_declares_the_annotation_store_its_versions_and_jobs(tmp_path: Path) -> None:
    program = run(tmp_path, stack_config(annotationStore=STORE, annotationImports=BATCHES))

    [store] = program.of_type(ANNOTATION_STORE_TYPE)
    assert {k: store.inputs[k] for k in ("name", "storeFormat", "referenceArn", "versionName")} == {
        "name": "clinvar",
        "storeFormat": "TSV",
        "referenceArn": REFERENCE,
        "versionName": "v2024_06",
    }
    assert store.inputs["storeOptions"] == STORE["storeOptions"]
    [version] = program.of_type(VERSION_TYPE)
    assert (version.inputs["storeName"], version.inputs["versionName"]) == ("clinvar", "v2024_07")
    jobs = {job.name: job.inputs for job in program.of_type(ANNOTATION_JOB_TYPE)}
    assert {name: (job["destinationName"], job["versionName"]) for name, job in jobs.items()} == {
        "clinvar-2024-06": ("clinvar", "v2024_06"),
        "clinvar-2024-07": ("clinvar", "v2024_07"),
    }
    assert jobs["clinvar-2024-06"]["items"] == [JUNE]
    assert jobs["clinvar-2024-07"]["formatOptions"] == BATCHES[1]["formatOptions"]
    assert jobs["clinvar-2024-06"].get("formatOptions") is None


def test_declare_stack_grants_the_annotation_files_to_a_role_of_their_own(tmp_path: Path) -> None:
    program = run(tmp_path, stack_config(annotationStore=STORE, annotationImports=BATCHES))

    roles = {role.name: role.outputs["arn"] for role in program.of_type(ROLE_TYPE)}
    policies = {p.name: json.loads(p.inputs["policy"]) for p in program.of_type(ROLE_POLICY_TYPE)}
    [annotation_policy] = [doc for name, doc in policies.items() if "annotation" in name]
    granted = json.dumps(annotation_policy)
    assert "annotation-drops/clinvar/2024-06/clinvar.tsv" in granted
    assert "annotation-drops/clinvar/2024-07/clinvar.tsv.gz" in granted
    assert "cohort-b/a.vcf" not in granted  # the variant role's file, not this one's
    jobs = program.of_type(ANNOTATION_JOB_TYPE)
    annotation_role = next(arn for name, arn in roles.items() if "annotation" in name)
    assert {job.inputs["roleArn"] for job in jobs} == {annotation_role}
    assert program.exports["annotationRoleArn"] == annotation_role


def test_declare_stack_exports_the_annotation_outputs(tmp_path: Path) -> None:
    program = run(tmp_path, stack_config(annotationStore=STORE, annotationImports=BATCHES))

    assert program.exports["annotationStoreName"] == "clinvar"
    assert program.exports["annotationStoreArn"] == (
        "arn:aws:omics:us-east-1:123456789012:annotationStore/clinvar"
    )
    assert set(program.exports["annotationJobIds"]) == {"clinvar-2024-06", "clinvar-2024-07"}
    assert set(program.exports["annotationJobStatuses"].values()) == {"COMPLETED"}
    assert program.exports["storeName"] == "cohort_variants"  # the variant outputs stay


def test_declare_stack_uses_the_existing_role_for_annotation_jobs(tmp_path: Path) -> None:
    config = stack_config(
        annotationStore=STORE, annotationImports=BATCHES, existingRoleArn=EXISTING_ROLE
    )

    program = run(tmp_path, config)

    assert program.of_type(ROLE_TYPE) == []
    assert {job.inputs["roleArn"] for job in program.of_type(ANNOTATION_JOB_TYPE)} == {
        EXISTING_ROLE
    }


def test_declare_stack_without_annotation_batches_declares_store_and_no_role(
    tmp_path: Path,
) -> None:
    program = run(tmp_path, stack_config(annotationStore=STORE))

    assert len(program.of_type(ANNOTATION_STORE_TYPE)) == 1
    assert not [role for role in program.of_type(ROLE_TYPE) if "annotation" in role.name]
    assert program.exports["annotationRoleArn"] is None
    assert program.exports["annotationJobIds"] == {}


def test_declare_stack_without_annotation_keys_declares_no_annotation_resource(
    tmp_path: Path,
) -> None:
    program = run(tmp_path, stack_config())

    kinds = {ANNOTATION_STORE_TYPE, VERSION_TYPE, ANNOTATION_JOB_TYPE}
    assert [r.name for r in program.resources.values() if r.typ in kinds] == []
    assert not any(name.startswith("annotation") for name in program.exports)


def test_declare_stack_beside_a_table_destination_declares_the_annotation_store(
    tmp_path: Path,
) -> None:
    config = stack_config(
        destination="table",
        table={"name": "genomics.variants", "catalog": {"uri": f"sqlite:///{tmp_path}/c.db"}},
        annotationStore=STORE,
        annotationImports=BATCHES[:1],
    )

    program = run(tmp_path, config)

    assert [job.name for job in program.of_type(ANNOTATION_JOB_TYPE)] == ["clinvar-2024-06"]
    assert program.exports["annotationJobIds"].keys() == {"clinvar-2024-06"}


def test_declare_stack_fails_on_a_bad_annotation_key_before_any_resource(tmp_path: Path) -> None:
    config = stack_config(
        annotationStore={**STORE, "storeFormat": "BED"}, annotationImports=BATCHES
    )

    with pytest.raises(StackConfigError, match=r"annotationStore\.storeFormat: must be one of"):
        run(tmp_path, config)


def test_declare_stack_runs_the_dev_example_with_its_annotation_store(tmp_path: Path) -> None:
    config = yaml.safe_load((ROOT / "stacks" / "Pulumi.dev.yaml").read_text())["config"]

    program = run(tmp_path, config)

    [version] = program.of_type(VERSION_TYPE)
    assert version.inputs["versionName"] == "r2024_07"
    jobs = {job.name: job.inputs["versionName"] for job in program.of_type(ANNOTATION_JOB_TYPE)}
    assert jobs == {"clinvar-2024-06": "r2024_06", "clinvar-2024-07": "r2024_07"}
    assert program.of_type(ANNOTATION_JOB_TYPE)[0].outputs["formatOptions"] == {
        "tsvOptions": {"readOptions": {"sep": "\t", "header": True}}
    }
