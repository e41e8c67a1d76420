"""The pickle path of AnnotationStoreProvider: every stack's state names this module; keep it."""

from omics_provider.resources.annotation_store import AnnotationStore, AnnotationStoreProvider

__all__ = ["AnnotationStore", "AnnotationStoreProvider"]
