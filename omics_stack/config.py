"""The stack program's configuration (namespace omics-variant-import): schema, parsing, checks."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from omics_provider.errors import StackConfigError
from omics_provider.surface import (
    CONFIG_NAMESPACE,
    DEFAULT_SETTLE_SECONDS,
    MAX_ITEMS_PER_JOB,
    MAX_SETTLE_SECONDS,
    REFERENCE_HINT,
    ROLE_ARN_HINT,
    SOURCE_HINT,
    STORE_NAME_HINT,
    Checker,
    check_catalog,
    check_kms_key_arns,
    check_table,
    check_table_bucket,
    has_control_character,
    quoted,
    redact,
    string_rule,
)
from omics_stack.manifests import (
    MANIFEST_HINT,
    ManifestError,
    ManifestLine,
    manifest_problem,
    read_manifest,
)

STACK_KEYS = {
    "storeName": "string",
    "storeDescription": "string",
    "referenceArn": "string",
    "imports": "object",
    "existingRoleArn": "string",
    "adoptExistingStore": "boolean",
    "protectStore": "boolean",
    "forceDestroyStore": "boolean",
    "waitForCompletion": "boolean",
    "timeoutSeconds": "number",
    "rolePropagationSeconds": "number",
    "destination": "string",
    "table": "object",
    "kmsKeyArns": "object",
    "exclusions": "object",
}
"""The program's keys and their kinds (which `pulumi.Config` getter converts each)."""
PROVIDER_KEYS = frozenset(
    {"omicsEndpoint", "pollInitialSeconds", "pollMaxSeconds", "quotaPollSeconds"}
)
"""Keys of the same namespace read by the providers themselves (see ProviderSettings)."""
BATCH_KEYS = frozenset(
    {
        "name",
        "sources",
        "manifest",
        "runLeftNormalization",
        "annotationFields",
        "allowReimport",
        "adoptJobId",
    }
)
DESTINATION_NAMES = ("store", "table")
"""The destination key's values: a HealthOmics variant store (the default) or an Iceberg table."""
TABLE_KEYS = frozenset({"name", "catalog", "tableBucket", "forceDestroy", "workers"})
TABLE_HINT = (
    "table is a map {name: namespace.name, catalog: {PyIceberg catalog properties}, "
    "forceDestroy: false, workers: <processes>}; omit catalog for the embedded SQLite catalog, "
    "or give tableBucket: <name> instead of catalog for an S3 table bucket the stack declares"
)
EXCLUSION_KEYS = frozenset({"source", "reason"})
EXCLUSION_HINT = "an exclusion is {source: s3://bucket/key, reason: why it is kept out}"
JOB_ID_HINT = "a job id is the UUID StartVariantImportJob returned (e.g. from the console)"
BATCH_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,99}")
BATCH_NAME_HINT = "a batch name is 1 to 100 letters, digits, '_', '.' or '-' (e.g. cohort-2024-06)"
BAD_LINES_SHOWN = 3
"""A manifest's bad lines named one by one; the rest are counted."""


@dataclass(frozen=True)
class ImportBatch:
    """One import batch: files imported once, by one VariantImportJob.

    manifest is the file (relative to the project folder) the sources were read from, if any.
    """

    name: str
    sources: tuple[str, ...]
    run_left_normalization: bool | None = None
    annotation_fields: Mapping[str, str] | None = None
    manifest: str | None = None
    allow_reimport: bool = False
    adopt_job_id: str | None = None


@dataclass(frozen=True)
class Exclusion:
    """A file kept out of every batch (plan never adds it), and why."""

    source: str
    reason: str


