"""Every exception a program using this package can see, importable from this one module.

Raised in the program (by `pulumi preview` or a test, before any resource is created):
`StackConfigError` (declare_stack, parse_stack_config), `ImportRoleError` (VariantImportRole),
`OverlappingImportsError` (two resources import one file into one store), `OmicsCheckFailed`
(a bad input under OmicsMocks). Raised by the providers inside Pulumi's plugin and shown by the
CLI as the resource's error: `ProviderError` and its subclasses. docs/troubleshooting.md lists
the messages, their causes and fixes.
"""

from omics_provider.core.errors import (
    ConflictError,
    ImportRoleError,
    OmicsCheckFailed,
    OutcomeUnknownError,
    ProviderError,
    QuotaExceededError,
    ResourceMissingError,
    RetriesExhaustedError,
    StackConfigError,
)
from omics_provider.resources.declarations import OverlappingImportsError

__all__ = [
    "ConflictError",
    "ImportRoleError",
    "OmicsCheckFailed",
    "OutcomeUnknownError",
    "OverlappingImportsError",
    "ProviderError",
    "QuotaExceededError",
    "ResourceMissingError",
    "RetriesExhaustedError",
    "StackConfigError",
]
