"""check and diff of VariantImportJob: offline validation, the re-import guard, replacements."""

from __future__ import annotations

from typing import Any

import pytest

from omics_provider.core.properties import UNKNOWN
from omics_provider.resources.variant_import_job import check_inputs, diff_inputs
from tests.support.jobs import job_inputs


def failures_of(news: dict[str, Any], olds: dict[str, Any] | None = None) -> dict[str, str]:
    return {f.property: f.reason for f in check_inputs(olds or {}, news).failures}


def test_check_valid_inputs_pass_and_plain_uris_become_items() -> None:
    news = job_inputs(items=["s3://bucket-a/x.vcf", {"source": "s3://bucket-a/y.vcf.gz"}])
    result = check_inputs({}, news)
    assert result.failures == []
    assert result.inputs["items"] == [
        {"source": "s3://bucket-a/x.vcf"},
        {"source": "s3://bucket-a/y.vcf.gz"},
    ]


@pytest.mark.parametrize(
    ("override", "prop", "says"),
    [
        ({"destinationName": "Upper"}, "destinationName", "lowercase letter"),
        ({"destinationName": "ab"}, "destinationName", "at least 3"),
        ({"destinationName": None}, "destinationName", "is required"),
        ({"roleArn": "role/x"}, "roleArn", "arn:aws:iam::123456789012:role/"),
        ({"roleArn": 12}, "roleArn", "must be a string"),
        ({"items": []}, "items", "at least one"),
        ({"items": "s3://bucket-a/x.vcf"}, "items", "must be a list"),
        ({"items": ["https://bucket-a/x.vcf"]}, "items[0].source", "s3://bucket/key"),
        ({"items": ["s3://bucket-a/"]}, "items[0].source", "s3://bucket/key"),
        ({"items": [{"uri": "s3://bucket-a/x"}]}, "items[0]", "one key, source"),
        ({"items": ["s3://bucket-a/x", "s3://bucket-a/x"]}, "items[1].source", "listed twice"),
        ({"items": ["s3://bucket-a/a\nb"]}, "items[0].source", "control characters"),
        ({"annotationFields": {"k" * 22: "v"}}, "annotationFields." + "k" * 22, "1 to 21"),
        ({"annotationFields": {"k": ""}}, "annotationFields.k", "1 to 21"),
        ({"annotationFields": ["k"]}, "annotationFields", "must be a map"),
        ({"timeoutSeconds": 0}, "timeoutSeconds", "number of seconds from 1 to 2,592,000"),
        ({"timeoutSeconds": 0.5}, "timeoutSeconds", "number of seconds from 1 to 2,592,000"),
        ({"timeoutSeconds": float("nan")}, "timeoutSeconds", "number of seconds from 1 to"),
        ({"timeoutSeconds": 1e300}, "timeoutSeconds", "from 1 to 2,592,000"),
        ({"timeoutSeconds": -5}, "timeoutSeconds", "number of seconds from 1 to"),
        ({"timeoutSeconds": True}, "timeoutSeconds", "got True"),
        ({"waitForCompletion": "yes"}, "waitForCompletion", "true or false"),
        ({"adoptJobId": "not-a-uuid"}, "adoptJobId", "UUID"),
        ({"region": "mars-1"}, "region", "us-east-1"),
    ],
)
def test_check_bad_input_names_property_and_valid_form(
    override: dict[str, Any], prop: str, says: str
) -> None:
    failures = failures_of(job_inputs(**override))
    assert prop in failures, failures
    assert failures[prop].startswith(f"{prop}: ")
    assert says in failures[prop]


def test_check_too_many_items_names_the_quota() -> None:
    items = [f"s3://bucket-a/{i}.vcf" for i in range(1001)]
    assert "at most 1000" in failures_of(job_inputs(items=items))["items"]


def test_check_one_thousand_items_pass() -> None:
    items = [f"s3://bucket-a/{i}.vcf" for i in range(1000)]
    assert failures_of(job_inputs(items=items)) == {}