@dataclass(frozen=True)
class StackConfig:
    """What the stack program declares."""

    store_name: str
    reference_arn: str
    imports: tuple[ImportBatch, ...] = ()
    store_description: str | None = None
    existing_role_arn: str | None = None
    adopt_existing_store: bool = False
    protect_store: bool = False
    force_destroy_store: bool = False
    wait_for_completion: bool = True
    timeout_seconds: float | None = None
    role_propagation_seconds: float = DEFAULT_SETTLE_SECONDS
    destination: str = "store"
    table: Mapping[str, Any] | None = None
    """With destination table: {name, catalog, forceDestroy, workers} (see TABLE_HINT)."""
    kms_key_arns: tuple[str, ...] = ()
    exclusions: tuple[Exclusion, ...] = ()
    sources: tuple[str, ...] = field(init=False)

    def __post_init__(self) -> None:
        every = dict.fromkeys(s for batch in self.imports for s in batch.sources)
        object.__setattr__(self, "sources", tuple(every))


@dataclass(frozen=True)
class DeclaredBatches:
    """The batches a stack declares, every file they list, the files it keeps out and the store
    it names (the part plan and verify read)."""

    imports: tuple[ImportBatch, ...]
    exclusions: tuple[Exclusion, ...] = ()
    store_name: str = ""
    sources: tuple[str, ...] = field(init=False)

    def __post_init__(self) -> None:
        every = dict.fromkeys(s for batch in self.imports for s in batch.sources)
        object.__setattr__(self, "sources", tuple(every))


def parse_declared_batches(values: Mapping[str, Any], root: Path) -> DeclaredBatches:
    """The `imports`, `exclusions` and `storeName` keys alone, checked as parse_stack_config
    checks them; else raise.

    plan and verify need nothing else: the values of other keys (a `secure:` value, say) are
    neither read nor judged; a key the program does not know still fails, naming it.
    """
    checker = Checker()
    _unknown_keys(checker, values)
    imports = _batches(checker, values.get("imports"), root)
    exclusions = _exclusions(checker, values.get("exclusions"), imports)
    store_name = values.get("storeName")
    _raise_failures(checker)
    return DeclaredBatches(imports, exclusions, store_name if isinstance(store_name, str) else "")


def _raise_failures(checker: Checker) -> None:
    if checker.failures:
        reasons = "; ".join(f"{CONFIG_NAMESPACE}:{f.reason}" for f in checker.failures)
        raise StackConfigError(redact(f"invalid stack configuration: {reasons}"))


def parse_stack_config(values: Mapping[str, Any], root: Path | None = None) -> StackConfig:
    """A StackConfig from the namespace's typed values (keys without the namespace); else raise.

    Values are typed as YAML or the `pulumi.Config` getters give them (booleans, numbers, lists).
    Manifests are read relative to root (the project folder; default: the working directory).
    Each file belongs to exactly one batch: overlapping batches fail, one failure per conflict.
    """
    checker = Checker()
    _unknown_keys(checker, values)
    destination = _destination(checker, values.get("destination"))
    table = _table(checker, values.get("table")) if destination == "table" else None
    store_declared = destination == "store" or values.get("storeName") is not None
    store_name: str | None = ""
    reference: str | None = ""
    if store_declared:
        store_name = _required_string(checker, values, "storeName", "StoreName", STORE_NAME_HINT)
        reference = _required_string(
            checker, values, "referenceArn", "ReferenceArn", REFERENCE_HINT
        )
    role = values.get("existingRoleArn")
    if role is not None:
        checker.shape_string("existingRoleArn", role, "Arn", ROLE_ARN_HINT)
    description = values.get("storeDescription")
    if description is not None:
        checker.shape_string("storeDescription", description, "Description", "0-500 characters")
    for key in _keys_of_kind("boolean"):
        checker.boolean(key, values.get(key))
    checker.seconds("timeoutSeconds", values.get("timeoutSeconds"))
    propagation = _propagation_seconds(checker, values.get("rolePropagationSeconds"))
    imports = _batches(checker, values.get("imports"), Path.cwd() if root is None else root)
    kms_key_arns = _kms_key_arns(checker, values.get("kmsKeyArns"))
    exclusions = _exclusions(checker, values.get("exclusions"), imports)
    _raise_failures(checker)
    timeout = values.get("timeoutSeconds")
    return StackConfig(
        store_name=str(store_name),
        reference_arn=str(reference),
        imports=imports,
        store_description=description,
        existing_role_arn=role,
        adopt_existing_store=values.get("adoptExistingStore") or False,
        protect_store=values.get("protectStore") or False,
        force_destroy_store=values.get("forceDestroyStore") or False,
        wait_for_completion=values.get("waitForCompletion", True) is not False,
        timeout_seconds=None if timeout is None else float(timeout),
        role_propagation_seconds=DEFAULT_SETTLE_SECONDS if propagation is None else propagation,
        destination=destination,
        table=table,
        kms_key_arns=kms_key_arns,
        exclusions=exclusions,
    )


