"""The VariantTableImport resource: a batch of S3 VCFs imported into a variant table, each once.

The flows (PyIceberg, pyarrow, oxbow) are imported when a method needs them, not with this
module: every plugin start loads this module, and those libraries take seconds to import.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pulumi
from pulumi.dynamic import CheckResult, CreateResult, DiffResult, ReadResult, UpdateResult

from omics_provider.core.errors import ProviderError
from omics_provider.core.progress import Progress
from omics_provider.core.properties import contains_unknown, is_unknown, normalize, pick
from omics_provider.core.service import SOURCE_HINT, string_rule
from omics_provider.core.validation import Checker, quoted
from omics_provider.flows.table_outcomes import (
    COMMITTED,
    FAILED,
    NOT_IN_TABLE,
    FileJob,
    FileOutcome,
)
from omics_provider.resources.provider_base import OmicsProvider, alias_snake_case, reported
from omics_provider.resources.table_inputs import (
    catalog_identity,
    catalog_of,
    check_catalog,
    check_table,
    secret_catalog,
    with_secret_catalog,
)

REPLACING = ("table", "batch")
IN_PLACE = ("sources", "workers", "deleteRowsOnDestroy")
INPUT_KEYS = ("resourceName", "catalog", *REPLACING, *IN_PLACE)
OUTPUT_KEYS = ("files", "itemCounts", "failedItems", "rows")
MAX_WORKERS = 256
BATCH_HINT = "a batch name of 1 to 255 characters without control characters, e.g. cohort-2024-06"


def normalize_inputs(props: Mapping[str, Any]) -> dict[str, Any]:
    """The inputs, batch defaulting to the resource's name, numbers as ints."""
    inputs = pick(props, INPUT_KEYS)
    if not inputs.get("batch") and inputs.get("resourceName"):
        inputs["batch"] = inputs["resourceName"]
    if inputs.get("workers") is not None:
        inputs["workers"] = normalize(inputs["workers"])
    return inputs


def check_inputs(_olds: Mapping[str, Any], news: Mapping[str, Any]) -> CheckResult:
    """Validate offline: no S3 or catalog call."""
    inputs = normalize_inputs(news)
    checker = Checker()
    check_table(checker, inputs.get("table"))
    check_catalog(checker, inputs.get("catalog"))
    batch = inputs.get("batch")
    if not is_unknown(batch) and (not isinstance(batch, str) or not 0 < len(batch) <= 255):
        checker.fail("batch", f"{quoted(batch)} is not a batch name; {BATCH_HINT}")
    _check_sources(checker, inputs.get("sources"))
    workers = inputs.get("workers")
    if (
        workers is not None
        and not is_unknown(workers)
        and (
            not isinstance(workers, int)
            or isinstance(workers, bool)
            or not 0 < workers <= MAX_WORKERS
        )
    ):
        checker.fail("workers", f"{quoted(workers)} is not a worker count; use 1 to {MAX_WORKERS}")
    checker.boolean("deleteRowsOnDestroy", inputs.get("deleteRowsOnDestroy"))
    return CheckResult(inputs, checker.failures)


def _check_sources(checker: Checker, sources: Any) -> None:
    if not checker.required("sources", sources, f"list the batch's VCF files; {SOURCE_HINT}"):
        return
    if is_unknown(sources):
        return
    if not isinstance(sources, Sequence) or isinstance(sources, str) or not sources:
        checker.fail("sources", f"must be a non-empty list of S3 URIs; {SOURCE_HINT}")
        return
    rule, seen = string_rule("S3Uri"), set()
    for index, source in enumerate(sources):
        if checker.string(f"sources[{index}]", source, rule, SOURCE_HINT) and not is_unknown(
            source
        ):
            if source in seen:
                checker.fail(f"sources[{index}]", f"{source} is listed twice; list each file once")
            seen.add(source)


def diff_inputs(olds: Mapping[str, Any], news: Mapping[str, Any]) -> DiffResult:
    """Another table, catalog or batch name is another import (a replacement: nothing is imported
    twice, the new one finds the files committed); sources, workers and the flag update."""
    old, new = normalize_inputs(olds), normalize_inputs(news)
    replaces = [
        key for key in REPLACING if contains_unknown(new.get(key)) or old.get(key) != new.get(key)
    ]
    if catalog_identity(old) != catalog_identity(new):
        replaces.append("catalog")
    updates = [key for key in IN_PLACE if old.get(key) != new.get(key)]
    if _not_in_table(olds) and "sources" not in updates:
        updates.append("sources")  # a refresh found files gone: the update imports them again
    changed = bool(replaces or updates) or catalog_of(old) != catalog_of(new)
    return DiffResult(changes=changed, replaces=replaces)


def _not_in_table(outputs: Mapping[str, Any]) -> list[str]:
    """The sources a refresh found no longer in the table."""
    return [
        str(f.get("source")) for f in outputs.get("files") or [] if f.get("status") == NOT_IN_TABLE
    ]


