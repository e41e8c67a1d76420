"""ImportSpec for each job kind: its start request, and how an existing job differs from it."""

from __future__ import annotations

from typing import Any

import pytest

from omics_provider.core.kinds import ANNOTATION_IMPORT, VARIANT_IMPORT
from omics_provider.flows.import_spec import ImportSpec

ROLE = "arn:aws:iam::123456789012:role/omics-import"
TSV = {"tsvOptions": {"readOptions": {"sep": "\t", "header": True}}}
ANNOTATION_INPUTS: dict[str, Any] = {
    "destinationName": "genes",
    "versionName": "v1",
    "roleArn": ROLE,
    "items": [{"source": "s3://bucket/a.tsv"}],
    "formatOptions": TSV,
    "runLeftNormalization": False,
}


def test_start_request_of_an_annotation_job_names_its_version_and_format_options() -> None:
    spec = ImportSpec.from_inputs(ANNOTATION_IMPORT, ANNOTATION_INPUTS)
    assert spec.start_request() == {
        "destinationName": "genes",
        "versionName": "v1",
        "roleArn": ROLE,
        "items": [{"source": "s3://bucket/a.tsv"}],
        "formatOptions": TSV,
    }


def test_start_request_of_a_variant_job_ignores_keys_of_other_kinds() -> None:
    spec = ImportSpec.from_inputs(VARIANT_IMPORT, ANNOTATION_INPUTS)
    assert spec.start_request() == {
        "destinationName": "genes",
        "roleArn": ROLE,
        "items": [{"source": "s3://bucket/a.tsv"}],
    }


@pytest.mark.parametrize(
    ("job", "difference"),
    [
        ({"versionName": "v2"}, "it imports into version 'v2', not 'v1'"),
        ({"formatOptions": {}}, "its formatOptions are {}, not"),
        ({"destinationName": "other"}, "it imports into store 'other', not 'genes'"),
    ],
)
def test_differences_of_an_annotation_job_name_its_destination_and_settings(
    job: dict[str, Any], difference: str
) -> None:
    spec = ImportSpec.from_inputs(ANNOTATION_IMPORT, ANNOTATION_INPUTS)
    assert spec.differences({**spec.start_request()}) == []
    [found] = spec.differences({**spec.start_request(), **job})
    assert found.startswith(difference)


def test_start_request_sends_the_declared_items_under_the_kinds_member() -> None:
    from tests.core.test_kinds import READ_SET_SHAPE

    pair = {"sourceFiles": {"source1": "s3://b/r1.fq", "source2": "s3://b/r2.fq"}}
    items = [
        {**pair, "sourceFileType": "FASTQ", "subjectId": "s1", "sampleId": "x1"},
        {"sourceFiles": {"source1": "s3://b/t.bam"}, "sourceFileType": "BAM", "subjectId": "s2",
         "sampleId": "x2"},
    ]  # fmt: skip
    inputs = {"sequenceStoreId": "1234567890", "roleArn": ROLE, "items": items}
    spec = ImportSpec.from_inputs(READ_SET_SHAPE, inputs)
    assert spec.sources == ("s3://b/r1.fq", "s3://b/t.bam")
    assert spec.destination_name == "1234567890"
    assert spec.start_request() == {"sequenceStoreId": "1234567890", "roleArn": ROLE,
                                    "sources": items}  # fmt: skip
    assert spec.only(("s3://b/t.bam",)).start_request()["sources"] == [items[1]]