def _unknown_keys(checker: Checker, values: Mapping[str, Any]) -> None:
    for key in sorted(set(values) - set(STACK_KEYS) - PROVIDER_KEYS):
        checker.fail(key, f"is not a key of this program; known keys: {', '.join(STACK_KEYS)}")


def _destination(checker: Checker, value: Any) -> str:
    """destination: store (a HealthOmics variant store, the default) or table (Iceberg)."""
    if value is None:
        return "store"
    if value not in DESTINATION_NAMES:
        checker.fail("destination", f"{value!r} is not a destination; use store or table")
        return "store"
    return str(value)


def _table(checker: Checker, value: Any) -> Mapping[str, Any] | None:
    if not isinstance(value, Mapping):
        checker.fail("table", f"is required with destination table; {TABLE_HINT}")
        return None
    for key in sorted(set(value) - TABLE_KEYS):
        checker.fail(f"table.{key}", f"is not a key of table; {TABLE_HINT}")
    check_table(checker, value.get("name"), "table.name")
    check_catalog(checker, value.get("catalog"), "table.catalog")
    check_table_bucket(checker, value.get("tableBucket"), "table.tableBucket")
    if value.get("catalog") is not None and value.get("tableBucket") is not None:
        checker.fail("table.tableBucket", f"names the catalog itself: drop catalog; {TABLE_HINT}")
    checker.boolean("table.forceDestroy", value.get("forceDestroy"))
    return dict(value)


def _keys_of_kind(kind: str) -> list[str]:
    return [key for key, k in STACK_KEYS.items() if k == kind]


def _required_string(
    checker: Checker, values: Mapping[str, Any], key: str, shape: str, hint: str
) -> str | None:
    value = values.get(key)
    if checker.required(key, value, hint) and checker.shape_string(key, value, shape, hint):
        return str(value)
    return None


def _propagation_seconds(checker: Checker, value: Any) -> float | None:
    """rolePropagationSeconds: 0 (no wait after a policy change) to 900 seconds."""
    return checker.seconds("rolePropagationSeconds", value, low=0.0, high=MAX_SETTLE_SECONDS)


def _kms_key_arns(checker: Checker, value: Any) -> tuple[str, ...]:
    """kmsKeyArns: the exact KMS keys the role may decrypt the files with (SSE-KMS buckets)."""
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(arn, str) for arn in value):
        checker.fail("kmsKeyArns", "must be a list of KMS key ARNs (the keys of SSE-KMS buckets)")
        return ()
    try:
        check_kms_key_arns(value)
    except ValueError as error:
        checker.fail("kmsKeyArns", str(error).replace("kms_key_arns", "kmsKeyArns", 1))
        return ()
    return tuple(value)


