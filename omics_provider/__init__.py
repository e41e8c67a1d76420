"""Pulumi dynamic provider for AWS HealthOmics variant stores and variant import jobs."""

from .import_role import VariantImportRole
from .variant_import_job import VariantImportJob, VariantImportJobProvider
from .variant_store import VariantStore, VariantStoreProvider

__all__ = [
    "VariantImportJob",
    "VariantImportJobProvider",
    "VariantImportRole",
    "VariantStore",
    "VariantStoreProvider",
]
