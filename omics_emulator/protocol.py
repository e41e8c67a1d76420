"""The omics rest-json protocol, driven by botocore's service model: routes, input, output.

Every route, constraint and output member comes from
``botocore.session.get_session().get_service_model("omics")``; nothing is hand-copied.
Patterns are matched in full (``re.fullmatch``): AWS's server-side validation anchors
them, as the model's own ``.*arn:...*`` key-ARN pattern shows.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote

import botocore.session
from botocore.model import OperationModel, ServiceModel, Shape, StructureShape

from omics_emulator.exceptions import (
    OmicsError,
    SerializationException,
    UnknownOperationException,
    ValidationException,
)

Params = dict[str, Any]
# Deeper than any omics input shape nests; a parser limit of the kind AWS's JSON readers have.
MAX_JSON_DEPTH = 100


@functools.cache
def service_model() -> ServiceModel:
    """botocore's model of the omics API (loaded once)."""
    return botocore.session.get_session().get_service_model("omics")


@dataclass(frozen=True)
class Route:
    """One operation's method and path template, compiled."""

    operation: OperationModel
    method: str
    regex: re.Pattern[str]
    literal_length: int


def _compile(operation: OperationModel) -> Route:
    template = operation.http["requestUri"].split("?")[0]
    pattern = ""
    for part in re.split(r"(\{[^}]+\})", template):
        if part.startswith("{"):
            name = part[1:-1]
            greedy = name.endswith("+")
            pattern += f"(?P<{name.rstrip('+')}>{'.+' if greedy else '[^/]+'})"
        else:
            pattern += re.escape(part)
    literal = len(re.sub(r"\{[^}]+\}", "", template))
    return Route(operation, operation.http["method"], re.compile(pattern), literal)


class Router:
    """Finds the operation for a method and path among all operations of the model."""

    def __init__(self, model: ServiceModel) -> None:
        self.routes = [_compile(model.operation_model(n)) for n in model.operation_names]
        self.routes.sort(key=lambda r: -r.literal_length)

    def match(self, method: str, path: str) -> tuple[OperationModel, dict[str, str]]:
        """The operation and its decoded URI labels, or UnknownOperationException."""
        allowed = []
        for route in self.routes:
            found = route.regex.fullmatch(path)
            if found is None:
                continue
            if route.method == method:
                return route.operation, {k: unquote(v) for k, v in found.groupdict().items()}
            allowed.append(route.method)
        if allowed:
            raise UnknownOperationException(
                f"Method {method} is not allowed on {path} "
                f"(allowed: {', '.join(sorted(set(allowed)))})",
                status=405,
            )
        raise UnknownOperationException(f"No omics operation matches {method} {path}")


def parse_request(
    operation: OperationModel,
    labels: Mapping[str, str],
    query: Mapping[str, list[str]],
    headers: Mapping[str, str],
    body: bytes,
) -> Params:
    """The operation's input parameters from URI, query, headers and JSON body, validated."""
    shape = operation.input_shape
    if shape is None:
        return {}
    params = _parse_body(body) if _has_body_members(shape) else {}
    for name, member in shape.members.items():
        raw = _located_value(member, labels, query, headers)
        if raw is not None:
            params[name] = _from_text(member, raw, name)
    errors = validate(shape, params, "")
    if errors:
        raise ValidationException(_validation_message(errors))
    return params


def _has_body_members(shape: StructureShape) -> bool:
    return any("location" not in m.serialization for m in shape.members.values())


def _parse_body(body: bytes) -> Params:
    if not body.strip():
        return {}
    try:
        parsed = json.loads(body)
    except RecursionError:
        raise _too_deep() from None
    except (ValueError, UnicodeDecodeError) as err:
        raise SerializationException(f"The request body is not valid JSON: {err}") from None
    if not isinstance(parsed, dict):
        raise SerializationException("The request body must be a JSON object")
    if nesting_depth(parsed, MAX_JSON_DEPTH) > MAX_JSON_DEPTH:
        raise _too_deep()
    return parsed


def nesting_depth(value: Any, stop_above: int) -> int:
    """How deeply objects and arrays nest in ``value`` (a scalar is 0, ``{}`` is 1).

    Iterative, so no depth can exhaust the stack; counting stops once past ``stop_above``.
    """
    deepest = 0
    pending: list[tuple[Any, int]] = [(value, 1)]
    while pending and deepest <= stop_above:
        node, depth = pending.pop()
        if isinstance(node, dict | list):
            deepest = max(deepest, depth)
            children = node.values() if isinstance(node, dict) else node
            pending.extend((child, depth + 1) for child in children)
    return deepest


