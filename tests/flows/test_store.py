"""Store operations against the emulator: a create whose answer is lost is not taken as a clash."""

from __future__ import annotations

import io
from typing import Any, cast

import pytest
from botocore.exceptions import ClientError, ReadTimeoutError

from omics_emulator import EmulatorHandle
from omics_provider.aws.calls import CallContext
from omics_provider.aws.clients import AwsSettings, build_omics_client
from omics_provider.core.errors import ProviderError
from omics_provider.core.progress import Progress
from omics_provider.core.timing import SYSTEM_CLOCK, Backoff, Deadline
from omics_provider.flows.store import StoreSession, StoreSpec, create_store
from tests.support.jobs import FAST_STATUS_POLL, REFERENCE_ARN
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


def store_session(emulator: EmulatorHandle, client: Any) -> StoreSession:
    progress = Progress("VariantStore", "store", SYSTEM_CLOCK, io.StringIO())
    ctx = CallContext(
        progress, Deadline.after(SYSTEM_CLOCK, 30), SYSTEM_CLOCK, Backoff(0.01, 2, 0.1)
    )
    return StoreSession(client=cast(Any, client), ctx=ctx, status_poll=FAST_STATUS_POLL)


def real_client(emulator: EmulatorHandle) -> Any:
    return build_omics_client(AwsSettings(region="us-east-1", omics_endpoint=emulator.url), None)


def test_create_store_whose_answer_is_lost_takes_the_store_it_created(
    omics_emulator: EmulatorHandle,
) -> None:
    error = ReadTimeoutError(endpoint_url="http://127.0.0.1")
    lossy = CreateAnswerLost(real_client(omics_emulator), error)
    store = create_store(store_session(omics_emulator, lossy), SPEC, adopt=False)
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
    store = create_store(store_session(omics_emulator, flaky), SPEC, adopt=False)
    assert store["status"] == "ACTIVE" and flaky.creates == 2


def test_create_store_over_an_older_store_of_the_name_still_refuses(
    omics_emulator: EmulatorHandle, omics_client: Any
) -> None:
    create_directly(omics_client, "lost_answer")
    session = store_session(omics_emulator, real_client(omics_emulator))
    with pytest.raises(ProviderError, match="already exists; set adoptExisting"):
        create_store(session, SPEC, adopt=False)