def _exclusions(
    checker: Checker, value: Any, batches: Sequence[ImportBatch]
) -> tuple[Exclusion, ...]:
    """exclusions: files plan never adds, each with a reason; none may be in a batch."""
    if value is None:
        return ()
    if not isinstance(value, list):
        checker.fail("exclusions", f"must be a list; {EXCLUSION_HINT}")
        return ()
    owners = {source: batch.name for batch in batches for source in batch.sources}
    parsed: dict[str, Exclusion] = {}
    for index, raw in enumerate(value):
        prop = f"exclusions[{index}]"
        if not isinstance(raw, Mapping) or set(raw) != EXCLUSION_KEYS:
            checker.fail(prop, f"must be a map with the keys source and reason; {EXCLUSION_HINT}")
            continue
        source, reason = raw["source"], raw["reason"]
        if not checker.shape_string(f"{prop}.source", source, "S3Uri", SOURCE_HINT):
            continue
        if not isinstance(reason, str) or not reason.strip():
            checker.fail(f"{prop}.reason", "must say why the file is kept out (a short text)")
        elif source in parsed:
            checker.fail(f"{prop}.source", f"{source} is excluded twice; list it once")
        elif source in owners:
            checker.fail(
                f"{prop}.source",
                f"{source} is excluded but batch {owners[source]!r} imports it; remove it from "
                "the batch or from exclusions",
            )
        else:
            parsed[source] = Exclusion(source, reason)
    return tuple(parsed.values())


def _batches(checker: Checker, imports: Any, root: Path) -> tuple[ImportBatch, ...]:
    if imports is None:
        return ()
    if not isinstance(imports, list):
        checker.fail("imports", "must be a list of {name, sources} or {name, manifest} batches")
        return ()
    parsed = [_batch(checker, f"imports[{i}]", raw, root) for i, raw in enumerate(imports)]
    batches = [(index, batch) for index, batch in enumerate(parsed) if batch is not None]
    seen: set[str] = set()
    for index, batch in batches:
        if batch.name in seen:
            checker.fail(
                f"imports[{index}].name",
                f"{batch.name!r} names two batches; batch names must be unique (one job each)",
            )
        seen.add(batch.name)
    _check_overlaps(checker, batches)
    return tuple(batch for _, batch in batches)


def _check_overlaps(checker: Checker, batches: Sequence[tuple[int, ImportBatch]]) -> None:
    """One failure per (batch, earlier batch) pair that share files, naming both and a file."""
    owners: dict[str, int] = {}
    by_index = dict(batches)
    for index, batch in batches:
        shared: dict[int, list[str]] = {}
        for source in batch.sources:
            owner = owners.setdefault(source, index)
            if owner != index:
                shared.setdefault(owner, []).append(source)
        for owner, files in shared.items():
            checker.fail(
                _sources_key(index, batch),
                _overlap_reason(batch, index, by_index[owner], owner, files),
            )


def _sources_key(index: int, batch: ImportBatch) -> str:
    return f"imports[{index}].{'manifest' if batch.manifest else 'sources'}"


def _overlap_reason(
    batch: ImportBatch, index: int, owner: ImportBatch, owner_index: int, files: list[str]
) -> str:
    first = f"batch {owner.name!r} (imports[{owner_index}])"
    if set(batch.sources) == set(owner.sources):
        return (
            f"batch {batch.name!r} lists the same {len(files)} file(s) as {first}, e.g. "
            f"{files[0]}; each file belongs to exactly one batch: remove one of the two batches"
        )
    more = f" (and {len(files) - 1} more shared file(s))" if len(files) > 1 else ""
    return (
        f"batch {batch.name!r} lists {files[0]}, which {first} already imports{more}; each file "
        "belongs to exactly one batch: remove it from one of them"
    )


