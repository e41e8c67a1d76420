"""Checks a response body, as sent on the wire, against the output shape of botocore's model.

Used by the test suite on every response the emulator sends: any member outside the shape,
a missing required member, a wrong JSON type, a value outside an enum, a length or pattern
constraint broken, or a timestamp not in the shape's format is reported.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from botocore.model import OperationModel, Shape, StructureShape

from omics_emulator.protocol import JSON_TYPES

# Where real AWS knowingly departs from its own model. Store ids are 12 hex characters
# (e.g. "4fa5ec8be6c3") although the model gives them the UUID pattern of ResourceId; so are
# annotation store version ids ("2a3f4a44aa7b" in AWS's guide on annotation store versions).
_STORE_ID_OWNERS = (
    "CreateVariantStoreResponse",
    "GetVariantStoreResponse",
    "UpdateVariantStoreResponse",
    "VariantStoreItem",
    "CreateAnnotationStoreResponse",
    "GetAnnotationStoreResponse",
    "UpdateAnnotationStoreResponse",
    "AnnotationStoreItem",
)
_VERSION_OWNERS = (
    "CreateAnnotationStoreVersionResponse",
    "GetAnnotationStoreVersionResponse",
    "UpdateAnnotationStoreVersionResponse",
    "AnnotationStoreVersionItem",
)
KNOWN_PATTERN_DEVIATIONS = frozenset(
    {(owner, "id") for owner in _STORE_ID_OWNERS + _VERSION_OWNERS}
    | {(owner, "storeId") for owner in _VERSION_OWNERS}
)
# Members the model calls required that no answer can always carry: an annotation store of
# GENERIC TSV annotations has no reference (CreateAnnotationStore: "Required for all stores
# except TSV format with generic annotations"); a running job has no completion time; a job
# started without formatOptions has none to show (and FormatOptions has no member for GFF).
KNOWN_OPTIONAL_MEMBERS = frozenset(
    {
        ("GetAnnotationStoreResponse", "reference"),
        ("UpdateAnnotationStoreResponse", "reference"),
        ("AnnotationStoreItem", "reference"),
        ("GetAnnotationImportResponse", "completionTime"),
        ("GetAnnotationImportResponse", "formatOptions"),
    }
)
# The model lets GetAnnotationImportJob show exactly one item, while StartAnnotationImportJob
# takes any number; AWS does not document what it shows for more, and the emulator shows them
# all so that a client can report every failed item.
KNOWN_LENGTH_DEVIATIONS = frozenset({("GetAnnotationImportResponse", "items")})


def response_violations(operation: OperationModel, body: Any) -> list[str]:
    """Every way ``body`` (the parsed JSON of a 2xx response) departs from the output shape."""
    shape = operation.output_shape
    if shape is None:
        return [] if body in ({}, None) else [f"{operation.name} has no output but got {body!r}"]
    return _check(shape, body, operation.name, None)


def _check(shape: Shape, value: Any, path: str, owner: tuple[str, str] | None) -> list[str]:
    kind = shape.type_name
    if kind == "structure":
        return _check_structure(shape, value, path)
    if kind == "list":
        if not isinstance(value, list):
            return [f"{path}: expected a list, got {type(value).__name__}"]
        errors = [] if owner in KNOWN_LENGTH_DEVIATIONS else _check_length(shape, len(value), path)
        for i, element in enumerate(value):
            errors += _check(shape.member, element, f"{path}[{i}]", None)  # type: ignore[attr-defined]
        return errors
    if kind == "map":
        if not isinstance(value, dict):
            return [f"{path}: expected an object, got {type(value).__name__}"]
        errors = _check_length(shape, len(value), path)
        for key, element in value.items():
            errors += _check(shape.key, key, f"{path}<key>", None)  # type: ignore[attr-defined]
            errors += _check(shape.value, element, f"{path}.{key}", None)  # type: ignore[attr-defined]
        return errors
    return _check_scalar(shape, value, path, owner)


def _check_structure(shape: Shape, value: Any, path: str) -> list[str]:
    if not isinstance(value, dict):
        return [f"{path}: expected an object, got {type(value).__name__}"]
    assert isinstance(shape, StructureShape)
    wire_names = {m.serialization.get("name", n): n for n, m in shape.members.items()}
    errors = [f"{path}.{k}: not a member of {shape.name}" for k in value if k not in wire_names]
    errors += [
        f"{path}.{n}: required member of {shape.name} is missing"
        for n in shape.required_members
        if value.get(shape.members[n].serialization.get("name", n)) is None
        and "location" not in shape.members[n].serialization
        and (shape.name, n) not in KNOWN_OPTIONAL_MEMBERS
    ]
    if shape.metadata.get("union") and len(value) != 1:
        errors.append(f"{path}: union {shape.name} must have exactly one member set")
    for key, element in value.items():
        if key in wire_names:
            name = wire_names[key]
            errors += _check(shape.members[name], element, f"{path}.{key}", (shape.name, name))
    return errors


def _check_scalar(shape: Shape, value: Any, path: str, owner: tuple[str, str] | None) -> list[str]:
    kind = shape.type_name
    if kind == "timestamp":
        return _check_timestamp(shape, value, path)
    expected = JSON_TYPES.get(kind)
    if expected is None:
        return []
    if not isinstance(value, expected) or (kind != "boolean" and isinstance(value, bool)):
        return [f"{path}: expected {kind}, got {type(value).__name__} {value!r}"]
    if not isinstance(value, str):
        return _check_range(shape, value, path) if isinstance(value, int | float) else []
    errors = _check_length(shape, len(value), path)
    enum = shape.metadata.get("enum")
    if enum and value not in enum:
        errors.append(f"{path}: {value!r} is not one of {enum}")
    pattern = shape.metadata.get("pattern")
    deviation = owner in KNOWN_PATTERN_DEVIATIONS
    if pattern and not deviation and re.fullmatch(pattern, value, flags=re.DOTALL) is None:
        errors.append(f"{path}: {value!r} does not match {pattern}")
    return errors


def _check_timestamp(shape: Shape, value: Any, path: str) -> list[str]:
    fmt = shape.serialization.get("timestampFormat", "unixTimestamp")
    if fmt == "iso8601":
        if not isinstance(value, str):
            return [f"{path}: expected an ISO 8601 string, got {value!r}"]
        try:
            parsed = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return [f"{path}: {value!r} is not ISO 8601"]
        return [] if parsed.tzinfo is not None else [f"{path}: {value!r} has no time zone"]
    ok = isinstance(value, int | float) and not isinstance(value, bool)
    return [] if ok else [f"{path}: expected epoch seconds, got {value!r}"]


def _check_length(shape: Shape, length: int, path: str) -> list[str]:
    low, high = shape.metadata.get("min"), shape.metadata.get("max")
    if (low is not None and length < low) or (high is not None and length > high):
        return [f"{path}: length {length} outside [{low}, {high}]"]
    return []


def _check_range(shape: Shape, value: float, path: str) -> list[str]:
    low, high = shape.metadata.get("min"), shape.metadata.get("max")
    if (low is not None and value < low) or (high is not None and value > high):
        return [f"{path}: {value} outside [{low}, {high}]"]
    return []
