"""Translation of AWS errors into one-line messages, and which errors are retried."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError, EndpointConnectionError

from omics_provider.aws.errors import (
    describe,
    is_not_found,
    is_quota_exceeded,
    is_role_not_ready,
    is_transient,
)


def client_error(code: str, message: str = "boom", status: int = 400) -> ClientError:
    response = {
        "Error": {"Code": code, "Message": message},
        "ResponseMetadata": {"HTTPStatusCode": status},
    }
    return ClientError(response, "StartVariantImportJob")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("code", "status", "transient"),
    [
        ("ThrottlingException", 429, True),
        ("InternalServerException", 500, True),
        ("SomethingElse", 503, True),
        ("ValidationException", 400, False),
        ("AccessDeniedException", 403, False),
        ("ServiceQuotaExceededException", 402, False),
    ],
)
def test_is_transient_by_code_and_status(code: str, status: int, transient: bool) -> None:
    assert is_transient(client_error(code, status=status)) is transient


def test_is_transient_for_lost_connections() -> None:
    assert is_transient(EndpointConnectionError(endpoint_url="http://127.0.0.1:1"))


def test_is_quota_exceeded_and_not_found() -> None:
    assert is_quota_exceeded(client_error("ServiceQuotaExceededException", status=402))
    assert is_not_found(client_error("ResourceNotFoundException", status=404))


@pytest.mark.parametrize(
    ("code", "message", "expected"),
    [
        ("AccessDeniedException", "Unable to assume role arn:aws:iam::1:role/x", True),
        ("ValidationException", "Omics could not assume the role", True),
        ("AccessDeniedException", "User is not authorized to perform omics:Start", False),
        ("ThrottlingException", "assume role", False),
    ],
)
def test_is_role_not_ready(code: str, message: str, expected: bool) -> None:
    assert is_role_not_ready(client_error(code, message)) is expected


def test_describe_names_resource_operation_code_message_and_fix() -> None:
    text = describe(
        "VariantImportJob batch-1",
        "StartVariantImportJob",
        client_error("AccessDeniedException", "not authorized"),
    )
    assert text.startswith("VariantImportJob batch-1: StartVariantImportJob failed")
    assert "AccessDeniedException: not authorized" in text
    assert "iam:PassRole" in text
    assert "\n" not in text


def test_describe_uses_the_callers_hint() -> None:
    error = client_error("ResourceNotFoundException")
    text = describe("R", "Op", error, hints={"ResourceNotFoundException": "check the store"})
    assert text.endswith("check the store.")


def test_describe_connection_error_suggests_network() -> None:
    text = describe("R", "Op", EndpointConnectionError(endpoint_url="http://127.0.0.1:1"))
    assert "EndpointConnectionError" in text
    assert "network" in text
