"""The VariantImportJob resource: a HealthOmics variant import job, started once and waited for."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pulumi
from pulumi.dynamic import CheckResult, CreateResult, DiffResult, ReadResult, UpdateResult

from omics_provider.core.errors import ProviderError
from omics_provider.core.service import MAX_ITEMS_PER_JOB, string_rule
from omics_provider.core.timing import Deadline
from omics_provider.core.validation import Checker
from omics_provider.flows.import_job import (
    ImportSpec,
    JobSession,
    adopt_job,
    cancel_job,
    find_duplicate,
    find_job,
    matching_jobs,
    start_job,
)
from omics_provider.flows.job_board import ACTIVE_STATUSES, board_for
from omics_provider.flows.job_wait import (
    UNSUCCESSFUL,
    failed_items,
    failure_message,
    job_outputs,
    wait_for_job,
)
from omics_provider.resources.properties import contains_unknown, is_unknown, pick
from omics_provider.resources.provider_base import OmicsProvider, alias_snake_case, reported

IMPORT_DEFINING = (
    "destinationName",
    "roleArn",
    "items",
    "runLeftNormalization",
    "annotationFields",
    "region",
)
"""Inputs that define what is imported: changing one means a new import job (a replacement)."""
WAIT_SETTINGS = ("waitForCompletion", "timeoutSeconds")
"""Inputs that only change how the provider waits: updated in place, no AWS call."""
INPUT_KEYS = ("resourceName", *IMPORT_DEFINING, *WAIT_SETTINGS, "allowReimport", "adoptJobId")
OUTPUT_KEYS = ("jobId", "status", "statusMessage", "creationTime", "completionTime", "itemStatuses")
DEFAULT_TIMEOUT_SECONDS = 2 * 3600.0

STORE_NAME_HINT = (
    "a variant store name is 3 to 255 characters: a lowercase letter, then lowercase letters, "
    "digits or underscores (e.g. my_variant_store)"
)
ROLE_ARN_HINT = "an IAM role ARN looks like arn:aws:iam::123456789012:role/omics-import"
SOURCE_HINT = "each source is an S3 URI s3://bucket/key, e.g. s3://my-bucket/vcf/sample1.vcf.gz"


def normalize_items(items: Any) -> Any:
    """items as a list of {"source": uri}, accepting plain URIs; anything else is left as is."""
    if not isinstance(items, Sequence) or isinstance(items, str):
        return items
    return [{"source": item} if isinstance(item, str) else item for item in items]


def normalize_inputs(props: Mapping[str, Any]) -> dict[str, Any]:
    """The resource's inputs from props, normalized for comparison and for the API."""
    inputs = pick(props, INPUT_KEYS)
    if "items" in inputs:
        inputs["items"] = normalize_items(inputs["items"])
    return inputs


def check_inputs(olds: Mapping[str, Any], news: Mapping[str, Any]) -> CheckResult:
    """Validate inputs offline against the service model; refuse an accidental re-import."""
    inputs = normalize_inputs(news)
    checker = Checker()
    if checker.required("destinationName", inputs.get("destinationName"), STORE_NAME_HINT):
        checker.shape_string(
            "destinationName", inputs["destinationName"], "StoreName", STORE_NAME_HINT
        )
    if checker.required("roleArn", inputs.get("roleArn"), ROLE_ARN_HINT):
        checker.shape_string("roleArn", inputs["roleArn"], "Arn", ROLE_ARN_HINT)
    _check_items(checker, inputs.get("items"))
    for flag in ("runLeftNormalization", "waitForCompletion", "allowReimport"):
        checker.boolean(flag, inputs.get(flag))
    checker.string_map(
        "annotationFields", inputs.get("annotationFields"), "AnnotationFieldMap", "strings"
    )
    checker.positive_number("timeoutSeconds", inputs.get("timeoutSeconds"), "seconds")
    if inputs.get("adoptJobId") is not None:
        checker.shape_string(
            "adoptJobId", inputs["adoptJobId"], "ResourceId", "a job id is a UUID, as start returns"
        )
    checker.region("region", inputs.get("region"))
    if not checker.failures:
        _check_reimport(checker, normalize_inputs(olds), inputs)
    return CheckResult(inputs, checker.failures)