def _too_deep() -> SerializationException:
    return SerializationException(
        f"The request body nests objects or arrays more than {MAX_JSON_DEPTH} levels deep"
    )


def _located_value(
    member: Shape,
    labels: Mapping[str, str],
    query: Mapping[str, list[str]],
    headers: Mapping[str, str],
) -> str | list[str] | None:
    location = member.serialization.get("location")
    name = member.serialization.get("name", member.name)
    if location == "uri":
        return labels.get(name)
    if location == "querystring":
        values = query.get(name)
        if not values:
            return None
        return values if member.type_name == "list" else values[0]
    if location == "header":
        return headers.get(name)
    return None


def _from_text(member: Shape, raw: str | list[str], name: str) -> Any:
    if isinstance(raw, list):
        return raw
    if member.type_name in ("integer", "long"):
        try:
            return int(raw)
        except ValueError:
            raise ValidationException(f"Value '{raw}' at '{name}' must be an integer") from None
    if member.type_name == "boolean":
        if raw.lower() not in ("true", "false"):
            raise ValidationException(f"Value '{raw}' at '{name}' must be true or false")
        return raw.lower() == "true"
    return raw


# -- validation against the input shape ---------------------------------------------------


def validate(shape: Shape, value: Any, path: str) -> list[str]:
    """Coral-style messages for every constraint of ``shape`` that ``value`` breaks."""
    checker = _CHECKERS.get(shape.type_name, _check_scalar)
    return checker(shape, value, path)


def _check_structure(shape: Shape, value: Any, path: str) -> list[str]:
    if not isinstance(value, dict):
        raise SerializationException(f"Expected an object at '{path or shape.name}'")
    assert isinstance(shape, StructureShape)
    errors = []
    for name in shape.required_members:
        if value.get(name) is None:
            errors.append(
                f"Value null at '{_join(path, name)}' failed to satisfy constraint: "
                "Member must not be null"
            )
    present = [n for n in shape.members if value.get(n) is not None]
    if shape.metadata.get("union") and len(present) != 1:
        errors.append(
            f"Value at '{path}' failed to satisfy constraint: exactly one member must be set"
        )
    for name in present:
        errors += validate(shape.members[name], value[name], _join(path, name))
    return errors


def _check_list(shape: Shape, value: Any, path: str) -> list[str]:
    if not isinstance(value, list):
        raise SerializationException(f"Expected a list at '{path}'")
    errors = _check_length(shape, value, len(value), path)
    for index, element in enumerate(value, start=1):
        errors += validate(shape.member, element, f"{path}.{index}.member")  # type: ignore[attr-defined]
    return errors


def _check_map(shape: Shape, value: Any, path: str) -> list[str]:
    if not isinstance(value, dict):
        raise SerializationException(f"Expected an object at '{path}'")
    errors = _check_length(shape, value, len(value), path)
    for key, element in value.items():
        errors += validate(shape.key, key, f"{path}.key")  # type: ignore[attr-defined]
        errors += validate(shape.value, element, f"{path}.{key}")  # type: ignore[attr-defined]
    return errors


def _check_scalar(shape: Shape, value: Any, path: str) -> list[str]:
    expected = JSON_TYPES.get(shape.type_name)
    if expected and (
        not isinstance(value, expected)
        or (shape.type_name != "boolean" and isinstance(value, bool))
    ):
        raise SerializationException(
            f"Expected a {shape.type_name} at '{path}', got {type(value).__name__}"
        )
    if shape.type_name == "string":
        return _check_string(shape, value, path)
    if shape.type_name in ("integer", "long"):
        return _check_range(shape, value, path)
    return []


def _check_string(shape: Shape, value: str, path: str) -> list[str]:
    errors = _check_length(shape, value, len(value), path)
    enum = shape.metadata.get("enum")
    if enum and value not in enum:
        errors.append(
            _fail(value, path, f"Member must satisfy enum value set: [{', '.join(enum)}]")
        )
    pattern = shape.metadata.get("pattern")
    if pattern and re.fullmatch(pattern, value, flags=re.DOTALL) is None:
        errors.append(
            _fail(value, path, f"Member must satisfy regular expression pattern: {pattern}")
        )
    return errors


