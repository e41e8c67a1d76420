"""Pulumi dynamic provider for AWS HealthOmics variant and annotation stores and import jobs."""

from omics_provider.resources.annotation_import_job import (
    AnnotationImportJob,
    AnnotationImportJobProvider,
)
from omics_provider.resources.annotation_store import AnnotationStore, AnnotationStoreProvider
from omics_provider.resources.annotation_store_version import (
    AnnotationStoreVersion,
    AnnotationStoreVersionProvider,
)
from omics_provider.resources.import_role import VariantImportRole
from omics_provider.resources.variant_import_job import VariantImportJob, VariantImportJobProvider
from omics_provider.resources.variant_store import VariantStore, VariantStoreProvider
from omics_provider.resources.variant_table import VariantTable, VariantTableProvider
from omics_provider.resources.variant_table_import import (
    VariantTableImport,
    VariantTableImportProvider,
)

__all__ = [
    "AnnotationImportJob",
    "AnnotationImportJobProvider",
    "AnnotationStore",
    "AnnotationStoreProvider",
    "AnnotationStoreVersion",
    "AnnotationStoreVersionProvider",
    "VariantImportJob",
    "VariantImportJobProvider",
    "VariantImportRole",
    "VariantStore",
    "VariantStoreProvider",
    "VariantTable",
    "VariantTableImport",
    "VariantTableImportProvider",
    "VariantTableProvider",
]
