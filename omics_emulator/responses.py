"""Operation handlers: turn validated API parameters into backend calls and API-shaped results."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from omics_emulator.models import OmicsBackend, Page

Params = dict[str, Any]
Handler = Callable[[OmicsBackend, Params, str], Params]


def _create_variant_store(backend: OmicsBackend, p: Params, region: str) -> Params:
    return backend.create_variant_store(
        p.get("name"),
        p["reference"],
        p.get("description", ""),
        p.get("tags"),
        p.get("sseConfig"),
        region,
    )


def _get_variant_store(backend: OmicsBackend, p: Params, region: str) -> Params:
    return backend.get_variant_store(p["name"])


def _list_variant_stores(backend: OmicsBackend, p: Params, region: str) -> Params:
    page = backend.list_variant_stores(
        p.get("ids"), p.get("filter", {}).get("status"), p.get("maxResults"), p.get("nextToken")
    )
    return _page("variantStores", page)


def _update_variant_store(backend: OmicsBackend, p: Params, region: str) -> Params:
    return backend.update_variant_store(p["name"], p.get("description"))


def _delete_variant_store(backend: OmicsBackend, p: Params, region: str) -> Params:
    return backend.delete_variant_store(p["name"], bool(p.get("force", False)))


def _start_variant_import_job(backend: OmicsBackend, p: Params, region: str) -> Params:
    return backend.start_variant_import_job(
        p["destinationName"],
        p["roleArn"],
        [item["source"] for item in p["items"]],
        bool(p.get("runLeftNormalization", False)),
        p.get("annotationFields"),
    )


def _get_variant_import_job(backend: OmicsBackend, p: Params, region: str) -> Params:
    return backend.get_variant_import_job(p["jobId"])


def _list_variant_import_jobs(backend: OmicsBackend, p: Params, region: str) -> Params:
    filters = p.get("filter", {})
    page = backend.list_variant_import_jobs(
        p.get("ids"),
        filters.get("status"),
        filters.get("storeName"),
        p.get("maxResults"),
        p.get("nextToken"),
    )
    return _page("variantImportJobs", page)


def _cancel_variant_import_job(backend: OmicsBackend, p: Params, region: str) -> Params:
    return backend.cancel_variant_import_job(p["jobId"])


def _create_annotation_store(backend: OmicsBackend, p: Params, region: str) -> Params:
    return backend.annotations.create_annotation_store(
        p.get("name"),
        p["storeFormat"],
        p.get("reference"),
        p.get("storeOptions"),
        p.get("versionName"),
        p.get("description", ""),
        p.get("tags"),
        p.get("sseConfig"),
        region,
    )


def _get_annotation_store(backend: OmicsBackend, p: Params, region: str) -> Params:
    return backend.annotations.get_annotation_store(p["name"])


def _list_annotation_stores(backend: OmicsBackend, p: Params, region: str) -> Params:
    page = backend.annotations.list_annotation_stores(
        p.get("ids"), p.get("filter", {}).get("status"), p.get("maxResults"), p.get("nextToken")
    )
    return _page("annotationStores", page)


def _update_annotation_store(backend: OmicsBackend, p: Params, region: str) -> Params:
    return backend.annotations.update_annotation_store(p["name"], p.get("description"))


def _delete_annotation_store(backend: OmicsBackend, p: Params, region: str) -> Params:
    return backend.annotations.delete_annotation_store(p["name"], bool(p.get("force", False)))


def _create_annotation_store_version(backend: OmicsBackend, p: Params, region: str) -> Params:
    return backend.annotations.create_annotation_store_version(
        p["name"],
        p["versionName"],
        p.get("description", ""),
        p.get("versionOptions"),
        p.get("tags"),
    )


def _get_annotation_store_version(backend: OmicsBackend, p: Params, region: str) -> Params:
    return backend.annotations.get_annotation_store_version(p["name"], p["versionName"])


def _list_annotation_store_versions(backend: OmicsBackend, p: Params, region: str) -> Params:
    page = backend.annotations.list_annotation_store_versions(
        p["name"], p.get("filter", {}).get("status"), p.get("maxResults"), p.get("nextToken")
    )
    return _page("annotationStoreVersions", page)


def _update_annotation_store_version(backend: OmicsBackend, p: Params, region: str) -> Params:
    return backend.annotations.update_annotation_store_version(
        p["name"], p["versionName"], p.get("description")
    )


def _delete_annotation_store_versions(backend: OmicsBackend, p: Params, region: str) -> Params:
    return backend.annotations.delete_annotation_store_versions(
        p["name"], p["versions"], bool(p.get("force", False))
    )


def _start_annotation_import_job(backend: OmicsBackend, p: Params, region: str) -> Params:
    return backend.annotations.start_annotation_import_job(
        p["destinationName"],
        p["roleArn"],
        [item["source"] for item in p["items"]],
        p.get("versionName"),
        p.get("formatOptions"),
        bool(p.get("runLeftNormalization", False)),
        p.get("annotationFields"),
    )


def _get_annotation_import_job(backend: OmicsBackend, p: Params, region: str) -> Params:
    return backend.annotations.get_annotation_import_job(p["jobId"])


def _list_annotation_import_jobs(backend: OmicsBackend, p: Params, region: str) -> Params:
    filters = p.get("filter", {})
    page = backend.annotations.list_annotation_import_jobs(
        p.get("ids"),
        filters.get("status"),
        filters.get("storeName"),
        p.get("maxResults"),
        p.get("nextToken"),
    )
    return _page("annotationImportJobs", page)


def _cancel_annotation_import_job(backend: OmicsBackend, p: Params, region: str) -> Params:
    return backend.annotations.cancel_annotation_import_job(p["jobId"])


def _page(key: str, page: Page) -> Params:
    return {key: page.items, "nextToken": page.next_token}


HANDLERS: dict[str, Handler] = {
    "CreateVariantStore": _create_variant_store,
    "GetVariantStore": _get_variant_store,
    "ListVariantStores": _list_variant_stores,
    "UpdateVariantStore": _update_variant_store,
    "DeleteVariantStore": _delete_variant_store,
    "StartVariantImportJob": _start_variant_import_job,
    "GetVariantImportJob": _get_variant_import_job,
    "ListVariantImportJobs": _list_variant_import_jobs,
    "CancelVariantImportJob": _cancel_variant_import_job,
    "CreateAnnotationStore": _create_annotation_store,
    "GetAnnotationStore": _get_annotation_store,
    "ListAnnotationStores": _list_annotation_stores,
    "UpdateAnnotationStore": _update_annotation_store,
    "DeleteAnnotationStore": _delete_annotation_store,
    "CreateAnnotationStoreVersion": _create_annotation_store_version,
    "GetAnnotationStoreVersion": _get_annotation_store_version,
    "ListAnnotationStoreVersions": _list_annotation_store_versions,
    "UpdateAnnotationStoreVersion": _update_annotation_store_version,
    "DeleteAnnotationStoreVersions": _delete_annotation_store_versions,
    "StartAnnotationImportJob": _start_annotation_import_job,
    "GetAnnotationImportJob": _get_annotation_import_job,
    "ListAnnotationImportJobs": _list_annotation_import_jobs,
    "CancelAnnotationImportJob": _cancel_annotation_import_job,
}
"""The emulated operations; every other omics operation answers 501."""
