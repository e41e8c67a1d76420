"""The provider's own exceptions: each message, on one line, says what failed and what to do."""

from __future__ import annotations


class ProviderError(Exception):
    """A failure whose message, on one line, says what failed, why, and what to do."""


class OutcomeUnknownError(ProviderError):
    """A call that must not be repeated blindly failed in a way that leaves its effect unknown."""


class ResourceMissingError(ProviderError):
    """The service does not know the store or job a call named (ResourceNotFoundException)."""