class VariantTableImportProvider(OmicsProvider):
    """Imports a batch of VCFs into a variant table, each file in one commit, never twice.

    Pickled by reference under the stable path
    `omics_provider.variant_table_import.VariantTableImportProvider`.
    """

    __module__ = "omics_provider.variant_table_import"

    kind = "VariantTableImport"
    check_inputs = staticmethod(check_inputs)
    diff_inputs = staticmethod(diff_inputs)

    @reported
    def create(self, props: dict[str, Any]) -> CreateResult:
        """Import every file not yet in the table; failed files are reported in failedItems with
        nothing of them committed. Raises (every failure named) when no file made it in; the
        files committed before a crash are found in the table's history by the next run."""
        inputs = normalize_inputs(props)
        outputs = self._import(inputs)
        return CreateResult(f"{inputs['table']}/{inputs['batch']}", {**inputs, **outputs})

    @reported
    def update(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        """Import the files added to sources, and those a refresh found gone (the others are found
        committed); full outputs."""
        inputs = normalize_inputs(news)
        same = list(olds.get("sources") or []) == list(inputs.get("sources") or [])
        if same and not _not_in_table(olds):
            return UpdateResult({**pick(olds, OUTPUT_KEYS), **inputs})
        return UpdateResult({**inputs, **self._import(inputs)})

    @reported
    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        """Gone when the table was dropped; otherwise the per-file outcomes as the table's
        history tells them now (files committed or removed by others since)."""
        inputs = normalize_inputs(props)
        from omics_provider.flows.table_ledger import refreshed_outcomes
        from omics_provider.flows.variant_table import find

        table = find(catalog_of(inputs), str(inputs["table"]))
        if table is None:
            return ReadResult(None, {})
        outcomes = refreshed_outcomes(table, str(inputs["batch"]), props.get("files") or [])
        return ReadResult(id_, {**props, **import_outputs(outcomes)}, inputs)

    @reported
    def delete(self, id_: str, props: dict[str, Any]) -> None:
        """Keep the rows (the default), or with deleteRowsOnDestroy remove exactly the rows this
        batch committed, in one commit that the ledger reads as the batch's removal."""
        inputs = normalize_inputs(props)
        if inputs.get("deleteRowsOnDestroy") is not True:
            return
        from omics_provider.flows.variant_table import remove_batch_rows

        removed = remove_batch_rows(
            catalog_of(inputs),
            str(inputs["table"]),
            str(inputs["batch"]),
            [str(s) for s in inputs.get("sources") or []],
        )
        self._progress(inputs).line(
            f"removed the rows of {removed} files of batch {inputs['batch']}"
        )

    def _import(self, inputs: Mapping[str, Any]) -> dict[str, Any]:
        from omics_provider.flows.table_import import default_workers, import_batch

        catalog = catalog_of(inputs) or {}
        aws = self.settings.aws
        jobs = [
            FileJob(
                catalog,
                str(inputs["table"]),
                str(source),
                str(inputs["batch"]),
                aws.profile,
                aws.region,
            )
            for source in inputs.get("sources") or []
        ]
        workers = int(inputs.get("workers") or default_workers())
        outcomes = import_batch(jobs, workers, self._progress(inputs))
        failed = [o for o in outcomes if o.status == FAILED]
        if failed and len(failed) == len(outcomes):
            raise ProviderError(
                f"no file of batch {inputs['batch']} was imported: "
                + "; ".join(f"{o.source}: {o.message}" for o in failed)
            )
        return import_outputs(outcomes)

    def _progress(self, inputs: Mapping[str, Any]) -> Progress:
        return Progress(self.kind, str(inputs.get("resourceName") or "?"), self.clock)


def import_outputs(outcomes: Sequence[FileOutcome]) -> dict[str, Any]:
    """files (one row per file), itemCounts by status, failedItems, rows committed by the batch."""
    counts: dict[str, int] = {}
    for outcome in outcomes:
        counts[outcome.status] = counts.get(outcome.status, 0) + 1
    return {
        "files": [o.output() for o in outcomes],
        "itemCounts": counts,
        "failedItems": [
            {"source": o.source, "statusMessage": o.message} for o in outcomes if o.status == FAILED
        ],
        "rows": sum(o.rows for o in outcomes if o.status == COMMITTED),
    }


class VariantTableImport(pulumi.dynamic.Resource, module="omics", name="VariantTableImport"):
    """A batch of S3 VCF files imported into a VariantTable: each file one commit, never twice."""

    catalog: pulumi.Output[Mapping[str, str]]
    table: pulumi.Output[str]
    batch: pulumi.Output[str]
    sources: pulumi.Output[list[str]]
    files: pulumi.Output[list[dict[str, Any]]]
    item_counts: pulumi.Output[dict[str, int]]
    failed_items: pulumi.Output[list[dict[str, str]]]
    rows: pulumi.Output[int]

    def __init__(
        self,
        resource_name: str,
        table: pulumi.Input[str],
        sources: pulumi.Input[Sequence[pulumi.Input[str]]],
        catalog: pulumi.Input[Mapping[str, pulumi.Input[str]]] | None = None,
        batch: pulumi.Input[str] | None = None,
        workers: pulumi.Input[int] | None = None,
        delete_rows_on_destroy: pulumi.Input[bool] = False,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        props: dict[str, Any] = {
            "resourceName": resource_name,
            "catalog": secret_catalog(catalog),
            "table": table,
            "batch": batch or resource_name,
            "sources": sources,
            "workers": workers,
            "deleteRowsOnDestroy": delete_rows_on_destroy,
            **dict.fromkeys(OUTPUT_KEYS),
        }
        super().__init__(
            VariantTableImportProvider(),
            resource_name,
            props,
            with_secret_catalog(opts),
        )
        alias_snake_case(self, [key for key in props if key != "resourceName"])
