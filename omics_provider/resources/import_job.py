"""Pulumi's side of an import job of any kind (inputs, check, diff, outputs), by its JobKind."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import Any, ClassVar

from pulumi.dynamic import CheckResult, CreateResult, DiffResult, ReadResult, UpdateResult

from omics_provider.aws.omics_api import OmicsApi
from omics_provider.core.kinds import JobKind
from omics_provider.core.properties import contains_unknown, is_unknown, pick
from omics_provider.core.redaction import redact
from omics_provider.core.service import (
    JOB_ACTIVE,
    ROLE_ARN_HINT,
    SOURCE_HINT,
    STORE_NAME_HINT,
    omics_model,
    string_rule,
)
from omics_provider.core.validation import Checker, quoted
from omics_provider.flows.import_job import (
    CreateRequest,
    ImportJobFlow,
    JobPolicy,
    note_owner,
    place_of,
)
from omics_provider.flows.import_spec import ImportSpec
from omics_provider.flows.job_report import failed_items, imported_by, item_counts
from omics_provider.resources.annotation_store import VERSION_NAME_HINT
from omics_provider.resources.declarations import declared_items
from omics_provider.resources.provider_base import OmicsProvider, reported

WAIT_SETTINGS = ("waitForCompletion", "timeoutSeconds")
"""Inputs that only change how the provider waits: updated in place, no AWS call."""
DESTINATION_SHAPES = {
    "destinationName": ("StoreName", STORE_NAME_HINT),
    "versionName": ("VersionName", VERSION_NAME_HINT),
}
"""Each destination key's shape in the service model and what a valid value looks like."""
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


def import_defining(kind: JobKind) -> tuple[str, ...]:
    """Inputs that define what a job of kind imports: changing one means a new import job (a
    replacement)."""
    return (*kind.destination_keys, "roleArn", "items", *kind.setting_keys, "region")


def input_keys(kind: JobKind) -> tuple[str, ...]:
    """Every input of a job of kind."""
    return ("resourceName", *import_defining(kind), *WAIT_SETTINGS, "allowReimport", "adoptJobId")


def normalize_inputs(kind: JobKind, props: Mapping[str, Any]) -> dict[str, Any]:
    """The resource's inputs from props, normalized for comparison and for the API."""
    inputs = pick(props, input_keys(kind))
    if "items" in inputs:
        inputs["items"] = normalize_items(inputs["items"])
    return inputs


def check_format_options(checker: Checker, prop: str, value: Any) -> None:
    """formatOptions: a map of one member of the model's FormatOptions (tsvOptions or
    vcfOptions), each level holding only the model's keys, with booleans and strings in place."""
    if value is None or contains_unknown(value):
        return
    union: Any = omics_model().shape_for("FormatOptions")
    if not isinstance(value, Mapping) or len(value) != 1 or not set(value) <= set(union.members):
        checker.fail(prop, f"must be a map with one key: {' or '.join(union.members)}")
        return
    [(member, options)] = value.items()
    _check_structure(checker, f"{prop}.{member}", options, union.members[member])


def _check_structure(checker: Checker, prop: str, value: Any, shape: Any) -> None:
    """value against a structure shape of the model: known keys, nested maps, typed leaves."""
    if shape.type_name == "boolean":
        checker.boolean(prop, value)
    elif shape.type_name == "string":
        if not isinstance(value, str):
            checker.fail(prop, f"must be a string, not {quoted(value)}")
    elif not isinstance(value, Mapping) or not set(value) <= set(shape.members):
        checker.fail(prop, f"must be a map with the keys {', '.join(shape.members)}")
    else:
        for key, item in value.items():
            _check_structure(checker, f"{prop}.{key}", item, shape.members[key])


