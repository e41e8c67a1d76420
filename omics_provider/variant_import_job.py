"""The pickle path of VariantImportJobProvider: every stack's state names this module; keep it."""

from omics_provider.resources.variant_import_job import VariantImportJob, VariantImportJobProvider

__all__ = ["VariantImportJob", "VariantImportJobProvider"]
