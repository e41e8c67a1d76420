"""Fixtures of the emulator tests: a fake clock behind the emulator, stores, raw clients."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from omics_emulator import EmulatorHandle, EmulatorSettings, OmicsBackend, start_emulator

REFERENCE = {
    "referenceArn": "arn:aws:omics:us-east-1:123456789012:referenceStore/1234567890/reference/1"
}
ROLE = "arn:aws:iam::123456789012:role/omics-import"


class FakeClock:
    """A clock the test moves by hand."""

    def __init__(self, now: float = 1_750_000_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def omics_emulator(
    omics_emulator_settings: EmulatorSettings, clock: FakeClock
) -> Iterator[EmulatorHandle]:
    """The plugin's emulator on the fake clock: store_seconds=1, job_seconds=4, cancel_seconds=1."""
    omics_emulator_settings.store_seconds = 1.0
    omics_emulator_settings.job_seconds = 4.0
    omics_emulator_settings.cancel_seconds = 1.0
    backend = OmicsBackend(omics_emulator_settings, clock=clock)
    with start_emulator(backend=backend) as handle:
        yield handle


@pytest.fixture
def raw_client(omics_client_factory: Callable[..., Any]) -> Any:
    """A client without botocore's own parameter validation, so the server's is exercised."""
    return omics_client_factory(retries={"total_max_attempts": 1}, parameter_validation=False)


@pytest.fixture
def make_store(omics_client: Any, clock: FakeClock) -> Callable[..., str]:
    """Create an ACTIVE store and return its name."""

    def make(name: str = "cohort") -> str:
        omics_client.create_variant_store(name=name, reference=REFERENCE)
        clock.advance(1.0)
        return name

    return make


@pytest.fixture
def start_job(omics_client: Any) -> Callable[..., str]:
    """Start an import job and return its id."""

    def start(store: str = "cohort", *sources: str) -> str:
        items = [{"source": s} for s in sources or ("s3://bucket/sample.vcf.gz",)]
        response = omics_client.start_variant_import_job(
            destinationName=store, roleArn=ROLE, items=items
        )
        return str(response["jobId"])

    return start


def error_of(exc_info: pytest.ExceptionInfo[Any]) -> tuple[str, int]:
    """The (error code, HTTP status) of a ClientError."""
    response = exc_info.value.response
    return response["Error"]["Code"], response["ResponseMetadata"]["HTTPStatusCode"]


GENERIC_TSV = {"tsvStoreOptions": {"annotationType": "GENERIC", "formatToHeader": {}}}
"""Options of a TSV annotation store of GENERIC annotations (the one kind without a reference)."""


@pytest.fixture
def make_annotation_store(omics_client: Any, clock: FakeClock) -> Callable[..., str]:
    """Create an ACTIVE annotation store (VCF unless told) with its first version; its name."""

    def make(name: str = "genes", store_format: str = "VCF", **kwargs: Any) -> str:
        if store_format != "TSV" or "storeOptions" not in kwargs:
            kwargs.setdefault("reference", REFERENCE)
        omics_client.create_annotation_store(name=name, storeFormat=store_format, **kwargs)
        clock.advance(1.0)
        return name

    return make


@pytest.fixture
def start_annotation_job(omics_client: Any) -> Callable[..., str]:
    """Start an annotation import job and return its id."""

    def start(store: str = "genes", *sources: str, **kwargs: Any) -> str:
        items = [{"source": s} for s in sources or ("s3://bucket/clinvar.vcf.gz",)]
        response = omics_client.start_annotation_import_job(
            destinationName=store, roleArn=ROLE, items=items, **kwargs
        )
        return str(response["jobId"])

    return start


@dataclass(frozen=True)
class JobOps:
    """One import job kind's operations in the emulator tests: its store, starts and reads."""

    kind: str
    """"variant" or "annotation": the kind's operations are <verb>_<kind>_import_job."""
    store: Callable[[], str]
    start: Callable[..., str]
    client: Any
    imported: Callable[[str], Counter[str]]
    item_messages: bool
    """Whether the kind's items carry a statusMessage."""

    def call(self, verb: str, **request: Any) -> Any:
        """The kind's <verb> operation, e.g. call("get", jobId=...)."""
        return getattr(self.client, f"{verb}_{self.kind}_import_job")(**request)


@pytest.fixture(params=["variant", "annotation"])
def job_ops(
    request: pytest.FixtureRequest, omics_emulator: EmulatorHandle, omics_client: Any
) -> JobOps:
    """Each import job kind in turn, with a store of its kind to import into."""
    backend = omics_emulator.backend
    if request.param == "variant":
        make, start, imported = "make_store", "start_job", backend.imported_sources
    else:
        make, start = "make_annotation_store", "start_annotation_job"
        imported = backend.annotations.imported_sources
    return JobOps(
        request.param,
        request.getfixturevalue(make),
        request.getfixturevalue(start),
        omics_client,
        imported,
        item_messages=request.param == "variant",
    )