@pytest.mark.parametrize(
    "override",
    [
        {"destinationName": UNKNOWN},
        {"roleArn": UNKNOWN},
        {"items": UNKNOWN},
        {"items": [UNKNOWN, "s3://bucket-a/x.vcf"]},
        {"items": [{"source": UNKNOWN}]},
        {"annotationFields": UNKNOWN},
    ],
)
def test_check_unknown_values_pass_during_preview(override: dict[str, Any]) -> None:
    assert failures_of(job_inputs(**override)) == {}


def test_check_reimport_guard_refuses_changed_items() -> None:
    olds = job_inputs("s3://bucket-a/a.vcf")
    failures = failures_of(job_inputs("s3://bucket-a/b.vcf"), olds)
    assert "same data again" in failures["items"]
    assert "allowReimport" in failures["items"]
    assert "new VariantImportJob" in failures["items"]


@pytest.mark.parametrize(
    "override",
    [
        {"destinationName": "other_store"},
        {"roleArn": "arn:aws:iam::123456789012:role/other"},
        {"runLeftNormalization": True},
        {"annotationFields": {"k": "v"}},
        {"region": "eu-west-1"},
    ],
)
def test_check_reimport_guard_covers_every_import_defining_input(override: dict[str, Any]) -> None:
    failures = failures_of(job_inputs(**override), job_inputs())
    assert list(failures) == [next(iter(override))]


def test_check_reimport_allowed_when_allow_reimport_is_true() -> None:
    assert failures_of(job_inputs("s3://b-1/x", allowReimport=True), job_inputs()) == {}


def test_check_reimport_guard_ignores_wait_settings_and_item_order() -> None:
    olds = job_inputs("s3://bucket-a/a.vcf", "s3://bucket-a/b.vcf")
    news = job_inputs("s3://bucket-a/b.vcf", "s3://bucket-a/a.vcf", waitForCompletion=False)
    assert failures_of(news, olds) == {}


def test_diff_identical_inputs_is_no_change() -> None:
    outputs = {**job_inputs(timeoutSeconds=60.0), "jobId": "j", "status": "COMPLETED"}
    result = diff_inputs(outputs, job_inputs(timeoutSeconds=60))
    assert result.changes is False
    assert result.replaces == []


@pytest.mark.parametrize(
    ("override", "key"),
    [
        ({"destinationName": "other_store"}, "destinationName"),
        ({"roleArn": "arn:aws:iam::123456789012:role/other"}, "roleArn"),
        ({"items": [{"source": "s3://bucket-a/new.vcf"}]}, "items"),
        ({"runLeftNormalization": True}, "runLeftNormalization"),
        ({"annotationFields": {"k": "v"}}, "annotationFields"),
        ({"region": "eu-west-1"}, "region"),
        ({"items": UNKNOWN}, "items"),
    ],
)
def test_diff_import_defining_change_replaces(override: dict[str, Any], key: str) -> None:
    result = diff_inputs(job_inputs(), job_inputs(**override))
    assert result.changes is True
    assert result.replaces == [key]


@pytest.mark.parametrize("override", [{"waitForCompletion": False}, {"timeoutSeconds": 600}])
def test_diff_wait_setting_change_updates_in_place(override: dict[str, Any]) -> None:
    result = diff_inputs(job_inputs(), job_inputs(**override))
    assert result.changes is True
    assert result.replaces == []


def test_diff_items_compare_as_a_set() -> None:
    olds = job_inputs("s3://bucket-a/a.vcf", "s3://bucket-a/b.vcf")
    news = job_inputs("s3://bucket-a/b.vcf", "s3://bucket-a/a.vcf")
    assert diff_inputs(olds, news).changes is False


def test_diff_run_left_normalization_false_equals_unset() -> None:
    assert diff_inputs(job_inputs(), job_inputs(runLeftNormalization=False)).changes is False


@pytest.mark.parametrize(
    ("override", "prop"),
    [
        ({"destinationName": "x" * 3_000_000}, "destinationName"),
        ({"roleArn": "arn:aws:iam::123456789012:role/" + "r" * 3_000_000}, "roleArn"),
        ({"waitForCompletion": "y" * 3_000_000}, "waitForCompletion"),
    ],
)
def test_check_quotes_a_huge_value_shortened(override: dict[str, Any], prop: str) -> None:
    failures = failures_of(job_inputs(**override))
    assert len(failures[prop]) < 400
    assert "characters)" in failures[prop]
