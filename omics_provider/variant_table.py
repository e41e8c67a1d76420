"""The pickle path of VariantTableProvider: every stack's state names this module; keep it."""

from omics_provider.resources.variant_table import VariantTable, VariantTableProvider

__all__ = ["VariantTable", "VariantTableProvider"]
