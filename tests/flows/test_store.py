"""The store flow against the emulator: a create whose answer is lost is never repeated blindly,
for every kind of store."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, cast

import pytest
from botocore.exceptions import ClientError, ReadTimeoutError

from omics_emulator import EmulatorHandle
from omics_provider.core.errors import ProviderError
from omics_provider.core.kinds import (
    ANNOTATION_STORE,
    ANNOTATION_STORE_VERSION,
    VARIANT_STORE,
    StoreKind,
    method_name,
)
from omics_provider.flows.store import StoreSpec
from tests.support.jobs import REFERENCE_ARN, store_flow

OTHER_REFERENCE = REFERENCE_ARN.replace("/reference/1234567890", "/reference/9999999999")
SPECS = {
    VARIANT_STORE: StoreSpec(name="lost_answer", reference_arn=REFERENCE_ARN),
    ANNOTATION_STORE: StoreSpec(
        name="lost_answer", reference_arn=REFERENCE_ARN, settings={"storeFormat": "VCF"}
    ),
}
KINDS = pytest.mark.parametrize("kind", list(SPECS), ids=lambda kind: kind.resource)


def refused_as_taken(error: ProviderError) -> bool:
    """Whether error refuses a create because the name lost_answer is taken, advising adoption."""
    return (
        error.problem == "store lost_answer already exists"
        and error.operation is None
        and "set adoptExisting: true" in str(error.advice)
    )


VERSION_SPEC = StoreSpec(name="parent_store", settings={"versionName": "lost_answer"})
"""A version whose create is lost, in an annotation store created beforehand."""


class CreateAnswerLost:
    """A client whose kind's create is replaced by create_once (the real create is `real`)."""

    def __init__(self, client: Any, kind: StoreKind, error: Exception) -> None:
        self.client, self.kind, self.error, self.creates = client, kind, error, 0
        self.real: Callable[..., Any] = getattr(client, method_name(kind.create))

    def __getattr__(self, name: str) -> Any:
        if name == method_name(self.kind.create):
            return self.create_once
        return getattr(self.client, name)

    def create_once(self, **request: Any) -> Any:
        """The first create creates the store but answers with error."""
        self.creates += 1
        response = self.real(**request)
        if self.creates == 1:
            raise self.error
        return response


def real_client(emulator: EmulatorHandle) -> Any:
    return store_flow(emulator).api.client


def stores_of(emulator: EmulatorHandle, kind: StoreKind) -> list[str]:
    client = real_client(emulator)
    listed = getattr(client, method_name(kind.list))()[kind.list_key]
    return [store["name"] for store in listed]


def create_directly(client: Any, kind: StoreKind, reference: str = REFERENCE_ARN) -> None:
    """Create lost_answer outside the flow (someone else, or an earlier run)."""
    request = {**SPECS[kind].create_request(), "reference": {"referenceArn": reference}}
    getattr(client, method_name(kind.create))(**request)


@KINDS
def test_create_store_whose_answer_is_lost_takes_the_store_it_created(
    omics_emulator: EmulatorHandle, kind: StoreKind
) -> None:
    error = ReadTimeoutError(endpoint_url="http://127.0.0.1")
    lossy = CreateAnswerLost(real_client(omics_emulator), kind, error)
    store = store_flow(omics_emulator, lossy, kind).create(SPECS[kind], adopt=False)
    assert store["status"] == "ACTIVE"
    assert stores_of(omics_emulator, kind) == ["lost_answer"]
    assert lossy.creates == 1


@KINDS
def test_create_store_after_a_server_error_with_nothing_created_tries_again(
    omics_emulator: EmulatorHandle, kind: StoreKind
) -> None:
    refused = ClientError(
        cast(
            Any,
            {
                "Error": {"Code": "InternalServerException"},
                "ResponseMetadata": {"HTTPStatusCode": 500},
            },
        ),
        kind.create,
    )

    class RefusedOnce(CreateAnswerLost):
        def create_once(self, **request: Any) -> Any:
            self.creates += 1
            if self.creates == 1:
                raise refused
            return self.real(**request)

    flaky = RefusedOnce(real_client(omics_emulator), kind, refused)
    store = store_flow(omics_emulator, flaky, kind).create(SPECS[kind], adopt=False)
    assert store["status"] == "ACTIVE" and flaky.creates == 2


@KINDS
def test_create_store_over_an_older_store_of_the_name_still_refuses(
    omics_emulator: EmulatorHandle, omics_client: Any, kind: StoreKind
) -> None:
    create_directly(omics_client, kind)
    with pytest.raises(ProviderError) as raised:
        store_flow(omics_emulator, kind=kind).create(SPECS[kind], adopt=False)
    assert refused_as_taken(raised.value)


@KINDS
def test_create_store_whose_answer_is_lost_never_takes_a_store_it_did_not_ask_for(
    omics_emulator: EmulatorHandle, omics_client: Any, kind: StoreKind
) -> None:
    class OtherStoreAppears(CreateAnswerLost):
        """The create is lost before it arrives; meanwhile someone creates the name elsewhere."""

        def create_once(self, **request: Any) -> Any:
            self.creates += 1
            if self.creates == 1:
                create_directly(omics_client, kind, OTHER_REFERENCE)
                raise self.error
            return self.real(**request)

    error = ReadTimeoutError(endpoint_url="x")
    racing = OtherStoreAppears(real_client(omics_emulator), kind, error)
    with pytest.raises(ProviderError) as raised:
        store_flow(omics_emulator, racing, kind).create(SPECS[kind], adopt=False)
    assert refused_as_taken(raised.value)
    assert racing.creates == 2


def test_create_annotation_store_whose_answer_is_lost_never_takes_one_of_another_format(
    omics_emulator: EmulatorHandle, omics_client: Any
) -> None:
    gff = {"storeFormat": "GFF", "reference": {"referenceArn": REFERENCE_ARN}}

    class GffStoreAppears(CreateAnswerLost):
        def create_once(self, **request: Any) -> Any:
            self.creates += 1
            if self.creates == 1:
                omics_client.create_annotation_store(name="lost_answer", **gff)
                raise self.error
            return self.real(**request)

    error = ReadTimeoutError(endpoint_url="x")
    racing = GffStoreAppears(real_client(omics_emulator), ANNOTATION_STORE, error)
    flow = store_flow(omics_emulator, racing, ANNOTATION_STORE)
    with pytest.raises(ProviderError) as raised:
        flow.create(SPECS[ANNOTATION_STORE], adopt=False)
    assert refused_as_taken(raised.value)
    assert racing.creates == 2


def test_create_version_whose_answer_is_lost_takes_the_version_it_created(
    omics_emulator: EmulatorHandle,
) -> None:
    parent = store_flow(omics_emulator, kind=ANNOTATION_STORE)
    parent.create(
        StoreSpec(
            name="parent_store", settings={"storeFormat": "GFF"}, reference_arn=REFERENCE_ARN
        ),
        adopt=False,
    )
    error = ReadTimeoutError(endpoint_url="http://127.0.0.1")
    lossy = CreateAnswerLost(real_client(omics_emulator), ANNOTATION_STORE_VERSION, error)

    flow = store_flow(omics_emulator, lossy, ANNOTATION_STORE_VERSION)
    version = flow.create(VERSION_SPEC, adopt=False)

    listed = lossy.list_annotation_store_versions(name="parent_store")["annotationStoreVersions"]
    assert sorted(v["versionName"] for v in listed) == ["lost_answer", "parent_store"]
    assert version["status"] == "ACTIVE" and lossy.creates == 1
