"""The stack program as a library (declare_stack), its configuration schema, plan and verify."""

from omics_provider.errors import StackConfigError
from omics_stack.annotation_store_stack import DeclaredAnnotations
from omics_stack.config import (
    AnnotationBatch,
    AnnotationStoreConfig,
    Exclusion,
    ImportBatch,
    StackConfig,
    parse_stack_config,
)
from omics_stack.declared import DeclaredStack
from omics_stack.engine_config import read_config
from omics_stack.program import DESTINATIONS, declare_stack, stack_config

__all__ = [
    "DESTINATIONS",
    "AnnotationBatch",
    "AnnotationStoreConfig",
    "DeclaredAnnotations",
    "DeclaredStack",
    "Exclusion",
    "ImportBatch",
    "StackConfig",
    "StackConfigError",
    "declare_stack",
    "parse_stack_config",
    "read_config",
    "stack_config",
]
