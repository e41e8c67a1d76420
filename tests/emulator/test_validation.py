"""Server-side validation driven by botocore's model: bad input gets AWS's error and status."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.emulator.conftest import REFERENCE, ROLE, JobOps, error_of

GOOD_ITEMS = [{"source": "s3://bucket/a.vcf"}]


@pytest.mark.parametrize(
    ("kwargs", "needle"),
    [
        ({"destinationName": "Bad-Name"}, "regular expression pattern"),
        ({"destinationName": "ab"}, "length greater than or equal to 3"),
        ({"destinationName": "a" * 256}, "length less than or equal to 255"),
        ({"roleArn": "not-an-arn-but-long-enough"}, "regular expression pattern"),
        ({"roleArn": "arn:aws:iam::12345:role/too-short-account"}, "regular expression pattern"),
        ({"roleArn": "short"}, "length greater than or equal to 20"),
        ({"items": []}, "length greater than or equal to 1"),
        ({"items": [{"source": "https://bucket/a.vcf"}]}, "regular expression pattern"),
        ({"items": [{"source": "s3://bucket"}]}, "regular expression pattern"),
        ({"items": [{"source": "s3://B/a.vcf"}]}, "regular expression pattern"),
        ({"items": [{}]}, "must not be null"),
        ({"annotationFields": {"k": "v" * 22}}, "length less than or equal to 21"),
        ({"destinationName": None}, "must not be null"),
        ({"roleArn": None}, "must not be null"),
    ],
)
def test_start_import_job_invalid_input_validation(
    raw_client: Any, job_ops: JobOps, kwargs: dict[str, Any], needle: str
) -> None:
    store = job_ops.store()
    request = {"destinationName": store, "roleArn": ROLE, "items": GOOD_ITEMS, **kwargs}
    request = {k: v for k, v in request.items() if v is not None}
    with pytest.raises(ClientError) as exc:
        getattr(raw_client, f"start_{job_ops.kind}_import_job")(**request)
    assert error_of(exc) == ("ValidationException", 400)
    assert needle in exc.value.response["Error"]["Message"]


@pytest.mark.parametrize(
    ("kwargs", "needle"),
    [
        ({"versionName": "Bad-Version"}, "regular expression pattern"),
        ({"versionName": "v" * 256}, "length less than or equal to 255"),
        (
            {"formatOptions": {"vcfOptions": {}, "tsvOptions": {}}},
            "exactly one member",
        ),
    ],
)
def test_start_annotation_import_job_invalid_input_validation(
    raw_client: Any, make_annotation_store: Callable[..., str], kwargs: dict[str, Any], needle: str
) -> None:
    store = make_annotation_store()
    request = {"destinationName": store, "roleArn": ROLE, "items": GOOD_ITEMS, **kwargs}
    with pytest.raises(ClientError) as exc:
        raw_client.start_annotation_import_job(**request)
    assert error_of(exc) == ("ValidationException", 400)
    assert needle in exc.value.response["Error"]["Message"]


@pytest.mark.parametrize(
    ("kwargs", "needle"),
    [
        ({"name": "Upper"}, "regular expression pattern"),
        ({"name": "x"}, "length greater than or equal to 3"),
        ({"reference": None}, "must not be null"),
        ({"reference": {}}, "exactly one member"),
        ({"reference": {"referenceArn": "nope"}}, "regular expression pattern"),
        ({"description": "d" * 501}, "length less than or equal to 500"),
        ({"sseConfig": {"type": "AES"}}, "enum value set: [KMS]"),
        ({"tags": {"": "v"}}, "length greater than or equal to 1"),
    ],
)
def test_create_variant_store_invalid_input_validation(
    raw_client: Any, kwargs: dict[str, Any], needle: str
) -> None:
    request = {"name": "cohort", "reference": REFERENCE, **kwargs}
    request = {k: v for k, v in request.items() if v is not None}
    with pytest.raises(ClientError) as exc:
        raw_client.create_variant_store(**request)
    assert error_of(exc) == ("ValidationException", 400)
    assert needle in exc.value.response["Error"]["Message"]


@pytest.mark.parametrize("job_id", ["not-a-uuid", "0000", "ABCDEF00-0000-4000-8000-000000000000"])
@pytest.mark.parametrize("operation", ["get_variant_import_job", "cancel_variant_import_job"])
def test_get_variant_import_job_bad_id_pattern_validation(
    raw_client: Any, operation: str, job_id: str
) -> None:
    with pytest.raises(ClientError) as exc:
        getattr(raw_client, operation)(jobId=job_id)
    assert error_of(exc) == ("ValidationException", 400)


@pytest.mark.parametrize(
    ("operation", "kwargs"),
    [
        ("list_variant_stores", {"maxResults": 0}),
        ("list_variant_stores", {"maxResults": 101}),
        ("list_variant_stores", {"ids": []}),
        ("list_variant_stores", {"ids": ["x"] * 21}),
        ("list_variant_stores", {"filter": {"status": "SLEEPING"}}),
        ("list_variant_import_jobs", {"filter": {"status": "DONE"}}),
        ("list_variant_import_jobs", {"maxResults": 1000}),
        ("list_variant_import_jobs", {"ids": [""]}),
        ("list_annotation_import_jobs", {"maxResults": 0}),
        ("list_annotation_import_jobs", {"maxResults": 101}),
        ("list_annotation_import_jobs", {"ids": []}),
        ("list_annotation_import_jobs", {"ids": ["x"] * 21}),
        ("list_annotation_import_jobs", {"filter": {"status": "DONE"}}),
    ],
)
def test_list_operations_invalid_input_validation(
    raw_client: Any, operation: str, kwargs: dict[str, Any]
) -> None:
    with pytest.raises(ClientError) as exc:
        getattr(raw_client, operation)(**kwargs)
    assert error_of(exc) == ("ValidationException", 400)


def test_update_variant_store_description_too_long_validation(
    raw_client: Any, make_store: Callable[..., str]
) -> None:
    make_store()
    with pytest.raises(ClientError) as exc:
        raw_client.update_variant_store(name="cohort", description="d" * 501)
    assert error_of(exc) == ("ValidationException", 400)


@pytest.mark.parametrize(
    ("operation", "kwargs"),
    [
        ("create_sequence_store", {"name": "reads"}),
        ("list_sequence_stores", {}),
        ("list_reference_stores", {}),
    ],
)
def test_unemulated_operation_not_implemented(
    omics_client: Any, operation: str, kwargs: dict[str, Any]
) -> None:
    with pytest.raises(ClientError) as exc:
        getattr(omics_client, operation)(**kwargs)
    assert error_of(exc) == ("UnknownOperationException", 501)
    assert "does not emulate" in exc.value.response["Error"]["Message"]