def _check_length(shape: Shape, value: Any, length: int, path: str) -> list[str]:
    low, high = shape.metadata.get("min"), shape.metadata.get("max")
    if low is not None and length < low:
        return [_fail(value, path, f"Member must have length greater than or equal to {low}")]
    if high is not None and length > high:
        return [_fail(value, path, f"Member must have length less than or equal to {high}")]
    return []


def _check_range(shape: Shape, value: int, path: str) -> list[str]:
    low, high = shape.metadata.get("min"), shape.metadata.get("max")
    if low is not None and value < low:
        return [_fail(value, path, f"Member must have value greater than or equal to {low}")]
    if high is not None and value > high:
        return [_fail(value, path, f"Member must have value less than or equal to {high}")]
    return []


def _fail(value: Any, path: str, constraint: str) -> str:
    shown = f"'{value}'" if isinstance(value, str) else json.dumps(value, default=str)
    if len(shown) > 200:
        shown = shown[:200] + "...'"
    return f"Value {shown} at '{path}' failed to satisfy constraint: {constraint}"


def _join(path: str, name: str) -> str:
    return f"{path}.{name}" if path else name


def _validation_message(errors: list[str]) -> str:
    count = len(errors)
    noun = "error" if count == 1 else "errors"
    return f"{count} validation {noun} detected: " + "; ".join(errors)


_CHECKERS = {"structure": _check_structure, "list": _check_list, "map": _check_map}
JSON_TYPES: dict[str, type | tuple[type, ...]] = {  # Python types of JSON scalar shapes
    "string": str,
    "integer": int,
    "long": int,
    "boolean": bool,
    "double": (int, float),
    "float": (int, float),
}


# -- output ----------------------------------------------------------------------------------


def serialize_output(
    operation: OperationModel, result: Params
) -> tuple[int, dict[str, str], bytes]:
    """Status, headers and JSON body of a successful response, shaped by the output shape.

    A member the shape does not declare raises AssertionError: the emulator never sends
    anything the real API would not.
    """
    shape = operation.output_shape
    headers: dict[str, str] = {}
    body: Params = {}
    if shape is not None:
        assert isinstance(shape, StructureShape)
        _split_members(shape, result, headers, body)
    status = int(operation.http.get("responseCode", 200))
    return status, headers, json.dumps(body).encode()


def _split_members(
    shape: StructureShape, result: Params, headers: dict[str, str], body: Params
) -> None:
    unknown = set(result) - set(shape.members)
    assert not unknown, f"{shape.name} has no members {sorted(unknown)}"
    for name, value in result.items():
        if value is None:
            continue
        member = shape.members[name]
        wire = member.serialization.get("name", name)
        if member.serialization.get("location") == "header":
            headers[wire] = str(to_wire(member, value))
        else:
            body[wire] = to_wire(member, value)


def to_wire(shape: Shape, value: Any) -> Any:
    """``value`` as the JSON the real service sends for ``shape``."""
    if shape.type_name == "structure":
        assert isinstance(shape, StructureShape)
        body: Params = {}
        _split_members(shape, value, {}, body)
        return body
    if shape.type_name == "list":
        return [to_wire(shape.member, v) for v in value]  # type: ignore[attr-defined]
    if shape.type_name == "map":
        return {k: to_wire(shape.value, v) for k, v in value.items()}  # type: ignore[attr-defined]
    if shape.type_name == "timestamp":
        return _timestamp(shape, value)
    return value


def _timestamp(shape: Shape, value: dt.datetime) -> str | float:
    fmt = shape.serialization.get("timestampFormat", "unixTimestamp")
    utc = value.astimezone(dt.UTC)
    if fmt == "iso8601":
        return utc.strftime("%Y-%m-%dT%H:%M:%S.") + f"{utc.microsecond // 1000:03d}Z"
    assert fmt == "unixTimestamp", f"unexpected timestampFormat {fmt}"
    return round(utc.timestamp(), 3)


def error_status(error: OmicsError) -> int:
    """The HTTP status of ``error``: the model's error shape's, else the error's own."""
    try:
        shape = service_model().shape_for(error.code)
    except Exception:
        return error.status
    return int(shape.metadata.get("error", {}).get("httpStatusCode", error.status))


def error_body(error: OmicsError) -> tuple[int, dict[str, str], bytes]:
    """Status, headers and body of an error response as botocore's rest-json parser reads it."""
    headers = {"x-amzn-ErrorType": error.code}
    return error_status(error), headers, json.dumps({"message": error.message}).encode()
