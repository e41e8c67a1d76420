"""The pickle path of AnnotationImportJobProvider: stacks' state names this module; keep it."""

from omics_provider.resources.annotation_import_job import (
    AnnotationImportJob,
    AnnotationImportJobProvider,
)

__all__ = ["AnnotationImportJob", "AnnotationImportJobProvider"]
