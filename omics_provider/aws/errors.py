"""AWS errors: which may be retried, which may have taken effect, and their one-line messages."""

from __future__ import annotations

from collections.abc import Mapping

from botocore.exceptions import (
    ClientError,
    ConnectionClosedError,
    ConnectTimeoutError,
    EndpointConnectionError,
    ReadTimeoutError,
)

from omics_provider.core.errors import ProviderError
from omics_provider.core.redaction import redact

CONNECTION_ERRORS = (
    EndpointConnectionError,
    ConnectionClosedError,
    ConnectTimeoutError,
    ReadTimeoutError,
)
"""Network failures that say nothing about the request itself: the call may be made again."""

SENT_BUT_UNANSWERED = (ConnectionClosedError, ReadTimeoutError)
"""Network failures after the request was sent: the service may have acted on it."""

TRANSIENT_CODES = frozenset(
    {
        "ThrottlingException",
        "InternalServerException",
        "ServiceUnavailableException",
        "RequestTimeoutException",
    }
)
"""Error codes of the omics model (and AWS's common ones) that a later attempt may not get."""
UNCLEAR_CODES = frozenset({"RequestTimeoutException"})
"""Codes below 500 after which the request may still have been acted on."""
QUOTA_CODE = "ServiceQuotaExceededException"
CONFLICT_CODE = "ConflictException"
NOT_FOUND_CODE = "ResourceNotFoundException"

HINTS: dict[str, str] = {
    "AccessDeniedException": (
        "check that the caller may call this operation and may iam:PassRole the import role, "
        "and that the role trusts omics.amazonaws.com and can read the sources"
    ),
    NOT_FOUND_CODE: "check the name or id and the region",
    "ValidationException": "correct the input the message names",
    CONFLICT_CODE: "the resource is in a state that does not allow this; wait and retry",
    QUOTA_CODE: "too many jobs are running in this region; wait for some to end or raise the quota",
    "ThrottlingException": "requests are being throttled; retry later",
    "InternalServerException": "HealthOmics failed; retry later",
    "RequestTimeoutException": "the request timed out; retry later",
}


def error_code(error: BaseException) -> str | None:
    """The AWS error code of a botocore ClientError, else None."""
    if isinstance(error, ClientError):
        code = error.response.get("Error", {}).get("Code")
        return str(code) if code else None
    return None


def error_message(error: BaseException) -> str:
    """The AWS error message of a ClientError, else the error's own text."""
    if isinstance(error, ClientError):
        return str(error.response.get("Error", {}).get("Message", "")) or str(error)
    return str(error)


def http_status(error: BaseException) -> int | None:
    """The HTTP status of a ClientError, else None."""
    if isinstance(error, ClientError):
        status = error.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
        return int(status) if status is not None else None
    return None


def is_transient(error: BaseException) -> bool:
    """True for throttling, server-side failures, timeouts and lost connections: retry later."""
    if isinstance(error, CONNECTION_ERRORS):
        return True
    status = http_status(error)
    return error_code(error) in TRANSIENT_CODES or (status is not None and status >= 500)


def outcome_unknown(error: BaseException) -> bool:
    """True when the request may have taken effect: a server error, or no answer after sending."""
    status = http_status(error)
    return (
        isinstance(error, SENT_BUT_UNANSWERED)
        or error_code(error) in UNCLEAR_CODES
        or (status is not None and status >= 500)
    )


def is_quota_exceeded(error: BaseException) -> bool:
    """True when a quota (such as concurrent import jobs) refused the request."""
    return error_code(error) == QUOTA_CODE


def is_conflict(error: BaseException) -> bool:
    """True when the resource's state refused the request (e.g. a store name already taken)."""
    return error_code(error) == CONFLICT_CODE


def is_role_not_ready(error: BaseException) -> bool:
    """True when HealthOmics could not assume the role yet, as right after the role is created."""
    if error_code(error) not in {"AccessDeniedException", "ValidationException"}:
        return False
    text = error_message(error).lower()
    return "assume" in text and "role" in text


def is_not_found(error: BaseException) -> bool:
    """True when the service says the resource does not exist."""
    return error_code(error) == NOT_FOUND_CODE


def reason(error: BaseException) -> str:
    """What went wrong, in one redacted line: `Code: message`, or the exception type and text."""
    code = error_code(error)
    text = f"{code}: {error_message(error)}" if code else f"{type(error).__name__}: {error}"
    return " ".join(redact(text).split())


def advice(error: BaseException, hints: Mapping[str, str] | None = None) -> str:
    """The likely fix for error: hints (error code -> advice suiting this call) first, then the
    general HINTS; for an error without a code (the network), check the endpoint."""
    code = error_code(error)
    if code is None:
        return "check the network and the endpoint, then retry"
    return (hints or {}).get(code) or HINTS.get(
        code, "see the AWS HealthOmics documentation for this error"
    )


def failure(
    kind: type[ProviderError],
    resource: str,
    operation: str,
    error: BaseException,
    hints: Mapping[str, str] | None = None,
    note: str | None = None,
) -> ProviderError:
    """An error of kind reporting that operation of resource failed with error: its code, the
    service's message (or the exception's type and text) followed by note, and the likely fix."""
    code = error_code(error)
    problem = error_message(error) if code else f"{type(error).__name__}: {error}"
    if note:
        problem = f"{problem}; {note}"
    return kind(
        problem, resource=resource, operation=operation, code=code, advice=advice(error, hints)
    )
