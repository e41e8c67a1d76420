"""One program never declares a file twice for one store: the second declaration fails."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pulumi
import pytest

from omics_provider import VariantImportJob
from omics_provider.core.kinds import ANNOTATION_IMPORT
from omics_provider.resources.declarations import Declarations, OverlappingImportsError
from tests.support.jobs import ROLE_ARN


class Mocks(pulumi.runtime.Mocks):
    """Every resource is created with its inputs as outputs (no provider runs)."""

    def new_resource(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str, dict[str, Any]]:
        return f"{args.name}-id", dict(args.inputs)

    def call(self, args: pulumi.runtime.MockCallArgs) -> tuple[dict[str, Any], None]:
        return {}, None


pytestmark = pytest.mark.usefixtures("pulumi_event_loop")
SHARED_X = re.escape("VariantImportJob b imports s3://b/x.vcf")


def run(
    program: Callable[[], list[VariantImportJob]],
    preview: bool = False,
    config: dict[str, str] | None = None,
) -> None:
    """Run program under mocks (as preview or up) and wait for every job's inputs."""
    pulumi.runtime.set_mocks(Mocks(), "omics-variant-import", "test", preview)
    pulumi.runtime.set_all_config({"aws:region": "us-east-1"} if config is None else config)

    @pulumi.runtime.test  # type: ignore[untyped-decorator]
    def test() -> pulumi.Output[Any]:
        return pulumi.Output.all(*(job.job_id for job in program()))

    test()


def job(name: str, *sources: pulumi.Input[str], **options: Any) -> VariantImportJob:
    options.setdefault("destination_name", "cohort_store")
    return VariantImportJob(name, role_arn=ROLE_ARN, items=list(sources), **options)


def test_declarations_sharing_a_file_in_one_store_fail_naming_both_and_the_file() -> None:
    with pytest.raises(Exception) as raised:
        run(
            lambda: [
                job("june", "s3://b/x.vcf", "s3://b/y.vcf"),
                job("july", "s3://b/z.vcf", "s3://b/x.vcf"),
            ]
        )
    message = str(raised.value)
    assert "VariantImportJob july imports s3://b/x.vcf into store 'cohort_store'" in message
    assert "which VariantImportJob june already imports" in message


def test_identical_declarations_fail() -> None:
    with pytest.raises(Exception, match=SHARED_X):
        run(lambda: [job("a", "s3://b/x.vcf"), job("b", "s3://b/x.vcf")])


def test_a_region_left_unset_is_the_stacks_region() -> None:
    with pytest.raises(Exception, match=SHARED_X):
        run(lambda: [job("a", "s3://b/x.vcf"), job("b", "s3://b/x.vcf", region="us-east-1")])


@pytest.mark.parametrize(
    ("env", "profile_region"),
    [({"AWS_DEFAULT_REGION": "eu-west-1"}, None), ({}, "eu-west-1")],
    ids=["AWS_DEFAULT_REGION", "profile-region"],
)
def test_a_region_left_unset_without_aws_region_is_boto3s_region(
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    env: dict[str, str],
    profile_region: str | None,
) -> None:
    monkeypatch.delenv("AWS_DEFAULT_REGION")
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    if profile_region:
        (tmp_path / "config").write_text(f"[default]\nregion = {profile_region}\n")
        monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "config"))
    with pytest.raises(Exception, match=SHARED_X):
        run(
            lambda: [job("a", "s3://b/x.vcf"), job("b", "s3://b/x.vcf", region="eu-west-1")],
            preview=True,
            config={},
        )


def test_a_region_that_cannot_be_resolved_fails_preview_naming_the_keys_to_set(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("AWS_DEFAULT_REGION")
    monkeypatch.setenv("AWS_REGION", "eu-west-1")  # not read by the locked botocore
    with pytest.raises(Exception) as raised:
        run(lambda: [job("a", "s3://b/x.vcf")], preview=True, config={})
    message = str(raised.value)
    assert "VariantImportJob a: no AWS region is set" in message
    assert "aws:region" in message and "AWS_DEFAULT_REGION" in message


@pytest.mark.parametrize(
    "other",
    [
        {"destination_name": "other_store"},
        {"region": "eu-west-1"},
    ],
    ids=["other-store", "other-region"],
)
def test_the_same_file_into_another_store_is_allowed(other: dict[str, Any]) -> None:
    run(lambda: [job("a", "s3://b/x.vcf"), job("b", "s3://b/x.vcf", **other)])


def test_files_known_only_at_up_are_checked_once_they_resolve() -> None:
    def program() -> list[VariantImportJob]:
        later = pulumi.Output.from_input("s3://b/x.vcf").apply(lambda uri: uri)
        return [job("a", "s3://b/x.vcf"), job("b", later)]

    with pytest.raises(Exception, match=SHARED_X):
        run(program)


def test_each_program_run_starts_with_no_declarations() -> None:
    run(lambda: [job("a", "s3://b/x.vcf")])
    run(lambda: [job("a", "s3://b/x.vcf")])


def test_register_keys_annotation_files_by_store_version() -> None:
    declarations = Declarations()
    v1 = ANNOTATION_IMPORT.destination({"destinationName": "genes", "versionName": "v1"})
    v2 = ANNOTATION_IMPORT.destination({"destinationName": "genes", "versionName": "v2"})
    declarations.register(ANNOTATION_IMPORT, "a", v1, "us-east-1", ["s3://b/x.tsv"])
    declarations.register(ANNOTATION_IMPORT, "b", v2, "us-east-1", ["s3://b/x.tsv"])
    with pytest.raises(OverlappingImportsError) as raised:
        declarations.register(ANNOTATION_IMPORT, "c", v1, "us-east-1", ["s3://b/x.tsv"])
    assert str(raised.value).startswith(
        "AnnotationImportJob c imports s3://b/x.tsv into version 'v1' of store 'genes', which "
        "AnnotationImportJob a already imports"
    )