def _check_items(checker: Checker, items: Any) -> None:
    if not checker.required("items", items, f"list at least one file to import; {SOURCE_HINT}"):
        return
    if is_unknown(items):
        return
    if not isinstance(items, list):
        checker.fail("items", f"must be a list of S3 URIs or {{source: uri}} maps; {SOURCE_HINT}")
        return
    if not items:
        checker.fail("items", f"must list at least one file to import; {SOURCE_HINT}")
    if len(items) > MAX_ITEMS_PER_JOB:
        checker.fail(
            "items",
            f"lists {len(items)} files; a HealthOmics import job takes at most "
            f"{MAX_ITEMS_PER_JOB}: split them across several VariantImportJob resources",
        )
        return
    rule = string_rule("S3Uri")
    seen: set[str] = set()
    for index, item in enumerate(items):
        prop = f"items[{index}]"
        if not isinstance(item, Mapping) or set(item) != {"source"}:
            if not is_unknown(item):
                checker.fail(
                    prop, f"must be an S3 URI or a map with one key, source; {SOURCE_HINT}"
                )
            continue
        source = item["source"]
        if checker.string(f"{prop}.source", source, rule, SOURCE_HINT) and not is_unknown(source):
            if source in seen:
                checker.fail(f"{prop}.source", f"{source} is listed twice; list each file once")
            seen.add(source)


def import_value(props: Mapping[str, Any], key: str) -> Any:
    """The value of an import-defining input, in the form in which two values compare."""
    value = props.get(key)
    if key == "items" and isinstance(value, list):
        return frozenset(
            item.get("source") if isinstance(item, Mapping) else item for item in value
        )
    if key == "runLeftNormalization":
        return bool(value)
    if key == "annotationFields":
        return dict(value or {})
    return value


def changed_import_inputs(olds: Mapping[str, Any], news: Mapping[str, Any]) -> list[str]:
    """The import-defining inputs whose values differ between olds and news."""
    return [
        key
        for key in IMPORT_DEFINING
        if contains_unknown(news.get(key)) or import_value(olds, key) != import_value(news, key)
    ]


def _check_reimport(checker: Checker, olds: Mapping[str, Any], news: Mapping[str, Any]) -> None:
    """Refuse a change that would import into the store again, unless allowReimport is set."""
    if not olds.get("destinationName") or news.get("allowReimport") is True:
        return
    changed = [k for k in changed_import_inputs(olds, news) if not contains_unknown(news.get(k))]
    if changed:
        checker.fail(
            changed[0],
            f"changing {', '.join(changed)} would start a new import job into store "
            f"{news.get('destinationName')!r}, so the store would receive the same data again "
            "(data already imported stays in the store). To import new files, declare a new "
            "VariantImportJob resource for them; to import again on purpose, set "
            "allowReimport: true",
        )


def diff_inputs(olds: Mapping[str, Any], news: Mapping[str, Any]) -> DiffResult:
    """Replace on an import-defining change, update in place on a wait setting, else nothing."""
    old_inputs, new_inputs = normalize_inputs(olds), normalize_inputs(news)
    replaces = changed_import_inputs(old_inputs, new_inputs)
    updates = [k for k in WAIT_SETTINGS if old_inputs.get(k) != new_inputs.get(k)]
    return DiffResult(
        changes=bool(replaces or updates), replaces=replaces, delete_before_replace=False
    )


