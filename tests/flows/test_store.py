"""The store flow against the emulator: a create whose answer is lost is never repeated blindly."""

from __future__ import annotations

from typing import Any, cast

import pytest
from botocore.exceptions import ClientError, ReadTimeoutError

from omics_emulator import EmulatorHandle
from omics_provider.core.errors import ProviderError
from omics_provider.flows.store import StoreSpec
from tests.support.jobs import REFERENCE_ARN, store_flow
from tests.support.jobs import create_store as create_directly

SPEC = StoreSpec(name="lost_answer", reference_arn=REFERENCE_ARN)


class CreateAnswerLost:
    """A client whose first CreateVariantStore creates the store but answers with error."""

    def __init__(self, client: Any, error: Exception) -> None:
        self.client, self.error, self.creates = client, error, 0

    def __getattr__(self, name: str) -> Any:
        return getattr(self.client, name)

    def create_variant_store(self, **request: Any) -> Any:
        self.creates += 1
        response = self.client.create_variant_store(**request)
        if self.creates == 1:
            raise self.error
        return response


def real_client(emulator: EmulatorHandle) -> Any:
    return store_flow(emulator).api.client


def test_create_store_whose_answer_is_lost_takes_the_store_it_created(
    omics_emulator: EmulatorHandle,
) -> None:
    error = ReadTimeoutError(endpoint_url="http://127.0.0.1")
    lossy = CreateAnswerLost(real_client(omics_emulator), error)
    store = store_flow(omics_emulator, lossy).create(SPEC, adopt=False)
    assert store["status"] == "ACTIVE"
    assert [s["name"] for s in omics_emulator.backend.stores()] == ["lost_answer"]
    assert lossy.creates == 1


def test_create_store_after_a_server_error_with_nothing_created_tries_again(
    omics_emulator: EmulatorHandle,
) -> None:
    real = real_client(omics_emulator)
    refused = ClientError(
        cast(
            Any,
            {
                "Error": {"Code": "InternalServerException"},
                "ResponseMetadata": {"HTTPStatusCode": 500},
            },
        ),
        "CreateVariantStore",
    )

    class RefusedOnce(CreateAnswerLost):
        def create_variant_store(self, **request: Any) -> Any:
            self.creates += 1
            if self.creates == 1:
                raise refused
            return real.create_variant_store(**request)

    flaky = RefusedOnce(real, refused)
    store = store_flow(omics_emulator, flaky).create(SPEC, adopt=False)
    assert store["status"] == "ACTIVE" and flaky.creates == 2


def test_create_store_over_an_older_store_of_the_name_still_refuses(
    omics_emulator: EmulatorHandle, omics_client: Any
) -> None:
    create_directly(omics_client, "lost_answer")
    with pytest.raises(ProviderError, match="already exists; set adoptExisting"):
        store_flow(omics_emulator).create(SPEC, adopt=False)


def test_create_store_whose_answer_is_lost_never_takes_a_store_it_did_not_ask_for(
    omics_emulator: EmulatorHandle, omics_client: Any
) -> None:
    other_reference = REFERENCE_ARN.replace("/reference/1234567890", "/reference/9999999999")

    class OtherStoreAppears(CreateAnswerLost):
        """The create is lost before it arrives; meanwhile someone creates the name elsewhere."""

        def create_variant_store(self, **request: Any) -> Any:
            self.creates += 1
            if self.creates == 1:
                omics_client.create_variant_store(
                    name=SPEC.name, reference={"referenceArn": other_reference}
                )
                raise self.error
            return self.client.create_variant_store(**request)

    racing = OtherStoreAppears(real_client(omics_emulator), ReadTimeoutError(endpoint_url="x"))
    with pytest.raises(ProviderError, match="already exists; set adoptExisting"):
        store_flow(omics_emulator, racing).create(SPEC, adopt=False)
    assert racing.creates == 2
