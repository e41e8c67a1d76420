"""docs/troubleshooting.md: each catalogued message is produced by the code, exactly as printed.

A message in the page may hold `…` where the text depends on the case (a name, a number); the
rest must match what the code prints, character for character.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pulumi
import pytest

from omics_provider.errors import ImportRoleError, OmicsCheckFailed, StackConfigError
from omics_provider.resources.variant_import_job import check_inputs
from omics_provider.testing import run_program
from omics_stack.annotation_files import annotation_rule
from omics_stack.config import AnnotationBatch, AnnotationStoreConfig, parse_stack_config
from omics_stack.verification import check_source

ROOT = Path(__file__).resolve().parents[2]
PAGE = ROOT / "docs" / "troubleshooting.md"
REFERENCE = "arn:aws:omics:us-east-1:123456789012:referenceStore/1234567890/reference/1234567890"
ROLE = "arn:aws:iam::123456789012:role/omics-import"
BASE = {"storeName": "cohort_variants", "referenceArn": REFERENCE}


def config_error(**values: Any) -> str:
    with pytest.raises(StackConfigError) as raised:
        parse_stack_config({**BASE, **values})
    return str(raised.value)


def program_error(source: str, error: type[Exception]) -> Callable[[Path], str]:
    """Runs source as a program in a folder under the mocks; the message of its error."""

    def run(folder: Path) -> str:
        (folder / "__main__.py").write_text(source)
        with pytest.raises(error) as raised:
            run_program(folder / "__main__.py", {"aws:region": "us-east-1"})
        return str(raised.value)

    return run


def check_failure(olds: dict[str, Any], news: dict[str, Any]) -> str:
    failures = check_inputs(olds, news).failures
    return "; ".join(failure.reason for failure in failures)


JOB = {"destinationName": "cohort_variants", "roleArn": ROLE, "items": ["s3://cohort-bucket/a.vcf"]}


class MissingObject:
    """An S3 client whose objects are all missing, as S3 answers."""

    def get_object(self, **_: Any) -> Any:
        from botocore.exceptions import ClientError

        raise ClientError({"Error": {"Code": "NoSuchKey", "Message": "no"}}, "GetObject")


TSV_STORE = {
    "name": "clinvar",
    "storeFormat": "TSV",
    "versionName": "r2024_06",
    "storeOptions": {"tsvStoreOptions": {"annotationType": "GENERIC"}},
}


def tsv_header_problem(header: bytes) -> str:
    """What verify says of a TSV file that starts with header, in a store reading `chrom`."""
    options = {"tsvStoreOptions": {"formatToHeader": {"CHR": "chrom"}}}
    store = AnnotationStoreConfig("clinvar", "TSV", "r2024_06", store_options=options)
    batch = AnnotationBatch("june", ("s3://cohort-bucket/a.tsv",), version="r2024_06")
    return str(annotation_rule(store, batch).problem("s3://cohort-bucket/a.tsv", header, True))


PRODUCERS: dict[str, Callable[[Path], str]] = {
    "A misspelt stack key": lambda _: config_error(storName="x"),
    "A file in two batches": lambda _: config_error(
        imports=[
            {"name": "june", "sources": ["s3://cohort-bucket/a.vcf"]},
            {"name": "july", "sources": ["s3://cohort-bucket/a.vcf", "s3://cohort-bucket/b.vcf"]},
        ]
    ),
    "An excluded file in a batch": lambda _: config_error(
        imports=[{"name": "june", "sources": ["s3://cohort-bucket/a.vcf"]}],
        exclusions=[{"source": "s3://cohort-bucket/a.vcf", "reason": "truncated"}],
    ),
    "A KMS key that is not one key": lambda _: config_error(
        kmsKeyArns=["arn:aws:kms:us-east-1:123456789012:alias/genomics"]
    ),
    "Two resources import one file": program_error(
        "from omics_provider import VariantImportJob\n"
        f"for name in ('june', 'again'):\n"
        f"    VariantImportJob(name, destination_name='cohort_variants', role_arn='{ROLE}',\n"
        "                     items=['s3://cohort-bucket/a.vcf'])\n",
        pulumi.RunError,
    ),
    "A role no policy can grant": program_error(
        "from omics_provider import VariantImportRole\n"
        "VariantImportRole('import-role', sources=['s3://cohort-bucket/*.vcf'])\n",
        ImportRoleError,
    ),
    "A bad input under OmicsMocks": program_error(
        "from omics_provider import VariantStore\n"
        f"VariantStore('store', name='Cohort', reference_arn='{REFERENCE}')\n",
        OmicsCheckFailed,
    ),
    "A changed batch would import again": lambda _: check_failure(
        {**JOB}, {**JOB, "items": ["s3://cohort-bucket/a.vcf", "s3://cohort-bucket/b.vcf"]}
    ),
    "Format options that do not fit the annotation store": lambda _: config_error(
        annotationStore=TSV_STORE,
        annotationImports=[
            {
                "name": "june",
                "sources": ["s3://cohort-bucket/a.tsv"],
                "formatOptions": {"vcfOptions": {"ignoreQualField": True}},
            }
        ],
    ),
    "verify: a TSV header without the store's columns": lambda _: tsv_header_problem(
        b"chr\tstart\n"
    ),
    "verify: object not found": lambda _: str(
        check_source(MissingObject(), "s3://cohort-bucket/a.vcf", 1)[0]
    ),
}


def documented() -> dict[str, str]:
    """Each entry's heading and the message of its first text block."""
    text = PAGE.read_text()
    entries = {}
    for section in text.split("\n### ")[1:]:
        title, _, body = section.partition("\n")
        block = re.search(r"```text\n(.*?)\n```", body, re.DOTALL)
        assert block is not None, f"entry {title!r} has no message block"
        entries[title.strip()] = block.group(1)
    return entries


def matches(documented_message: str, printed: str) -> bool:
    pattern = ".+?".join(re.escape(part) for part in documented_message.split("…"))
    return re.fullmatch(pattern, printed, re.DOTALL) is not None


def test_troubleshooting_catalogues_exactly_the_produced_messages() -> None:
    assert set(documented()) == set(PRODUCERS)


@pytest.mark.parametrize("title", list(PRODUCERS))
def test_troubleshooting_message_is_what_the_code_prints(title: str, tmp_path: Path) -> None:
    printed = PRODUCERS[title](tmp_path)

    assert matches(documented()[title], printed), printed


def test_troubleshooting_documents_every_exception_type() -> None:
    import omics_provider.errors as errors

    text = PAGE.read_text()
    assert [name for name in errors.__all__ if f"`{name}`" not in text] == []
