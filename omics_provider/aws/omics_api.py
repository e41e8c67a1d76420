"""The HealthOmics operations this provider uses, one typed method each, retried by call()."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from omics_provider.aws.calls import CallContext, call
from omics_provider.core.kinds import Destination, JobKind, StoreKind, method_name
from omics_provider.core.timing import Deadline

if TYPE_CHECKING:
    from mypy_boto3_omics import OmicsClient

DELETE_STORE_HINT = (
    "cancel the import jobs still running into the store, or set forceDestroy: true "
    "(run `pulumi up` so the setting is stored) and destroy again"
)


@dataclass
class OmicsApi:
    """One client and the context of the operation its calls belong to.

    Every method takes the deadline that bounds it (keyword `deadline`): its retries never run
    past it. The caller, not the api, says which deadline that is.
    """

    client: OmicsClient
    ctx: CallContext

    # --- import jobs of every kind ------------------------------------------------------------
    def get_job(
        self, kind: JobKind, job_id: str, destination: Destination, *, deadline: Deadline
    ) -> dict[str, Any]:
        """The kind's get (GetVariantImportJob, ...) of a job into destination, as the flows
        read jobs (JobKind.job); ResourceMissingError when the service no longer knows it."""
        request = kind.job_request(job_id, destination)
        return kind.job(call(self.ctx, kind.get, self._method(kind.get), deadline, **request))

    def jobs_into(
        self,
        kind: JobKind,
        destination: Destination,
        status: str | None = None,
        *,
        deadline: Deadline,
    ) -> Iterator[Mapping[str, Any]]:
        """Summaries of every job of kind into destination's store (in status, if given), page
        by page."""
        kwargs = kind.list_request(destination, status)
        while True:
            page = call(self.ctx, kind.list, self._method(kind.list), deadline, **kwargs)
            yield from page.get(kind.list_key, [])
            if not page.get("nextToken"):
                return
            kwargs["nextToken"] = page["nextToken"]

    def jobs_by_id(
        self, kind: JobKind, job_ids: list[str], *, deadline: Deadline
    ) -> list[Mapping[str, Any]]:
        """Summaries of up to LIST_IDS_LIMIT jobs of kind in one call (ids the service omits are
        gone); only for a kind whose list takes ids (JobKind.list_by_ids)."""
        if not kind.list_by_ids:
            raise ValueError(f"{kind.list} does not take ids: read each {kind.noun} alone")
        page = call(self.ctx, kind.list, self._method(kind.list), deadline, ids=job_ids)
        return list(page.get(kind.list_key, []))

    def start_job(self, kind: JobKind, request: Mapping[str, Any], *, deadline: Deadline) -> str:
        """The kind's start once: never repeated after a failure that may have started it.

        Raises OutcomeUnknownError (look before starting again), QuotaExceededError, or a
        ProviderError; waits up to a minute for a role HealthOmics cannot assume yet.
        """
        response = call(
            self.ctx,
            kind.start,
            self._method(kind.start),
            deadline,
            hints={
                "ResourceNotFoundException": (
                    f"no {kind.store_noun} named {request[kind.store_key]!r} exists in this "
                    f"account and region: check {kind.store_key}, or declare the store first"
                )
            },
            wait_for_role=True,
            idempotent=False,
            **request,
        )
        return str(response[kind.job_key])

    def cancel_job(
        self, kind: JobKind, job_id: str, destination: Destination, *, deadline: Deadline
    ) -> None:
        """The kind's cancel (the job may take a while to report CANCELLED); only for a kind
        that has one."""
        if kind.cancel is None:
            raise ValueError(f"HealthOmics cannot cancel a {kind.noun}")
        request = kind.job_request(job_id, destination)
        call(self.ctx, kind.cancel, self._method(kind.cancel), deadline, **request)

    # --- stores of every kind (and annotation store versions) ------------------------------
    def get_store(
        self, kind: StoreKind, key: Mapping[str, Any], *, deadline: Deadline
    ) -> Mapping[str, Any]:
        """The kind's get (GetVariantStore, ...) of the one key names; ResourceMissingError when
        there is none."""
        return call(self.ctx, kind.get, self._method(kind.get), deadline, **key)

    def create_store(
        self, kind: StoreKind, request: Mapping[str, Any], *, deadline: Deadline
    ) -> Mapping[str, Any]:
        """The kind's create once: ConflictError when the name is taken, OutcomeUnknownError
        when the store may have been created although the call failed."""
        create = self._method(kind.create)
        return call(self.ctx, kind.create, create, deadline, idempotent=False, **request)

    def update_store_description(
        self, kind: StoreKind, key: Mapping[str, Any], description: str, *, deadline: Deadline
    ) -> None:
        """The kind's update with a new description."""
        update = self._method(kind.update)
        call(self.ctx, kind.update, update, deadline, description=description, **key)

    def delete_store(
        self, kind: StoreKind, key: Mapping[str, Any], force: bool, *, deadline: Deadline
    ) -> None:
        """The kind's delete; ResourceMissingError when it is already gone. A delete that takes
        a list (of versions) and refuses one raises a ProviderError with the service's reason."""
        hints = {"ConflictException": DELETE_STORE_HINT}
        delete = self._method(kind.delete)
        if kind.delete_list is None:
            call(self.ctx, kind.delete, delete, deadline, hints=hints, force=force, **key)
            return
        listed: dict[str, Any] = {"name": key["name"], kind.delete_list: [key["versionName"]]}
        answer = call(self.ctx, kind.delete, delete, deadline, hints=hints, force=force, **listed)
        for refused in answer.get("errors") or []:
            raise self.ctx.error(
                f"refused {kind.label(key)}: {refused.get('message')}",
                DELETE_STORE_HINT,
                operation=kind.delete,
            )

    def _method(self, operation: str) -> Callable[..., Mapping[str, Any]]:
        """The client's method for operation."""
        method: Callable[..., Mapping[str, Any]] = getattr(self.client, method_name(operation))
        return method
