"""The stack program's configuration (namespace omics-variant-import): schema, parsing, checks."""

from __future__ import annotations

import contextlib
import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from omics_provider.aws.clients import CONFIG_NAMESPACE
from omics_provider.core.service import MAX_ITEMS_PER_JOB
from omics_provider.core.validation import Checker
from omics_provider.resources.policy_settle import DEFAULT_SETTLE_SECONDS, MAX_SETTLE_SECONDS
from omics_provider.resources.variant_import_job import ROLE_ARN_HINT, SOURCE_HINT, STORE_NAME_HINT
from omics_provider.resources.variant_store import REFERENCE_HINT

STACK_KEYS = {
    "storeName": "string",
    "storeDescription": "string",
    "referenceArn": "string",
    "imports": "object",
    "existingRoleArn": "string",
    "adoptExistingStore": "boolean",
    "protectStore": "boolean",
    "waitForCompletion": "boolean",
    "timeoutSeconds": "number",
    "rolePropagationSeconds": "number",
}
"""The program's keys and their kinds; objects arrive as JSON text from `pulumi.Config.get`."""
PROVIDER_KEYS = frozenset(
    {"omicsEndpoint", "pollInitialSeconds", "pollMaxSeconds", "quotaPollSeconds"}
)
"""Keys of the same namespace read by the providers themselves (see ProviderSettings)."""
BATCH_KEYS = frozenset({"name", "sources", "runLeftNormalization", "annotationFields"})
BATCH_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,99}")
BATCH_NAME_HINT = "a batch name is 1 to 100 letters, digits, '_', '.' or '-' (e.g. cohort-2024-06)"


class StackConfigError(ValueError):
    """The stack configuration is invalid; the message names every bad key."""


@dataclass(frozen=True)
class ImportBatch:
    """One import batch: files imported once, by one VariantImportJob."""

    name: str
    sources: tuple[str, ...]
    run_left_normalization: bool | None = None
    annotation_fields: Mapping[str, str] | None = None


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
    wait_for_completion: bool = True
    timeout_seconds: float | None = None
    role_propagation_seconds: float = DEFAULT_SETTLE_SECONDS
    sources: tuple[str, ...] = field(init=False)

    def __post_init__(self) -> None:
        every = dict.fromkeys(s for batch in self.imports for s in batch.sources)
        object.__setattr__(self, "sources", tuple(every))


def read_config(get: Callable[[str], str | None]) -> dict[str, Any]:
    """The program's keys from a getter of the namespace's raw values (`pulumi.Config.get`)."""
    values: dict[str, Any] = {}
    for key, kind in STACK_KEYS.items():
        raw = get(key)
        if raw is None:
            continue
        values[key] = _json(key, raw) if kind == "object" and isinstance(raw, str) else raw
    return values


def _json(key: str, raw: str) -> Any:
    try:
        return json.loads(raw)
    except json.JSONDecodeError as error:
        raise StackConfigError(f"{CONFIG_NAMESPACE}:{key} is not valid JSON: {error}") from None


def parse_stack_config(values: Mapping[str, Any]) -> StackConfig:
    """A StackConfig from the namespace's values (keys without the namespace); else raise.

    Scalars may be typed (from a stack file) or text (from `pulumi.Config.get`): "true", "60".
    """
    checker = Checker()
    for key in sorted(set(values) - set(STACK_KEYS) - PROVIDER_KEYS):
        checker.fail(key, f"is not a key of this program; known keys: {', '.join(STACK_KEYS)}")
    store_name = _required_string(checker, values, "storeName", "StoreName", STORE_NAME_HINT)
    reference = _required_string(checker, values, "referenceArn", "ReferenceArn", REFERENCE_HINT)
    role = values.get("existingRoleArn")
    if role is not None:
        checker.shape_string("existingRoleArn", role, "Arn", ROLE_ARN_HINT)
    description = values.get("storeDescription")
    if description is not None:
        checker.shape_string("storeDescription", description, "Description", "0-500 characters")
    flags = {key: _boolean(checker, values, key) for key in _keys_of_kind("boolean")}
    timeout = _number(checker, values, "timeoutSeconds")
    propagation = _propagation_seconds(checker, values)
    imports = _batches(checker, values.get("imports"))
    if checker.failures:
        reasons = "; ".join(f"{CONFIG_NAMESPACE}:{f.reason}" for f in checker.failures)
        raise StackConfigError(f"invalid stack configuration: {reasons}")
    return StackConfig(
        store_name=str(store_name),
        reference_arn=str(reference),
        imports=imports,
        store_description=description,
        existing_role_arn=role,
        adopt_existing_store=flags["adoptExistingStore"] or False,
        protect_store=flags["protectStore"] or False,
        wait_for_completion=True
        if flags["waitForCompletion"] is None
        else flags["waitForCompletion"],
        timeout_seconds=timeout,
        role_propagation_seconds=DEFAULT_SETTLE_SECONDS if propagation is None else propagation,
    )