class VariantImportJobProvider(OmicsProvider):
    """Creates, waits for, refreshes and cancels HealthOmics variant import jobs.

    Pickled by reference into every stack's state under the stable path
    `omics_provider.variant_import_job.VariantImportJobProvider`, whatever module defines it.
    """

    __module__ = "omics_provider.variant_import_job"

    kind = "VariantImportJob"
    check_inputs = staticmethod(check_inputs)
    diff_inputs = staticmethod(diff_inputs)

    @reported
    def create(self, props: dict[str, Any]) -> CreateResult:
        """Start the import (or adopt the same import already running) and, by default, wait.

        If this raises, no job of this resource is left running unrecorded that the next create
        would not adopt: a job still running after timeoutSeconds is adopted by the next `up`.
        """
        inputs = normalize_inputs(props)
        session = self._session(inputs)
        job, started = self._start_or_adopt(session, inputs)
        if inputs.get("waitForCompletion", True) and job["status"] in ACTIVE_STATUSES:
            deadline = Deadline.after(self.clock, self._timeout(inputs))
            job = wait_for_job(session, str(job["id"]), deadline, just_started=started)
        return CreateResult(str(job["id"]), self._finish(session, inputs, job))

    @reported
    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        """Refresh status, times and item statuses; a job no longer found keeps its last outputs."""
        inputs = normalize_inputs(props)
        session = self._session(inputs)
        job = find_job(session, id_)
        if job is None:
            outputs = {**pick(props, OUTPUT_KEYS), **inputs}
            outputs["statusMessage"] = (
                f"job {id_} is no longer found by HealthOmics; last known outputs kept "
                f"(last status {props.get('status')})"
            )
            return ReadResult(id_, outputs, inputs)
        return ReadResult(id_, {**inputs, **job_outputs(job)}, inputs)

    @reported
    def update(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        """Only wait settings change: wait now if waiting was switched on for a running job."""
        inputs = normalize_inputs(news)
        outputs = {**pick(olds, OUTPUT_KEYS), **inputs}
        if inputs.get("waitForCompletion", True) and olds.get("status") in ACTIVE_STATUSES:
            session = self._session(inputs)
            job = wait_for_job(session, id_, Deadline.after(self.clock, self._timeout(inputs)))
            outputs = self._finish(session, inputs, job)
        return UpdateResult(outputs)

    @reported
    def delete(self, id_: str, props: dict[str, Any]) -> None:
        """Cancel a job that still runs and confirm it; imported variants stay in the store."""
        cancel_job(self._session(normalize_inputs(props)), id_)

    def _timeout(self, inputs: Mapping[str, Any]) -> float:
        return float(inputs.get("timeoutSeconds") or DEFAULT_TIMEOUT_SECONDS)

    def _session(self, inputs: Mapping[str, Any]) -> JobSession:
        region = inputs.get("region")
        settings = self.settings
        return JobSession(
            client=self.client(region),
            board=board_for((settings.aws, region), self.clock),
            ctx=self.context(dict(inputs), self._timeout(inputs)),
            status_poll=settings.status_poll,
            quota_poll_seconds=settings.quota_poll_seconds,
        )

    def _start_or_adopt(
        self, session: JobSession, inputs: Mapping[str, Any]
    ) -> tuple[dict[str, Any], bool]:
        """The job this resource manages, and whether this call started it."""
        spec = ImportSpec.from_inputs(inputs)
        progress = session.ctx.progress
        if inputs.get("adoptJobId"):
            job = adopt_job(session, str(inputs["adoptJobId"]), spec)
            progress.line(f"adopted job {job['id']} ({job['status']}) as adoptJobId asks")
            return job, False
        stall = self._timeout(inputs)
        queued = session.board.waiting_starters()
        if queued:
            progress.line(f"queued behind {queued} imports waiting to start (job quota)")
        try:
            with session.board.turn(stall):
                return _adopt_duplicate_or_start(session, spec, inputs, stall)
        except TimeoutError as stalled:
            raise ProviderError(
                f"{session.ctx.resource}: gave up waiting for a turn to start: {stalled}"
            ) from None

    def _finish(
        self, session: JobSession, inputs: Mapping[str, Any], job: Mapping[str, Any]
    ) -> dict[str, Any]:
        """The full outputs for job; raise when it imported nothing."""
        if job.get("status") in UNSUCCESSFUL:
            raise ProviderError(failure_message(session.ctx.resource, job))
        if job.get("status") == "COMPLETED_WITH_FAILURES":
            failed = failed_items(job)
            session.ctx.progress.warn(
                f"job {job['id']} COMPLETED_WITH_FAILURES: {len(failed)} of "
                f"{len(job.get('items', []))} items failed (see itemStatuses); the others are in "
                "the store. Import the failed files with a new VariantImportJob once fixed."
            )
        return {**inputs, **job_outputs(job)}


def _adopt_duplicate_or_start(
    session: JobSession, spec: ImportSpec, inputs: Mapping[str, Any], stall: float
) -> tuple[dict[str, Any], bool]:
    """The same import already running or recently done (unless allowReimport), else a new one."""
    progress = session.ctx.progress
    earlier: frozenset[str] = frozenset()
    if inputs.get("allowReimport"):
        earlier = frozenset(matching_jobs(session, spec))
    elif (duplicate := find_duplicate(session, spec)) is not None:
        progress.line(
            f"adopted job {duplicate['id']} ({duplicate['status']}): it already imports the "
            f"same files into {spec.destination_name}; set allowReimport to import again"
        )
        return duplicate, False
    job_id = start_job(session, spec, stall, earlier)
    progress.line(f"started job {job_id} into {spec.destination_name} ({len(spec.sources)} items)")
    return _submitted(job_id, spec), True


def _submitted(job_id: str, spec: ImportSpec) -> dict[str, Any]:
    """What a job just started is known to be, without reading it back."""
    items = [{"source": s, "jobStatus": "SUBMITTED", "statusMessage": ""} for s in spec.sources]
    return {"id": job_id, "status": "SUBMITTED", "statusMessage": "", "items": items}


class VariantImportJob(pulumi.dynamic.Resource, module="omics", name="VariantImportJob"):
    """A HealthOmics variant import job into a variant store, started once by `pulumi up`."""

    job_id: pulumi.Output[str]
    status: pulumi.Output[str]
    status_message: pulumi.Output[str]
    creation_time: pulumi.Output[str]
    completion_time: pulumi.Output[str]
    item_statuses: pulumi.Output[list[dict[str, str]]]

    def __init__(
        self,
        resource_name: str,
        destination_name: pulumi.Input[str],
        role_arn: pulumi.Input[str],
        items: pulumi.Input[Sequence[pulumi.Input[str] | Mapping[str, pulumi.Input[str]]]],
        run_left_normalization: pulumi.Input[bool] | None = None,
        annotation_fields: pulumi.Input[Mapping[str, pulumi.Input[str]]] | None = None,
        wait_for_completion: pulumi.Input[bool] = True,
        timeout_seconds: pulumi.Input[float] | None = None,
        allow_reimport: pulumi.Input[bool] = False,
        adopt_job_id: pulumi.Input[str] | None = None,
        region: pulumi.Input[str] | None = None,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        props: dict[str, Any] = {
            "resourceName": resource_name,
            "destinationName": destination_name,
            "roleArn": role_arn,
            "items": items,
            "runLeftNormalization": run_left_normalization,
            "annotationFields": annotation_fields,
            "waitForCompletion": wait_for_completion,
            "timeoutSeconds": timeout_seconds,
            "allowReimport": allow_reimport,
            "adoptJobId": adopt_job_id,
            "region": region,
            **dict.fromkeys(OUTPUT_KEYS),
        }
        super().__init__(VariantImportJobProvider(), resource_name, props, opts)
        alias_snake_case(self, [key for key in props if key != "resourceName"])