SettingCheck = Callable[[Checker, str, Any], None]
SETTING_CHECKS: dict[str, SettingCheck] = {
    "runLeftNormalization": lambda checker, key, value: checker.boolean(key, value),
    "annotationFields": lambda checker, key, value: checker.string_map(
        key, value, "AnnotationFieldMap", "strings"
    ),
    "formatOptions": check_format_options,
}
"""How each setting key is checked offline (a kind's own settings add theirs)."""


def check_job_inputs(
    kind: JobKind, olds: Mapping[str, Any], news: Mapping[str, Any]
) -> CheckResult:
    """Validate the inputs of a job of kind offline against the service model; refuse an
    accidental re-import."""
    inputs = normalize_inputs(kind, news)
    checker = Checker()
    for key in kind.destination_keys:
        shape, hint = DESTINATION_SHAPES[key]
        if checker.required(key, inputs.get(key), hint):
            checker.shape_string(key, inputs[key], shape, hint)
    if checker.required("roleArn", inputs.get("roleArn"), ROLE_ARN_HINT):
        checker.shape_string("roleArn", inputs["roleArn"], "Arn", ROLE_ARN_HINT)
    _check_items(checker, kind, inputs.get("items"))
    for key in kind.setting_keys:
        SETTING_CHECKS[key](checker, key, inputs.get(key))
    for flag in ("waitForCompletion", "allowReimport"):
        checker.boolean(flag, inputs.get(flag))
    checker.seconds("timeoutSeconds", inputs.get("timeoutSeconds"))
    if inputs.get("adoptJobId") is not None:
        checker.shape_string(
            "adoptJobId", inputs["adoptJobId"], "ResourceId", "a job id is a UUID, as start returns"
        )
    checker.region("region", inputs.get("region"))
    if not checker.failures:
        _check_reimport(checker, kind, normalize_inputs(kind, olds), inputs)
    return CheckResult(inputs, checker.failures)


