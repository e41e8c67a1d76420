"""Errors the emulated omics API answers with, each class named after its error shape."""

from __future__ import annotations


class OmicsError(Exception):
    """An error response; its code is the class name, its HTTP status comes from the model.

    Subclasses named after an error shape of botocore's omics model get their status
    from that shape (``error.httpStatusCode``); the others declare ``status`` themselves.
    """

    status = 400

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    @property
    def code(self) -> str:
        """The error type sent in ``x-amzn-ErrorType``."""
        return type(self).__name__


class ValidationException(OmicsError):
    """The request does not satisfy the API's constraints (400)."""


class ResourceNotFoundException(OmicsError):
    """The store or job does not exist (404)."""

    status = 404


class ConflictException(OmicsError):
    """The request conflicts with the resource's current state (409)."""

    status = 409


class ServiceQuotaExceededException(OmicsError):
    """A service quota would be exceeded (402)."""

    status = 402


class ThrottlingException(OmicsError):
    """The request was throttled (429)."""

    status = 429


class InternalServerException(OmicsError):
    """The service failed internally (500)."""

    status = 500


class AccessDeniedException(OmicsError):
    """The caller is not allowed to do this (403)."""

    status = 403


class SerializationException(OmicsError):
    """The body cannot be read: not JSON, nested too deeply, badly chunked, or a value of the
    wrong JSON type (400, as AWS's Coral answers)."""


class RequestTimeoutException(OmicsError):
    """The request did not arrive in time (408; an error shape of the omics model)."""

    status = 408


class LengthRequiredException(OmicsError):
    """The body's length cannot be determined: a transfer coding other than chunked (411)."""

    status = 411


class UnknownOperationException(OmicsError):
    """No omics operation answers this method and path (404), or it is not emulated (501)."""

    status = 404

    def __init__(self, message: str, status: int = 404) -> None:
        super().__init__(message)
        self.status = status


class RequestEntityTooLargeException(OmicsError):
    """The request body exceeds the emulator's cap (413)."""

    status = 413
