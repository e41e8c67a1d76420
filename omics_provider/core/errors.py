"""The provider's own exceptions: each message, on one line, says what failed and what to do."""

from __future__ import annotations


class ProviderError(Exception):
    """A failure whose message, on one line, says what failed, why, and what to do."""


class OutcomeUnknownError(ProviderError):
    """A call that must not be repeated blindly failed in a way that leaves its effect unknown."""


class ResourceMissingError(ProviderError):
    """The service does not know the store or job a call named (ResourceNotFoundException)."""


class ConflictError(ProviderError):
    """The service refused the call because of the resource's state (ConflictException)."""


class QuotaExceededError(ProviderError):
    """The service refused the call because a quota is full (ServiceQuotaExceededException)."""


class RetriesExhaustedError(ProviderError):
    """A call kept failing transiently (throttling, 5xx, network) until its retry window closed."""


class ImportRoleError(ValueError):
    """A VariantImportRole cannot be declared: no policy can grant its inputs (a wildcard, a bad
    ARN, more buckets than IAM's size limit holds). Raised by the program, before any resource."""


class StackConfigError(ValueError):
    """The stack configuration is invalid; the message names every bad key, each with its fix."""


class OmicsCheckFailed(Exception):
    """Under OmicsMocks, an omics resource's check refused its inputs; the message is what
    `pulumi preview` would print."""
