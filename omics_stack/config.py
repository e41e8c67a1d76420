"""The stack program's configuration (namespace omics-variant-import): schema, parsing, checks."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from omics_provider.errors import StackConfigError
from omics_provider.surface import (
    CONFIG_NAMESPACE,
    DEFAULT_SETTLE_SECONDS,
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
    redact,
)
from omics_stack.annotation_config import (
    ANNOTATION_BATCHES_KEY,
    ANNOTATION_STORE_KEY,
    AnnotationBatch,
    Annotations,
    AnnotationStoreConfig,
    parse_annotations,
)
from omics_stack.batches import BATCH_KEYS, ImportBatch, parse_batches

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
    ANNOTATION_STORE_KEY: "object",
    ANNOTATION_BATCHES_KEY: "object",
}
"""The program's keys and their kinds (which `pulumi.Config` getter converts each)."""
PROVIDER_KEYS = frozenset(
    {"omicsEndpoint", "pollInitialSeconds", "pollMaxSeconds", "quotaPollSeconds"}
)
"""Keys of the same namespace read by the providers themselves (see ProviderSettings)."""
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
__all__ = [
    "BATCH_KEYS",
    "STACK_KEYS",
    "AnnotationBatch",
    "AnnotationStoreConfig",
    "Annotations",
    "DeclaredBatches",
    "Exclusion",
    "ImportBatch",
    "StackConfig",
    "job_settings",
    "parse_declared_batches",
    "parse_stack_config",
]


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
    annotations: Annotations = field(default_factory=Annotations)
    """The annotation store and its batches (annotationStore, annotationImports), if any."""
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
    annotations: Annotations = field(default_factory=Annotations)
    sources: tuple[str, ...] = field(init=False)

    def __post_init__(self) -> None:
        every = dict.fromkeys(s for batch in self.imports for s in batch.sources)
        object.__setattr__(self, "sources", tuple(every))


def job_settings(config: StackConfig, batch: ImportBatch) -> dict[str, Any]:
    """The inputs every import job of a batch takes besides its destination, role and files:
    the batch's own settings and the stack's wait settings, as keyword arguments."""
    return {
        "run_left_normalization": batch.run_left_normalization,
        "annotation_fields": batch.annotation_fields,
        "wait_for_completion": config.wait_for_completion,
        "timeout_seconds": config.timeout_seconds,
        "allow_reimport": batch.allow_reimport,
        "adopt_job_id": batch.adopt_job_id,
    }


def parse_declared_batches(values: Mapping[str, Any], root: Path) -> DeclaredBatches:
    """The `imports`, `exclusions`, `storeName`, `annotationStore` and `annotationImports` keys
    alone, checked as parse_stack_config checks them; else raise.

    plan and verify need nothing else: the values of other keys (a `secure:` value, say) are
    neither read nor judged; a key the program does not know still fails, naming it.
    """
    checker = Checker()
    _unknown_keys(checker, values)
    imports = _batches(checker, values.get("imports"), root)
    annotations = parse_annotations(checker, values, root)
    exclusions = _exclusions(checker, values.get("exclusions"), (*imports, *annotations.imports))
    store_name = values.get("storeName")
    _raise_failures(checker)
    return DeclaredBatches(
        imports, exclusions, store_name if isinstance(store_name, str) else "", annotations
    )


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
    folder = Path.cwd() if root is None else root
    imports = _batches(checker, values.get("imports"), folder)
    annotations = parse_annotations(checker, values, folder)
    kms_key_arns = _kms_key_arns(checker, values.get("kmsKeyArns"))
    exclusions = _exclusions(checker, values.get("exclusions"), (*imports, *annotations.imports))
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
        annotations=annotations,
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


def _batches(checker: Checker, value: Any, root: Path) -> tuple[ImportBatch, ...]:
    """imports: the variant batches (each file in one of them)."""
    return tuple(entry.batch for entry in parse_batches(checker, value, root))