def _check_items(checker: Checker, kind: JobKind, items: Any) -> None:
    if not checker.required("items", items, f"list at least one file to import; {SOURCE_HINT}"):
        return
    if is_unknown(items):
        return
    if not isinstance(items, list):
        checker.fail("items", f"must be a list of S3 URIs or {{source: uri}} maps; {SOURCE_HINT}")
        return
    if not items:
        checker.fail("items", f"must list at least one file to import; {SOURCE_HINT}")
    if kind.max_items is not None and len(items) > kind.max_items:
        checker.fail(
            "items",
            f"lists {len(items)} files; a HealthOmics {kind.noun} takes at most "
            f"{kind.max_items}: split them across several {kind.resource} resources",
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
    if key in ("annotationFields", "formatOptions"):
        return dict(value or {})
    return value


def changed_import_inputs(
    kind: JobKind, olds: Mapping[str, Any], news: Mapping[str, Any]
) -> list[str]:
    """The import-defining inputs whose values differ between olds and news."""
    return [
        key
        for key in import_defining(kind)
        if contains_unknown(news.get(key)) or import_value(olds, key) != import_value(news, key)
    ]


def _check_reimport(
    checker: Checker, kind: JobKind, olds: Mapping[str, Any], news: Mapping[str, Any]
) -> None:
    """Refuse a change that would import into the store again, unless allowReimport is set."""
    if not olds.get("destinationName") or news.get("allowReimport") is True:
        return
    changed = [
        k for k in changed_import_inputs(kind, olds, news) if not contains_unknown(news.get(k))
    ]
    if changed:
        checker.fail(
            changed[0],
            f"changing {', '.join(changed)} would start a new import job into store "
            f"{news.get('destinationName')!r}, so the store would receive the same data again "
            "(data already imported stays in the store). To import new files, declare a new "
            f"{kind.resource} resource for them; to import again on purpose, set "
            "allowReimport: true",
        )


def diff_job_inputs(kind: JobKind, olds: Mapping[str, Any], news: Mapping[str, Any]) -> DiffResult:
    """Replace on an import-defining change, update in place on a wait setting, else nothing."""
    old_inputs, new_inputs = normalize_inputs(kind, olds), normalize_inputs(kind, news)
    replaces = changed_import_inputs(kind, old_inputs, new_inputs)
    updates = [k for k in WAIT_SETTINGS if old_inputs.get(k) != new_inputs.get(k)]
    return DiffResult(
        changes=bool(replaces or updates), replaces=replaces, delete_before_replace=False
    )


class ImportJobProvider(OmicsProvider):
    """Creates, waits for, refreshes and cancels HealthOmics import jobs of job_kind.

    Each kind is one subclass naming its job_kind, kind, check_inputs and diff_inputs, pinned to
    a stable pickle path.
    """

    job_kind: ClassVar[JobKind]

    def diff(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        """Compare the stored outputs with the new inputs; note which resource owns job id_."""
        self._note_owner(olds)
        return type(self).diff_inputs(olds, news)

    @reported
    def create(self, props: dict[str, Any]) -> CreateResult:
        """Start the import once (or adopt the same import) and, by default, wait for it.

        If this raises, no job of this resource is left running unrecorded that the next create
        would not adopt: a job still running after timeoutSeconds is adopted by the next `up`.
        """
        inputs = normalize_inputs(self.job_kind, props)
        request = CreateRequest(
            spec=ImportSpec.from_inputs(self.job_kind, inputs),
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
            progress = self.context(result.inputs).progress
            progress.line(new_batch_summary(result.inputs))
        return result

    @reported
    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        """Refresh status, times and item counts; a job no longer found keeps its last outputs.

        A batch that recorded files from other jobs keeps its outputs (it settled them when it
        waited). The inputs come back unchanged (a refresh followed by `up` changes nothing).
        """
        inputs = normalize_inputs(self.job_kind, props)
        self._note_owner(inputs)
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
        inputs = normalize_inputs(self.job_kind, news)
        if news.get("waitForCompletion", True) is not False and olds.get("status") in JOB_ACTIVE:
            flow = self._flow(inputs)
            return UpdateResult(job_outputs(inputs, flow.settle(flow.wait(id_))))
        return UpdateResult({**pick(olds, OUTPUT_KEYS), **inputs})

    @reported
    def delete(self, id_: str, props: dict[str, Any]) -> None:
        """Cancel a job that still runs and confirm it ended; imported data stays in the store."""
        self._flow(normalize_inputs(self.job_kind, props)).cancel(id_)

    def _note_owner(self, props: Mapping[str, Any]) -> None:
        """Note that the resource props describe owns its files in its destination and region."""
        kind = self.job_kind
        region = self.client(props.get("region")).meta.region_name
        place = place_of(kind, kind.destination(props), region)
        note_owner(str(props.get("resourceName")), place, declared_sources(props))

    def _flow(self, inputs: Mapping[str, Any]) -> ImportJobFlow:
        """The flow for this resource's job, on the board of its endpoint and resolved region."""
        timeout = float(inputs.get("timeoutSeconds") or DEFAULT_TIMEOUT_SECONDS)
        api = OmicsApi(self.client(inputs.get("region")), self.context(inputs))
        settings = self.settings
        policy = JobPolicy(settings.status_poll, settings.quota_poll_seconds, timeout)
        destination = self.job_kind.destination(inputs)
        return ImportJobFlow.on_shared_board(api, self.job_kind, policy, destination)


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


def job_props(kind: JobKind, resource_name: str, inputs: Mapping[str, Any]) -> dict[str, Any]:
    """The props a resource of kind registers: its inputs (items declared for the program's
    overlap check under its destination and region) and every output, unknown until created."""
    destination = {key: inputs.get(key) for key in kind.destination_keys}
    items = declared_items(kind, resource_name, destination, inputs["items"], inputs.get("region"))
    return {"resourceName": resource_name, **inputs, "items": items, **dict.fromkeys(OUTPUT_KEYS)}
