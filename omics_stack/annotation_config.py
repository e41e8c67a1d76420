"""The stack's annotation keys (`annotationStore`, `annotationImports`): schema, parsing, checks."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from omics_provider import AnnotationStoreProvider
from omics_provider.surface import VERSION_NAME_HINT, Checker, check_format_options, quoted
from omics_stack.batches import ImportBatch, parse_batches

ANNOTATION_STORE_KEY = "annotationStore"
ANNOTATION_BATCHES_KEY = "annotationImports"
STORE_INPUTS = ("name", "storeFormat", "referenceArn", "storeOptions", "versionName")
"""annotationStore keys that are AnnotationStore inputs of the same name, checked by its own
check (the service model's rules, the reference rule, storeOptions for TSV only)."""
ANNOTATION_STORE_KEYS = frozenset(
    {*STORE_INPUTS, "description", "versions", "adoptExisting", "protect", "forceDestroy"}
)
ANNOTATION_STORE_HINT = (
    "annotationStore is a map {name, storeFormat: GFF, TSV or VCF, versionName, referenceArn, "
    "storeOptions (TSV only), versions: [more version names], description, protect, "
    "adoptExisting, forceDestroy}"
)
ANNOTATION_BATCH_KEYS = frozenset({"version", "formatOptions"})
"""Keys an annotation batch takes besides a variant batch's."""
FORMAT_OPTIONS_OF = {"TSV": "tsvOptions", "VCF": "vcfOptions"}
"""The formatOptions member each store format takes (a GFF store takes none)."""


@dataclass(frozen=True)
class AnnotationStoreConfig:
    """The annotation store a stack declares, its first version and the other versions."""

    name: str
    store_format: str
    version_name: str
    reference_arn: str | None = None
    store_options: Mapping[str, Any] | None = None
    versions: tuple[str, ...] = ()
    description: str | None = None
    protect: bool = False
    adopt_existing: bool = False
    force_destroy: bool = False

    @property
    def version_names(self) -> tuple[str, ...]:
        """Every version the stack declares: the store's first one, then the others."""
        return (self.version_name, *self.versions)

    @property
    def tsv_options(self) -> Mapping[str, Any]:
        """The store's tsvStoreOptions (formatToHeader, schema), or {}."""
        options = (self.store_options or {}).get("tsvStoreOptions")
        return options if isinstance(options, Mapping) else {}


@dataclass(frozen=True)
class AnnotationBatch(ImportBatch):
    """One annotation batch: files imported once, by one AnnotationImportJob, into version
    (the store's first version when the batch names none), read with format_options."""

    version: str = ""
    format_options: Mapping[str, Any] | None = None

    @property
    def read_options(self) -> Mapping[str, Any]:
        """formatOptions.tsvOptions.readOptions (sep, quote, comment, header, ...), or {}."""
        tsv = (self.format_options or {}).get("tsvOptions") or {}
        options = tsv.get("readOptions") if isinstance(tsv, Mapping) else None
        return options if isinstance(options, Mapping) else {}


@dataclass(frozen=True)
class Annotations:
    """A stack's annotation store and batches (an empty store name when none is declared)."""

    store: AnnotationStoreConfig | None = None
    imports: tuple[AnnotationBatch, ...] = ()
    sources: tuple[str, ...] = field(init=False)

    def __post_init__(self) -> None:
        every = dict.fromkeys(s for batch in self.imports for s in batch.sources)
        object.__setattr__(self, "sources", tuple(every))


def parse_annotations(checker: Checker, values: Mapping[str, Any], root: Path) -> Annotations:
    """The annotationStore and annotationImports keys, checked into checker's failures.

    Batches need the store (their version and formatOptions are judged against it); each file
    is in one annotation batch. A variant batch may list the same file: it is another store.
    """
    store = parse_annotation_store(checker, values.get(ANNOTATION_STORE_KEY))
    raw_batches = values.get(ANNOTATION_BATCHES_KEY)
    if raw_batches is not None and ANNOTATION_STORE_KEY not in values:
        checker.fail(
            ANNOTATION_BATCHES_KEY,
            f"need an annotation store to import into; {ANNOTATION_STORE_HINT}",
        )
    parsed = parse_batches(
        checker, raw_batches, root, ANNOTATION_BATCHES_KEY, ANNOTATION_BATCH_KEYS
    )
    if store is None:
        return Annotations(store)
    batches = [
        _annotation_batch(checker, store, entry.index, entry.batch, entry.raw) for entry in parsed
    ]
    return Annotations(store, tuple(b for b in batches if b is not None))


def parse_annotation_store(checker: Checker, value: Any) -> AnnotationStoreConfig | None:
    """annotationStore, checked by AnnotationStore's own check and the stack's rules; None when
    it is absent or bad (its failures are in checker)."""
    if value is None:
        return None
    if not isinstance(value, Mapping):
        checker.fail(ANNOTATION_STORE_KEY, f"must be a map; {ANNOTATION_STORE_HINT}")
        return None
    failures = len(checker.failures)
    for key in sorted(set(value) - ANNOTATION_STORE_KEYS):
        checker.fail(
            f"{ANNOTATION_STORE_KEY}.{key}",
            f"is not a key of annotationStore; {ANNOTATION_STORE_HINT}",
        )
    inputs = {key: value[key] for key in (*STORE_INPUTS, "description") if key in value}
    for failure in AnnotationStoreProvider.check_inputs({}, inputs).failures or []:
        prop = failure.property
        checker.fail(f"{ANNOTATION_STORE_KEY}.{prop}", failure.reason.removeprefix(f"{prop}: "))
    checker.required(
        f"{ANNOTATION_STORE_KEY}.versionName",
        value.get("versionName"),
        f"annotation batches import into a named version; {VERSION_NAME_HINT}",
    )
    for flag in ("protect", "adoptExisting", "forceDestroy"):
        checker.boolean(f"{ANNOTATION_STORE_KEY}.{flag}", value.get(flag))
    versions = _versions(checker, value.get("versions"), value.get("versionName"))
    if len(checker.failures) > failures:
        return None
    return AnnotationStoreConfig(
        name=value["name"],
        store_format=value["storeFormat"],
        version_name=value["versionName"],
        reference_arn=value.get("referenceArn"),
        store_options=value.get("storeOptions"),
        versions=versions,
        description=value.get("description"),
        protect=value.get("protect") is True,
        adopt_existing=value.get("adoptExisting") is True,
        force_destroy=value.get("forceDestroy") is True,
    )


def _versions(checker: Checker, value: Any, first: Any) -> tuple[str, ...]:
    """annotationStore.versions: more version names, each declared once, none the first one."""
    prop = f"{ANNOTATION_STORE_KEY}.versions"
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(name, str) for name in value):
        checker.fail(prop, f"must be a list of version names; {VERSION_NAME_HINT}")
        return ()
    seen = {first}
    for index, name in enumerate(value):
        if checker.shape_string(f"{prop}[{index}]", name, "VersionName", VERSION_NAME_HINT):
            if name in seen:
                checker.fail(
                    f"{prop}[{index}]",
                    f"{name!r} is declared twice (versionName is the store's first version); "
                    "list each version once",
                )
            seen.add(name)
    return tuple(value)


