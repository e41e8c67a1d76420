"""The annotation side of the backend: stores, versions and import jobs (no HTTP).

It shares its backend's lock, clock, timeline, ids and job machinery: an annotation import
job is admitted, run, cancelled and finished exactly as a variant import job is, and both
kinds count against one concurrent-jobs quota, as HealthOmics' "Analytics - Maximum
concurrent variant or annotation store import jobs" does.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

from omics_emulator.annotation_resources import (
    AnnotationImportJob,
    AnnotationStore,
    AnnotationVersion,
)
from omics_emulator.exceptions import (
    ConflictException,
    ResourceNotFoundException,
    ServiceQuotaExceededException,
    ValidationException,
)
from omics_emulator.models import (
    ACCOUNT_ID,
    DEFAULT_REGION,
    GONE,
    RUNNING,
    ImportJob,
    Page,
    paginate,
    refuse_delete,
)

if TYPE_CHECKING:
    from omics_emulator.models import OmicsBackend

FORMAT_OPTIONS = {"TSV": "tsvOptions", "VCF": "vcfOptions"}
"""The one formatOptions member each store format takes (GFF takes none)."""
REFERENCE_FREE_TYPE = "GENERIC"
"""The only case without a reference: a TSV store of GENERIC annotations (CreateAnnotationStore)."""


class AnnotationStores:
    """Annotation stores, versions and import jobs of one backend; every method is thread-safe."""

    def __init__(self, backend: OmicsBackend) -> None:
        self._backend = backend
        self._stores: dict[str, AnnotationStore] = {}
        self._jobs: dict[str, AnnotationImportJob] = {}

    # -- observability -------------------------------------------------------------------

    def stores(self) -> list[dict[str, Any]]:
        """Every annotation store held, as GetAnnotationStore shows it."""
        with self._backend.lock:
            self._backend.tick()
            return [s.detail() for s in self._stores.values()]

    def jobs(self, store_name: str | None = None) -> list[dict[str, Any]]:
        """Annotation import jobs (into ``store_name`` if given) in creation order, as Get shows."""
        with self._backend.lock:
            self._backend.tick()
            return [
                j.detail()
                for j in self._jobs.values()
                if store_name is None or j.destination_name == store_name
            ]

    def imported_sources(self, store_name: str, version_name: str | None = None) -> Counter[str]:
        """How many times each source was imported into a version (default: the store's first).

        Items of COMPLETED and COMPLETED_WITH_FAILURES jobs count once each when the job ends;
        CANCELLED and FAILED jobs import nothing. Raises ResourceNotFoundException when the
        store or version does not exist (any more).
        """
        with self._backend.lock:
            self._backend.tick()
            store = self._store(store_name)
            return Counter(self._version(store, version_name or store.default_version).imported)

    def held_jobs(self) -> list[ImportJob]:
        """Every annotation import job held (the caller holds the lock)."""
        return list(self._jobs.values())

    def apply(self, resource: object, target: str, at: float) -> None:
        """Apply a scheduled change to a store or version (called by the backend's tick)."""
        if isinstance(resource, AnnotationStore):
            if target == GONE:
                self._stores.pop(resource.name, None)
            else:
                resource.move(target, at, scheduled=True)
        elif isinstance(resource, AnnotationVersion):
            if target == GONE:
                resource.store.versions.pop(resource.name, None)
            else:
                resource.move(target, at, scheduled=True)

    # -- annotation stores ---------------------------------------------------------------

    def create_annotation_store(
        self,
        name: str | None,
        store_format: str,
        reference: dict[str, str] | None = None,
        store_options: dict[str, Any] | None = None,
        version_name: str | None = None,
        description: str = "",
        tags: dict[str, str] | None = None,
        sse_config: dict[str, str] | None = None,
        region: str = DEFAULT_REGION,
    ) -> dict[str, Any]:
        """Create a store in CREATING with its first version; both turn ACTIVE after store_seconds.

        The first version is named ``version_name``, else after the store.
        """
        if not name:
            raise ValidationException("name is required to create an annotation store")
        _check_store_shape(store_format, reference, store_options)
        with self._backend.lock:
            now = self._backend.tick()
            self._check_store_quota()
            if name in self._stores:
                raise ConflictException(f"An annotation store named {name} already exists")
            store = AnnotationStore(
                id=self._backend.new_store_id(),
                name=name,
                arn=f"arn:aws:omics:{region}:{ACCOUNT_ID}:annotationStore/{name}",
                store_format=store_format,
                reference=reference,
                options=store_options,
                description=description,
                sse_config=dict(sse_config or {"type": "KMS"}),
                tags=dict(tags or {}),
                creation_time=now,
                default_version=version_name or name,
                update_time=now,
            )
            self._stores[name] = store
            self._backend.schedule(now + self._backend.settings.store_seconds, store, "ACTIVE")
            self._add_version(store, store.default_version, "", _version_options(store), {}, now)
            return store.created()

    def get_annotation_store(self, name: str) -> dict[str, Any]:
        """The annotation store named ``name``."""
        with self._backend.lock:
            self._backend.tick()
            return self._store(name).detail()

    def list_annotation_stores(
        self,
        ids: Sequence[str] | None = None,
        status: str | None = None,
        max_results: int | None = None,
        next_token: str | None = None,
    ) -> Page:
        """Stores in creation order, filtered by ids and status, one page at a time."""
        with self._backend.lock:
            self._backend.tick()
            rows = [
                s.summary()
                for s in self._stores.values()
                if (not ids or s.id in ids) and (not status or s.status == status)
            ]
            return paginate(rows, max_results, next_token)

    def update_annotation_store(self, name: str, description: str | None) -> dict[str, Any]:
        """Change the store's description."""
        with self._backend.lock:
            now = self._backend.tick()
            store = self._store(name)
            if store.status == "DELETING":
                raise ValidationException(f"Annotation store {name} is being deleted")
            if description is not None:
                store.description, store.update_time = description, now
            return store.updated()

    def delete_annotation_store(self, name: str, force: bool = False) -> dict[str, Any]:
        """Start deleting the store and its versions; they disappear after ``store_seconds``.

        A store holding data or with a running import job is only deleted with ``force``;
        its running jobs then fail.
        """
        with self._backend.lock:
            now = self._backend.tick()
            store = self._store(name)
            if store.status == "DELETING":
                return {"status": store.status}
            running = self._running_into(store.versions.values())
            if not force:
                refuse_delete(f"Annotation store {name}", store.size_bytes, running)
            _fail(running, now, f"Annotation store {name} was deleted while the job was running")
            for version in store.versions.values():
                if version.status != "DELETING":
                    version.move("DELETING", now)
            store.move("DELETING", now)
            self._backend.schedule(now + self._backend.settings.store_seconds, store, GONE)
            return {"status": store.status}

    # -- annotation store versions -------------------------------------------------------

    def create_annotation_store_version(
        self,
        name: str,
        version_name: str,
        description: str = "",
        version_options: dict[str, Any] | None = None,
        tags: dict[str, str] | None = None,
    ) -> dict[str, Any]:
        """Add a version in CREATING to an ACTIVE store; it turns ACTIVE after store_seconds.

        Its options default to the store's (``tsvStoreOptions`` become ``tsvVersionOptions``).
        """
        with self._backend.lock:
            now = self._backend.tick()
            store = self._active_store(name, "versions are added to an ACTIVE store")
            if version_options is not None and store.store_format != "TSV":
                raise ValidationException(
                    f"versionOptions apply to TSV stores only; annotation store {name} "
                    f"is a {store.store_format} store"
                )
            if version_name in store.versions:
                raise ConflictException(
                    f"Annotation store {name} already has a version named {version_name}"
                )
            options = version_options or _version_options(store)
            version = self._add_version(store, version_name, description, options, tags, now)
            return version.created()

    def get_annotation_store_version(self, name: str, version_name: str) -> dict[str, Any]:
        """The version ``version_name`` of the store ``name``."""
        with self._backend.lock:
            self._backend.tick()
            return self._version(self._store(name), version_name).detail()

    def list_annotation_store_versions(
        self,
        name: str,
        status: str | None = None,
        max_results: int | None = None,
        next_token: str | None = None,
    ) -> Page:
        """The store's versions in creation order, filtered by status, one page at a time."""
        with self._backend.lock:
            self._backend.tick()
            versions = self._store(name).versions.values()
            rows = [v.summary() for v in versions if not status or v.status == status]
            return paginate(rows, max_results, next_token)

    def update_annotation_store_version(
        self, name: str, version_name: str, description: str | None
    ) -> dict[str, Any]:
        """Change the version's description."""
        with self._backend.lock:
            now = self._backend.tick()
            version = self._version(self._store(name), version_name)
            if version.status == "DELETING":
                raise ValidationException(
                    f"Version {version_name} of annotation store {name} is being deleted"
                )
            if description is not None:
                version.description, version.update_time = description, now
            return version.updated()

    def delete_annotation_store_versions(
        self, name: str, version_names: Iterable[str], force: bool = False
    ) -> dict[str, Any]:
        """Start deleting each named version; the ones that cannot be deleted come back as errors.

        A version holding data or with a running import job is only deleted with ``force``
        (its running jobs then fail); an unknown version is an error; one already being
        deleted is left as it is.
        """
        with self._backend.lock:
            now = self._backend.tick()
            store = self._store(name)
            errors = []
            for version_name in version_names:
                refused = self._delete_version(store, version_name, force, now)
                if refused is not None:
                    errors.append({"versionName": version_name, "message": refused})
            return {"errors": errors}

    # -- annotation import jobs ----------------------------------------------------------

    def start_annotation_import_job(
        self,
        destination_name: str,
        role_arn: str,
        items: Iterable[str],
        version_name: str | None = None,
        format_options: dict[str, Any] | None = None,
        run_left_normalization: bool = False,
        annotation_fields: dict[str, str] | None = None,
    ) -> dict[str, Any]:
        """Submit an import job of ``items`` (S3 URIs) into an ACTIVE version of an ACTIVE store.

        The version defaults to the store's first. ``format_options`` must suit the store's
        format: ``tsvOptions`` for TSV, ``vcfOptions`` for VCF, none for GFF.
        """
        sources = list(items)
        with self._backend.lock:
            now = self._backend.tick()
            store = self._active_store(destination_name, "imports need an ACTIVE store")
            version = self._version(store, version_name or store.default_version)
            if version.status != "ACTIVE":
                raise ValidationException(
                    f"Version {version.name} of annotation store {store.name} is "
                    f"{version.status}, not ACTIVE: imports need an ACTIVE version"
                )
            _check_format_options(store, format_options)
            return self._backend.submit_job(
                self._jobs,
                AnnotationImportJob,
                role_arn,
                sources,
                now,
                destination_name=destination_name,
                run_left_normalization=run_left_normalization,
                annotation_fields=dict(annotation_fields or {}),
                version=version,
                format_options=format_options,
            )

    def get_annotation_import_job(self, job_id: str) -> dict[str, Any]:
        """The annotation import job ``job_id``."""
        with self._backend.lock:
            self._backend.tick()
            return self._job(job_id).detail()

    def list_annotation_import_jobs(
        self,
        ids: Sequence[str] | None = None,
        status: str | None = None,
        store_name: str | None = None,
        max_results: int | None = None,
        next_token: str | None = None,
    ) -> Page:
        """Annotation import jobs as the backend's list_jobs shows them (a new job is missing for
        list_delay_seconds)."""
        return self._backend.list_jobs(self._jobs, ids, status, store_name, max_results, next_token)

    def cancel_annotation_import_job(self, job_id: str) -> dict[str, Any]:
        """Cancel the job ``job_id`` as the backend's ``cancel_job`` says."""
        with self._backend.lock:
            now = self._backend.tick()
            self._backend.cancel_job(self._job(job_id), now)
            return {}

    # -- internals -----------------------------------------------------------------------

    def _check_store_quota(self) -> None:
        limit = self._backend.settings.max_annotation_stores
        if len(self._stores) >= limit:
            raise ServiceQuotaExceededException(
                f"Maximum number of annotation stores ({limit}) reached; delete a store or "
                "request a quota increase"
            )

    def _add_version(
        self,
        store: AnnotationStore,
        version_name: str,
        description: str,
        options: dict[str, Any] | None,
        tags: dict[str, str] | None,
        now: float,
    ) -> AnnotationVersion:
        version = AnnotationVersion(
            id=self._backend.new_store_id(),
            store=store,
            name=version_name,
            arn=f"{store.arn}/version/{version_name}",
            description=description,
            options=options,
            tags=dict(tags or {}),
            creation_time=now,
            update_time=now,
        )
        store.versions[version_name] = version
        self._backend.schedule(now + self._backend.settings.store_seconds, version, "ACTIVE")
        return version

    def _delete_version(
        self, store: AnnotationStore, version_name: str, force: bool, now: float
    ) -> str | None:
        """Start deleting one version; the reason it cannot be, if any."""
        version = store.versions.get(version_name)
        if version is None:
            return f"Version {version_name} of annotation store {store.name} not found"
        if version.status == "DELETING":
            return None
        running = self._running_into([version])
        if not force:
            try:
                refuse_delete(f"Version {version_name}", version.size_bytes, running)
            except ConflictException as refused:
                return refused.message
        _fail(running, now, f"Version {version_name} was deleted while the job was running")
        version.move("DELETING", now)
        self._backend.schedule(now + self._backend.settings.store_seconds, version, GONE)
        return None

    def _running_into(self, versions: Iterable[AnnotationVersion]) -> list[AnnotationImportJob]:
        targets = list(versions)
        return [
            j
            for j in self._jobs.values()
            if j.status in RUNNING and any(j.version is v for v in targets)
        ]

    def _active_store(self, name: str, why: str) -> AnnotationStore:
        store = self._store(name)
        if store.status != "ACTIVE":
            raise ValidationException(
                f"Annotation store {name} is {store.status}, not ACTIVE: {why}"
            )
        return store

    def _store(self, name: str) -> AnnotationStore:
        store = self._stores.get(name)
        if store is None:
            raise ResourceNotFoundException(f"Annotation store {name} not found")
        return store

    def _version(self, store: AnnotationStore, version_name: str) -> AnnotationVersion:
        version = store.versions.get(version_name)
        if version is None:
            raise ResourceNotFoundException(
                f"Version {version_name} of annotation store {store.name} not found"
            )
        return version

    def _job(self, job_id: str) -> AnnotationImportJob:
        job = self._jobs.get(job_id)
        if job is None:
            raise ResourceNotFoundException(f"Annotation import job {job_id} not found")
        return job


def _check_store_shape(
    store_format: str, reference: dict[str, str] | None, options: dict[str, Any] | None
) -> None:
    """Refuse options a format does not take and a missing reference a format needs."""
    if options is not None and store_format != "TSV":
        raise ValidationException(
            f"storeOptions apply to TSV stores only; this store's format is {store_format}"
        )
    annotation_type = (options or {}).get("tsvStoreOptions", {}).get("annotationType")
    if reference is None and annotation_type != REFERENCE_FREE_TYPE:
        raise ValidationException(
            "reference is required for GFF and VCF stores and for TSV stores whose "
            f"annotationType is not {REFERENCE_FREE_TYPE}"
        )


def _check_format_options(store: AnnotationStore, format_options: dict[str, Any] | None) -> None:
    """Refuse formatOptions that do not suit the store's format."""
    if not format_options:
        return
    member = next(iter(format_options))
    expected = FORMAT_OPTIONS.get(store.store_format)
    if member != expected:
        takes = f"takes {expected}" if expected else "takes no formatOptions"
        raise ValidationException(
            f"formatOptions.{member} does not suit annotation store {store.name}: a "
            f"{store.store_format} store {takes}"
        )


def _version_options(store: AnnotationStore) -> dict[str, Any] | None:
    """A version's options as the store's options give them (TSV stores only)."""
    tsv = (store.options or {}).get("tsvStoreOptions")
    return {"tsvVersionOptions": dict(tsv)} if tsv is not None else None


def _fail(jobs: list[AnnotationImportJob], now: float, message: str) -> None:
    for job in jobs:
        job.move("FAILED", now, message)
