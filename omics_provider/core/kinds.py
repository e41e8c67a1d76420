"""The kinds of import job and of store HealthOmics analytics has, as data the flows take."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from botocore import xform_name

from omics_provider.core.service import STORE_NAME_HINT

IMPORT_JOB_QUOTA = "L-876AD0A2"
"""Service Quotas code of "Analytics - Maximum concurrent variant or annotation store import
jobs" (5 per region): variant and annotation import jobs count against it together."""


def method_name(operation: str) -> str:
    """The boto3 client method of a HealthOmics operation (CreateVariantStore ->
    create_variant_store), by botocore's own conversion."""
    return xform_name(operation)


Destination = tuple[tuple[str, str], ...]
"""Where an import job lands: its destination keys and values, in the kind's order."""


def source_member(item: Mapping[str, Any]) -> str:
    """The file of an item named by its `source` member (variant and annotation imports)."""
    return str(item.get("source", ""))


@dataclass(frozen=True)
class JobKind:
    """One kind of import job: its operations, message nouns, request keys and quota."""

    resource: str
    """The Pulumi resource type that declares a job of this kind."""
    noun: str
    """What a job is called in messages ("variant import job")."""
    store_noun: str
    """What its destination is called in messages ("variant store")."""
    start: str
    get: str
    list: str
    cancel: str | None
    """None for a kind HealthOmics cannot cancel (read-set imports have no cancel)."""
    list_key: str
    """The member of the list operation's answer that holds the job summaries."""
    destination_keys: tuple[str, ...]
    """Start request members that name where the data lands."""
    setting_keys: tuple[str, ...]
    """Optional start request members that say how the files are read."""
    quota_group: str
    """The Service Quotas code whose concurrent-job limit this kind counts against."""
    max_items: int | None
    """Documented files per job, or None where AWS documents no limit."""
    item_status_messages: bool
    """Whether the get operation's items carry a statusMessage."""
    store_key: str = "destinationName"
    """The start request member that names the store."""
    store_in_path: bool = False
    """Whether every operation of the kind names the store (a path parameter, store_key) and
    the job by job_key; else only the start does, and the list filters by `storeName`."""
    job_key: str = "jobId"
    """The member naming a job: in the start's answer, and in get and cancel requests."""
    items_key: str = "items"
    """The member of the start request and of the get answer that lists the job's items."""
    item_source: Callable[[Mapping[str, Any]], str] = source_member
    """The file that identifies an item (what the flows record per item)."""
    item_status_key: str = "jobStatus"
    """The member of an item of the get answer holding its status."""
    item_statuses: tuple[tuple[str, str], ...] = ()
    """The kind's item statuses that the flows know by another name (JobItemStatus: SUBMITTED,
    IN_PROGRESS, COMPLETED, FAILED, CANCELLED), translated when a job is read."""
    list_by_ids: bool = True
    """Whether the list operation takes `ids` (reads up to 20 jobs in one call)."""

    def command(self, operation: str) -> str:
        """The AWS CLI command of one of this kind's operations (get-variant-import-job)."""
        return xform_name(operation, "-")

    def destination(self, values: Mapping[str, Any]) -> Destination:
        """Where a job lands, from values holding the destination keys (None ones left out)."""
        return tuple(
            (key, str(values[key])) for key in self.destination_keys if values.get(key) is not None
        )

    def job_request(self, job_id: str, destination: Destination) -> dict[str, Any]:
        """The members that name one job of this kind in destination (get, cancel)."""
        request: dict[str, Any] = {self.job_key: job_id}
        if self.store_in_path:
            request[self.store_key] = dict(destination)[self.store_key]
        return request

    def list_request(self, destination: Destination, status: str | None) -> dict[str, Any]:
        """The members of the list operation that select the jobs into destination (in status,
        if given)."""
        found: dict[str, str] = {} if status is None else {"status": status}
        store = dict(destination)[self.store_key]
        if self.store_in_path:
            return {self.store_key: store, "filter": found} if found else {self.store_key: store}
        return {"filter": {"storeName": store, **found}}

    def job(self, answer: Mapping[str, Any]) -> dict[str, Any]:
        """The get answer as the flows read every kind's jobs: `id`, `status`,
        `statusMessage`, and `items` of `source`, `jobStatus` and `statusMessage`."""
        job = {k: v for k, v in answer.items() if k != self.items_key}
        job["id"] = str(answer.get("id") or answer.get(self.job_key, ""))
        job["items"] = [
            {
                "source": self.item_source(item),
                "jobStatus": self._item_status(item),
                "statusMessage": str(item.get("statusMessage", "")),
            }
            for item in answer.get(self.items_key) or []
        ]
        return job

    def _item_status(self, item: Mapping[str, Any]) -> str:
        status = str(item.get(self.item_status_key, ""))
        return dict(self.item_statuses).get(status, status)

    def label(self, destination: Destination) -> str:
        """How messages name a destination: `store 's'`, `version 'v' of store 's'`."""
        where = dict(destination)
        store = f"store {where.get('destinationName')!r}"
        return f"version {where['versionName']!r} of {store}" if "versionName" in where else store


