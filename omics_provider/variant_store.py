"""The pickle path of VariantStoreProvider: every stack's state names this module; keep it."""

from omics_provider.resources.variant_store import VariantStore, VariantStoreProvider

__all__ = ["VariantStore", "VariantStoreProvider"]
