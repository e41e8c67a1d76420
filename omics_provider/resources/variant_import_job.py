"""The VariantImportJob resource: Pulumi's side (inputs, check, diff, outputs) of an import job."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

import pulumi
from pulumi.dynamic import CheckResult, CreateResult, DiffResult, ReadResult, UpdateResult

from omics_provider.aws.omics_api import OmicsApi
from omics_provider.core.properties import contains_unknown, is_unknown, pick
from omics_provider.core.redaction import redact
from omics_provider.core.service import (
    JOB_ACTIVE,
    MAX_ITEMS_PER_JOB,
    ROLE_ARN_HINT,
    SOURCE_HINT,
    STORE_NAME_HINT,
    string_rule,
)
from omics_provider.core.validation import Checker
from omics_provider.flows.import_job import CreateRequest, ImportJobFlow, JobPolicy, note_owner
from omics_provider.flows.import_spec import ImportSpec
from omics_provider.flows.job_report import failed_items, imported_by, item_counts
from omics_provider.resources.declarations import declared_items
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
OUTPUT_KEYS = (
    "jobId",
    "status",
    "statusMessage",
    "creationTime",
    "completionTime",
    "itemCounts",
    "failedItems",
    "importedBy",
)
DEFAULT_TIMEOUT_SECONDS = 2 * 3600.0


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
    checker.seconds("timeoutSeconds", inputs.get("timeoutSeconds"))
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

    def diff(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        """Compare the stored outputs with the new inputs; note which resource owns job id_."""
        note_owner(str(olds.get("resourceName")), declared_sources(olds))
        return diff_inputs(olds, news)

    @reported
    def create(self, props: dict[str, Any]) -> CreateResult:
        """Start the import once (or adopt the same import) and, by default, wait for it.

        If this raises, no job of this resource is left running unrecorded that the next create
        would not adopt: a job still running after timeoutSeconds is adopted by the next `up`.
        """
        inputs = normalize_inputs(props)
        request = CreateRequest(
            spec=ImportSpec.from_inputs(inputs),
            owner=str(inputs.get("resourceName")),
            adopt_job_id=inputs.get("adoptJobId"),
            allow_reimport=inputs.get("allowReimport") is True,
            wait=inputs.get("waitForCompletion", True) is not False,
        )
        job = self._flow(inputs).create(request)
        return CreateResult(str(job["id"]), job_outputs(inputs, job))

    def check(self, olds: dict[str, Any], news: dict[str, Any]) -> CheckResult:
        """Validate offline; for a new batch, say that what the store holds is only recorded."""
        result = super().check(olds, news)
        if not olds.get("destinationName") and not result.failures:
            progress = self.context(result.inputs, 0).progress
            progress.line(new_batch_summary(result.inputs))
        return result

    @reported
    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        """Refresh status, times and item counts; a job no longer found keeps its last outputs.

        A batch that recorded files from other jobs keeps its outputs (it settled them when it
        waited). The inputs come back unchanged (a refresh followed by `up` changes nothing).
        """
        inputs = normalize_inputs(props)
        note_owner(str(inputs.get("resourceName")), declared_sources(inputs))
        job = self._flow(inputs).refresh(id_)
        if job is not None and set(props.get("importedBy") or {}) - {id_}:
            return ReadResult(id_, {**pick(props, OUTPUT_KEYS), **inputs}, inputs)  # recorded
        if job is None:
            outputs = {**pick(props, OUTPUT_KEYS), **inputs}
            outputs["statusMessage"] = (
                f"job {id_} is no longer found by HealthOmics; last known outputs kept "
                f"(last status {props.get('status')})"
            )
            return ReadResult(id_, outputs, inputs)
        return ReadResult(id_, job_outputs(inputs, job), inputs)

    @reported
    def update(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        """Only wait settings change: wait now if waiting was switched on for a running job."""
        inputs = normalize_inputs(news)
        if news.get("waitForCompletion", True) is not False and olds.get("status") in JOB_ACTIVE:
            flow = self._flow(inputs)
            return UpdateResult(job_outputs(inputs, flow.settle(flow.wait(id_))))
        return UpdateResult({**pick(olds, OUTPUT_KEYS), **inputs})

    @reported
    def delete(self, id_: str, props: dict[str, Any]) -> None:
        """Cancel a job that still runs and confirm it ended; imported data stays in the store."""
        self._flow(normalize_inputs(props)).cancel(id_)

    def _flow(self, inputs: Mapping[str, Any]) -> ImportJobFlow:
        """The flow for this resource's job, on the board of its endpoint and resolved region."""
        timeout = float(inputs.get("timeoutSeconds") or DEFAULT_TIMEOUT_SECONDS)
        api = OmicsApi(self.client(inputs.get("region")), self.context(inputs, timeout))
        settings = self.settings
        policy = JobPolicy(settings.status_poll, settings.quota_poll_seconds, timeout)
        return ImportJobFlow.on_shared_board(api, policy)


def job_outputs(inputs: Mapping[str, Any], job: Mapping[str, Any]) -> dict[str, Any]:
    """The resource's outputs: every input unchanged, and what describes the job.

    Each item's fate is summarized: counts per status, and every item that did not import with
    its message (a 1,000-item job keeps its state small: the sources are in `items` already).
    """
    outputs: dict[str, Any] = {
        **inputs,
        "jobId": str(job["id"]),
        "status": str(job.get("status", "")),
        "statusMessage": redact(str(job.get("statusMessage", ""))),
        "itemCounts": item_counts(job),
        "failedItems": [
            {**item, "statusMessage": redact(item["statusMessage"])} for item in failed_items(job)
        ],
        "importedBy": dict(job.get("importedBy") or _all_by(inputs, job)),
    }
    for key in ("creationTime", "completionTime"):
        if isinstance(job.get(key), datetime):
            outputs[key] = job[key].isoformat()
    return outputs


def _all_by(inputs: Mapping[str, Any], job: Mapping[str, Any]) -> dict[str, str]:
    """importedBy of a job read alone: it imported every declared file that did not fail."""
    failed = {item["source"] for item in failed_items(job)}
    sources = declared_sources(inputs)
    held = {s: str(job["id"]) for s in sources if s not in failed}
    return imported_by(sources, held)


def declared_sources(props: Mapping[str, Any]) -> tuple[str, ...]:
    """The files props declare, in order (empty when items is not a list of sources)."""
    items = normalize_items(props.get("items"))
    if not isinstance(items, list):
        return ()
    return tuple(str(i["source"]) for i in items if isinstance(i, Mapping) and "source" in i)


def new_batch_summary(inputs: Mapping[str, Any]) -> str:
    """The line a new batch prints at preview: what `up` will do with its files."""
    count = len(declared_sources(inputs))
    return (
        f"new batch: {count} file(s) into store {inputs.get('destinationName')}; files the store "
        "already holds (or is importing) will be recorded, not imported again (preview cannot "
        "read the store; `up` prints the counts)"
        + ("; allowReimport: every file is imported" if inputs.get("allowReimport") else "")
    )


class VariantImportJob(pulumi.dynamic.Resource, module="omics", name="VariantImportJob"):
    """A HealthOmics variant import job into a variant store, started once by `pulumi up`."""

    job_id: pulumi.Output[str]
    status: pulumi.Output[str]
    status_message: pulumi.Output[str]
    creation_time: pulumi.Output[str]
    completion_time: pulumi.Output[str]
    item_counts: pulumi.Output[dict[str, int]]
    failed_items: pulumi.Output[list[dict[str, str]]]
    imported_by: pulumi.Output[dict[str, str]]

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
            "items": declared_items(resource_name, destination_name, items, region),
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
