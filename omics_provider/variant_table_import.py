"""The pickle path of VariantTableImportProvider: every stack's state names this module; keep it."""

from omics_provider.resources.variant_table_import import (
    VariantTableImport,
    VariantTableImportProvider,
)

__all__ = ["VariantTableImport", "VariantTableImportProvider"]
