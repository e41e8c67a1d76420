"""Translation of AWS errors into one-line messages, and which errors are retried."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError, EndpointConnectionError

from omics_provider.aws.errors import (
    HINTS,
    failure,
    is_not_found,
    is_quota_exceeded,
    is_role_not_ready,
    is_transient,
)
from omics_provider.core.errors import ConflictError, ProviderError


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


def test_failure_is_one_line_naming_resource_operation_code_message_and_fix() -> None:
    error = failure(
        ProviderError,
        "VariantImportJob batch-1",
        "StartVariantImportJob",
        client_error("AccessDeniedException", "not authorized"),
    )
    assert str(error) == (
        "VariantImportJob batch-1: StartVariantImportJob failed (AccessDeniedException: not "
        "authorized); check that the caller may call this operation and may iam:PassRole the "
        "import role, and that the role trusts omics.amazonaws.com and can read the sources"
    )


@pytest.mark.parametrize(
    ("error", "hints", "code", "problem", "advice"),
    [
        (
            client_error("ResourceNotFoundException", "gone"),
            {"ResourceNotFoundException": "check the store"},
            "ResourceNotFoundException",
            "gone",
            "check the store",
        ),
        (
            client_error("ValidationException", "bad"),
            {"ResourceNotFoundException": "check the store"},
            "ValidationException",
            "bad",
            HINTS["ValidationException"],
        ),
        (
            EndpointConnectionError(endpoint_url="http://127.0.0.1:1"),
            None,
            None,
            'EndpointConnectionError: Could not connect to the endpoint URL: "http://127.0.0.1:1"',
            "check the network and the endpoint, then retry",
        ),
    ],
    ids=["callers-hint", "general-hint", "connection"],
)
def test_failure_fields_say_code_problem_and_advice(
    error: Exception,
    hints: dict[str, str] | None,
    code: str | None,
    problem: str,
    advice: str,
) -> None:
    failed = failure(ConflictError, "R", "Op", error, hints)
    assert type(failed) is ConflictError
    assert (failed.resource, failed.operation) == ("R", "Op")
    assert (failed.code, failed.problem, failed.advice) == (code, problem, advice)
