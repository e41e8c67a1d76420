"""The provider's own exceptions: each message, on one line, says what failed and what to do."""

from __future__ import annotations

from typing import Any

from omics_provider.core.redaction import redact


class ProviderError(Exception):
    """A failure, as fields; its one-line message is formatted from them once, by `format`.

    problem: what went wrong (for a failed AWS call, the service's message, or the exception's
    type and text). resource: who failed, as users name it (`VariantImportJob batch-1`).
    operation: the HealthOmics operation that failed, if one did. code: the AWS error code, if
    the service answered with one. advice: what to do about it.
    """

    def __init__(
        self,
        problem: str,
        *,
        resource: str | None = None,
        operation: str | None = None,
        code: str | None = None,
        advice: str | None = None,
    ) -> None:
        self.problem = problem
        self.resource = resource
        self.operation = operation
        self.code = code
        self.advice = advice
        self.message = self.format()
        super().__init__(self.message)

    def format(self) -> str:
        """The message, on one line, redacted: `<resource>: <operation> failed (<code>:
        <problem>); <advice>`, leaving out the fields that are not set."""
        if self.operation is not None:
            cause = f"{self.code}: {self.problem}" if self.code else self.problem
            text = f"{self.operation} failed ({cause})"
        else:
            text = self.problem
        if self.resource:
            text = f"{self.resource}: {text}"
        if self.advice:
            text = f"{text}; {self.advice}"
        return " ".join(redact(text).split())

    def fields(self) -> dict[str, Any]:
        """The fields this error was made of (to make another error of them)."""
        return {
            "problem": self.problem,
            "resource": self.resource,
            "operation": self.operation,
            "code": self.code,
            "advice": self.advice,
        }

    def __reduce__(self) -> tuple[Any, ...]:
        return _rebuild, (type(self), self.fields())


def _rebuild(kind: type[ProviderError], fields: dict[str, Any]) -> ProviderError:
    """An error of kind made of fields (how a ProviderError crosses a process boundary)."""
    return kind(**fields)


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
