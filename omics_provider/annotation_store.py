"""The pickle path of the annotation store providers: every stack's state names this module."""

from omics_provider.resources.annotation_store import AnnotationStore, AnnotationStoreProvider
from omics_provider.resources.annotation_store_version import (
    AnnotationStoreVersion,
    AnnotationStoreVersionProvider,
)

__all__ = [
    "AnnotationStore",
    "AnnotationStoreProvider",
    "AnnotationStoreVersion",
    "AnnotationStoreVersionProvider",
]