def _batch(checker: Checker, prop: str, raw: Any, root: Path) -> ImportBatch | None:
    if not isinstance(raw, Mapping):
        checker.fail(
            prop,
            "must be a map {name, sources or manifest, runLeftNormalization?, annotationFields?, "
            "allowReimport?, adoptJobId?}",
        )
        return None
    failures = len(checker.failures)
    for key in sorted(set(raw) - BATCH_KEYS):
        checker.fail(
            f"{prop}.{key}", f"is not a batch key; batch keys: {', '.join(sorted(BATCH_KEYS))}"
        )
    name = raw.get("name")
    if checker.required(f"{prop}.name", name, BATCH_NAME_HINT) and (
        not isinstance(name, str) or not BATCH_NAME.fullmatch(name)
    ):
        checker.fail(f"{prop}.name", f"{quoted(name)} is not a valid batch name; {BATCH_NAME_HINT}")
    manifest = raw.get("manifest")
    if manifest is not None and "sources" in raw:
        checker.fail(prop, "lists sources and names a manifest; give one of the two")
        sources: tuple[str, ...] = ()
    elif manifest is not None:
        sources = _manifest_sources(checker, f"{prop}.manifest", manifest, root)
    else:
        sources = _sources(checker, f"{prop}.sources", raw.get("sources"))
    for flag in ("runLeftNormalization", "allowReimport"):
        checker.boolean(f"{prop}.{flag}", raw.get(flag))
    fields = raw.get("annotationFields")
    checker.string_map(f"{prop}.annotationFields", fields, "AnnotationFieldMap", "strings")
    adopt = raw.get("adoptJobId")
    if adopt is not None:
        checker.shape_string(f"{prop}.adoptJobId", adopt, "ResourceId", JOB_ID_HINT)
    if len(checker.failures) > failures:
        return None
    return ImportBatch(
        str(name),
        sources,
        raw.get("runLeftNormalization"),
        fields,
        manifest,
        allow_reimport=raw.get("allowReimport") is True,
        adopt_job_id=adopt,
    )


def _sources(checker: Checker, prop: str, sources: Any) -> tuple[str, ...]:
    if not isinstance(sources, list) or not sources:
        checker.fail(prop, f"must list at least one file (or name a manifest); {SOURCE_HINT}")
        return ()
    if len(sources) > MAX_ITEMS_PER_JOB:
        checker.fail(prop, f"lists {len(sources)} files; a batch takes at most {MAX_ITEMS_PER_JOB}")
    for index, source in enumerate(sources):
        checker.shape_string(f"{prop}[{index}]", source, "S3Uri", SOURCE_HINT)
    if len(set(map(str, sources))) != len(sources):
        checker.fail(prop, "lists a file twice; list each file once")
    return tuple(str(s) for s in sources)


def _manifest_sources(checker: Checker, prop: str, manifest: Any, root: Path) -> tuple[str, ...]:
    if not isinstance(manifest, str):
        checker.fail(prop, f"must be a file path, got {quoted(manifest)}; {MANIFEST_HINT}")
        return ()
    problem = manifest_problem(manifest)
    if problem is not None:
        checker.fail(prop, problem)
        return ()
    try:
        lines = read_manifest(root, manifest)
    except ManifestError as error:
        checker.fail(prop, str(error))
        return ()
    if not lines:
        checker.fail(prop, f"{manifest} lists no file; {SOURCE_HINT}")
    if len(lines) > MAX_ITEMS_PER_JOB:
        checker.fail(
            prop, f"{manifest} lists {len(lines)} files; a batch takes at most {MAX_ITEMS_PER_JOB}"
        )
    _check_manifest_lines(checker, prop, manifest, lines)
    return tuple(line.source for line in lines)


def _check_manifest_lines(
    checker: Checker, prop: str, manifest: str, lines: Sequence[ManifestLine]
) -> None:
    rule = string_rule("S3Uri")
    first_line: dict[str, int] = {}
    bad: list[str] = []
    for line in lines:
        problem = (
            "holds a control character"
            if has_control_character(line.source)
            else rule.violation(line.source)
        )
        if problem is not None:
            bad.append(f"line {line.number}: {quoted(line.source)} {problem}")
        elif first_line.setdefault(line.source, line.number) != line.number:
            bad.append(f"line {line.number} repeats line {first_line[line.source]}")
    if bad:
        more = (
            f" (and {len(bad) - BAD_LINES_SHOWN} more bad lines)"
            if len(bad) > BAD_LINES_SHOWN
            else ""
        )
        shown = "; ".join(bad[:BAD_LINES_SHOWN])
        checker.fail(prop, f"{manifest} {shown}{more}; {SOURCE_HINT}, listed once")
