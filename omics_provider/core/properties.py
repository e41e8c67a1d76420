"""Normalization of property bags crossing the gRPC boundary (floats, dropped Nones, unknowns)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pulumi.output import Unknown
from pulumi.runtime import rpc

UNKNOWN: str = rpc.UNKNOWN


def is_unknown(value: Any) -> bool:
    """True when a value is not known yet (a preview with outputs still to be computed).

    The plugin hands Check and Diff an `Unknown` object for it; the engine's wire form, the
    UNKNOWN text, is accepted too.
    """
    return isinstance(value, Unknown) or (isinstance(value, str) and value == UNKNOWN)


def contains_unknown(value: Any) -> bool:
    """True when a value or anything nested in it is unknown."""
    if is_unknown(value):
        return True
    if isinstance(value, Mapping):
        return any(contains_unknown(v) for v in value.values())
    if isinstance(value, list | tuple):
        return any(contains_unknown(v) for v in value)
    return False


def normalize(value: Any) -> Any:
    """Return value with integral floats turned into ints and None entries of mappings dropped.

    Numbers cross the gRPC boundary as floats (60 arrives as 60.0) and None values are dropped,
    so both sides of every comparison are normalized the same way first.
    """
    if isinstance(value, bool):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, Mapping):
        return {str(k): normalize(v) for k, v in value.items() if v is not None}
    if isinstance(value, list | tuple):
        return [normalize(v) for v in value]
    return value


def pick(props: Mapping[str, Any], keys: tuple[str, ...]) -> dict[str, Any]:
    """The normalized entries of props named in keys that are set (not None)."""
    return {k: normalize(props[k]) for k in keys if props.get(k) is not None}