VARIANT_IMPORT = JobKind(
    resource="VariantImportJob",
    noun="variant import job",
    store_noun="variant store",
    start="StartVariantImportJob",
    get="GetVariantImportJob",
    list="ListVariantImportJobs",
    cancel="CancelVariantImportJob",
    list_key="variantImportJobs",
    destination_keys=("destinationName",),
    setting_keys=("runLeftNormalization", "annotationFields"),
    quota_group=IMPORT_JOB_QUOTA,
    max_items=1000,
    item_status_messages=True,
)

ANNOTATION_IMPORT = JobKind(
    resource="AnnotationImportJob",
    noun="annotation import job",
    store_noun="annotation store",
    start="StartAnnotationImportJob",
    get="GetAnnotationImportJob",
    list="ListAnnotationImportJobs",
    cancel="CancelAnnotationImportJob",
    list_key="annotationImportJobs",
    destination_keys=("destinationName", "versionName"),
    setting_keys=("formatOptions", "runLeftNormalization", "annotationFields"),
    quota_group=IMPORT_JOB_QUOTA,
    max_items=None,
    item_status_messages=False,
)


@dataclass(frozen=True)
class StoreKind:
    """One kind of store (or store version): its operations, nouns, create settings, statuses.

    A store is named by `name`; an annotation store version by `name` and `versionName` (its
    key). The model calls their ARN and size `<prefix>Arn` and `<prefix>SizeBytes`.
    """

    resource: str
    """The Pulumi resource type that declares a store of this kind."""
    noun: str
    """What a store is called in messages ("variant store")."""
    data_noun: str
    """What it holds, for the warning before deleting it ("variants")."""
    arn_type: str
    """The resource type in the store's ARN (arn:aws:omics:...:variantStore/<name>)."""
    create: str
    get: str
    update: str
    delete: str
    list: str
    list_key: str
    """The member of the list operation's answer that holds the store summaries."""
    create_settings: tuple[str, ...]
    """Create request members besides the ones every store takes (name, reference,
    description, sseConfig, tags)."""
    statuses: frozenset[str]
    """Every status a store of this kind can report."""
    name_hint: str
    """What a valid name looks like, for messages."""
    key: tuple[str, ...] = ("name",)
    """The request members that name one (get, update and delete take them)."""
    prefix: str = "store"
    """How the model prefixes its ARN and size: storeArn, storeSizeBytes."""
    delete_list: str | None = None
    """For a delete that takes a list of names (DeleteAnnotationStoreVersions: `versions`), the
    member holding it; its answer lists the ones it refused."""

    def label(self, key: Mapping[str, Any]) -> str:
        """How messages name the one key identifies: `store s`, `version v of store s`."""
        if len(self.key) == 1:
            return f"store {key['name']}"
        return f"version {key['versionName']} of store {key['name']}"


STORE_STATUSES = frozenset({"CREATING", "UPDATING", "DELETING", "ACTIVE", "FAILED"})
"""StoreStatus of the model: both kinds of store report these."""

VARIANT_STORE = StoreKind(
    resource="VariantStore",
    noun="variant store",
    data_noun="variants",
    arn_type="variantStore",
    create="CreateVariantStore",
    get="GetVariantStore",
    update="UpdateVariantStore",
    delete="DeleteVariantStore",
    list="ListVariantStores",
    list_key="variantStores",
    create_settings=(),
    statuses=STORE_STATUSES,
    name_hint=STORE_NAME_HINT,
)

ANNOTATION_STORE = StoreKind(
    resource="AnnotationStore",
    noun="annotation store",
    data_noun="annotations",
    arn_type="annotationStore",
    create="CreateAnnotationStore",
    get="GetAnnotationStore",
    update="UpdateAnnotationStore",
    delete="DeleteAnnotationStore",
    list="ListAnnotationStores",
    list_key="annotationStores",
    create_settings=("storeFormat", "storeOptions", "versionName"),
    statuses=STORE_STATUSES,
    name_hint=STORE_NAME_HINT.replace("variant", "annotation"),
)

ANNOTATION_STORE_VERSION = StoreKind(
    resource="AnnotationStoreVersion",
    noun="annotation store version",
    data_noun="annotations",
    arn_type="annotationStore",
    create="CreateAnnotationStoreVersion",
    get="GetAnnotationStoreVersion",
    update="UpdateAnnotationStoreVersion",
    delete="DeleteAnnotationStoreVersions",
    list="ListAnnotationStoreVersions",
    list_key="annotationStoreVersions",
    create_settings=("versionName", "versionOptions"),
    statuses=STORE_STATUSES,
    name_hint=STORE_NAME_HINT.replace("variant", "annotation"),
    key=("name", "versionName"),
    prefix="version",
    delete_list="versions",
)
"""A version of an annotation store: what annotation import jobs land in."""