def _annotation_batch(
    checker: Checker,
    store: AnnotationStoreConfig,
    index: int,
    batch: ImportBatch,
    raw: Mapping[str, Any],
) -> AnnotationBatch | None:
    prop = f"{ANNOTATION_BATCHES_KEY}[{index}]"
    failures = len(checker.failures)
    version = raw.get("version", store.version_name)
    if version not in store.version_names:
        checker.fail(
            f"{prop}.version",
            f"{quoted(version)} is not a version the stack declares; use one of "
            f"{', '.join(store.version_names)} (annotationStore.versionName or .versions)",
        )
    options = raw.get("formatOptions")
    check_format_options(checker, f"{prop}.formatOptions", options)
    _check_options_fit(checker, f"{prop}.formatOptions", options, store.store_format)
    if len(checker.failures) > failures:
        return None
    fields = {name: getattr(batch, name) for name in batch.__dataclass_fields__}
    return AnnotationBatch(**fields, version=str(version), format_options=options)


def _check_options_fit(checker: Checker, prop: str, options: Any, store_format: str) -> None:
    """formatOptions' one member must be the one the store's format reads (none for GFF)."""
    if not isinstance(options, Mapping) or len(options) != 1:
        return
    [member] = options
    wanted = FORMAT_OPTIONS_OF.get(store_format)
    if member != wanted:
        fix = f"use {wanted}" if wanted else "a GFF store takes no formatOptions: remove them"
        checker.fail(
            prop, f"{member} does not apply to the stack's {store_format} annotation store; {fix}"
        )