def _keys_of_kind(kind: str) -> list[str]:
    return [key for key, k in STACK_KEYS.items() if k == kind]


def _required_string(
    checker: Checker, values: Mapping[str, Any], key: str, shape: str, hint: str
) -> str | None:
    value = values.get(key)
    if checker.required(key, value, hint) and checker.shape_string(key, value, shape, hint):
        return str(value)
    return None


def _boolean(checker: Checker, values: Mapping[str, Any], key: str) -> bool | None:
    value = values.get(key)
    if isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower() == "true"
    checker.boolean(key, value)
    return value if isinstance(value, bool) else None


def _number(checker: Checker, values: Mapping[str, Any], key: str) -> float | None:
    value = values.get(key)
    if isinstance(value, str):
        with contextlib.suppress(ValueError):
            value = float(value)
    checker.positive_number(key, value, "seconds")
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def _propagation_seconds(checker: Checker, values: Mapping[str, Any]) -> float | None:
    """rolePropagationSeconds: 0 (no wait after a policy change) or up to 900 seconds."""
    key = "rolePropagationSeconds"
    value = values.get(key)
    if value in (0, "0") and not isinstance(value, bool):
        return 0.0
    seconds = _number(checker, values, key)
    if seconds is not None and seconds > MAX_SETTLE_SECONDS:
        checker.fail(key, f"must be at most {MAX_SETTLE_SECONDS:g} seconds, got {seconds:g}")
    return seconds


def _batches(checker: Checker, imports: Any) -> tuple[ImportBatch, ...]:
    if imports is None:
        return ()
    if not isinstance(imports, list):
        checker.fail("imports", "must be a list of {name, sources} batches")
        return ()
    batches = [_batch(checker, f"imports[{i}]", raw) for i, raw in enumerate(imports)]
    seen: set[str] = set()
    for index, batch in enumerate(batches):
        if batch is None:
            continue
        if batch.name in seen:
            checker.fail(
                f"imports[{index}].name",
                f"{batch.name!r} names two batches; batch names must be unique (one job each)",
            )
        seen.add(batch.name)
    return tuple(b for b in batches if b is not None)


def _batch(checker: Checker, prop: str, raw: Any) -> ImportBatch | None:
    if not isinstance(raw, Mapping):
        checker.fail(
            prop, "must be a map {name, sources, runLeftNormalization?, annotationFields?}"
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
        checker.fail(f"{prop}.name", f"{name!r} is not a valid batch name; {BATCH_NAME_HINT}")
    sources = _sources(checker, f"{prop}.sources", raw.get("sources"))
    checker.boolean(f"{prop}.runLeftNormalization", raw.get("runLeftNormalization"))
    fields = raw.get("annotationFields")
    checker.string_map(f"{prop}.annotationFields", fields, "AnnotationFieldMap", "strings")
    if len(checker.failures) > failures:
        return None
    return ImportBatch(str(name), sources, raw.get("runLeftNormalization"), fields)


def _sources(checker: Checker, prop: str, sources: Any) -> tuple[str, ...]:
    if not isinstance(sources, list) or not sources:
        checker.fail(prop, f"must list at least one file; {SOURCE_HINT}")
        return ()
    if len(sources) > MAX_ITEMS_PER_JOB:
        checker.fail(prop, f"lists {len(sources)} files; a batch takes at most {MAX_ITEMS_PER_JOB}")
    for index, source in enumerate(sources):
        checker.shape_string(f"{prop}[{index}]", source, "S3Uri", SOURCE_HINT)
    if len(set(map(str, sources))) != len(sources):
        checker.fail(prop, "lists a file twice; list each file once")
    return tuple(str(s) for s in sources)
