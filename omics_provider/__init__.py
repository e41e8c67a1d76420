"""Pulumi dynamic provider for AWS HealthOmics variant stores and variant import jobs."""

from .variant_import_job import VariantImportJob, VariantImportJobProvider

__all__ = ["VariantImportJob", "VariantImportJobProvider"]
