"""Pulumi dynamic provider for AWS HealthOmics variant stores and variant import jobs."""

from omics_provider.resources.import_role import VariantImportRole
from omics_provider.resources.variant_import_job import VariantImportJob, VariantImportJobProvider
from omics_provider.resources.variant_store import VariantStore, VariantStoreProvider
from omics_provider.resources.variant_table import VariantTable, VariantTableProvider
from omics_provider.resources.variant_table_import import (
    VariantTableImport,
    VariantTableImportProvider,
)

__all__ = [
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
