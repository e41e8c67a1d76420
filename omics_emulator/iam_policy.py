"""IAM's evaluation of identity policies for one request: wildcards, conditions, allow and deny.

Enough of IAM's policy language to judge an import role's S3 and KMS reads the way IAM does:
`*` and `?` in actions, resources and StringLike values; ARN wildcards staying inside their
colon-separated segment (a trailing `*` may run past it); the String condition operators with
their IfExists forms; an explicit Deny overriding any Allow. Anything else raises
UnsupportedPolicy rather than being judged wrongly.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterable, Mapping
from typing import Any

ARN_SEGMENTS = 6
"""arn:partition:service:region:account:resource (the resource may hold colons)."""


class UnsupportedPolicy(ValueError):
    """The policy uses an element or operator this evaluator does not judge."""


def is_allowed(
    documents: Iterable[Mapping[str, Any]],
    action: str,
    resource: str,
    context: Mapping[str, str] | None = None,
) -> bool:
    """True when a statement of documents allows action on resource and none denies it.

    context holds the request's condition keys (e.g. {"s3:prefix": "vcf/"}).
    """
    request = {key.lower(): value for key, value in (context or {}).items()}
    allowed = False
    for document in documents:
        for statement in statements_of(document):
            if not _applies(statement, action, resource, request):
                continue
            if statement.get("Effect") == "Deny":
                return False
            allowed = True
    return allowed


def statements_of(document: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    """The statements of a policy document (a lone statement may stand without a list)."""
    statements = document.get("Statement", [])
    return [statements] if isinstance(statements, Mapping) else list(statements)


def _applies(
    statement: Mapping[str, Any], action: str, resource: str, request: Mapping[str, str]
) -> bool:
    for element in ("NotPrincipal", "Principal"):
        if element in statement:
            raise UnsupportedPolicy(f"{element} has no place in an identity policy")
    return (
        _element_matches(statement, "Action", action, action_matches)
        and _element_matches(statement, "Resource", resource, arn_matches)
        and conditions_hold(statement.get("Condition", {}), request)
    )


def _element_matches(
    statement: Mapping[str, Any], name: str, value: str, match: Callable[[str, str], bool]
) -> bool:
    """Action/Resource: one pattern matches; NotAction/NotResource: none does."""
    if name in statement:
        return any(match(pattern, value) for pattern in _as_list(statement[name]))
    negated = f"Not{name}"
    if negated in statement:
        return not any(match(pattern, value) for pattern in _as_list(statement[negated]))
    raise UnsupportedPolicy(f"a statement needs {name} or {negated}")


def _as_list(value: Any) -> list[str]:
    return [value] if isinstance(value, str) else list(value)


def action_matches(pattern: str, action: str) -> bool:
    """IAM's action match: case-insensitive, * any characters, ? one character."""
    return _wildcard(pattern, ignore_case=True).fullmatch(action) is not None


def string_like(pattern: str, value: str) -> bool:
    """StringLike: case-sensitive, * any characters (including none), ? exactly one."""
    return _wildcard(pattern, ignore_case=False).fullmatch(value) is not None


def arn_matches(pattern: str, arn: str) -> bool:
    """IAM's resource match: wildcards within a segment; a segment's trailing * runs on."""
    if pattern == "*":
        return True
    if "${" in pattern:
        raise UnsupportedPolicy(f"policy variables are not evaluated: {pattern}")
    return _arn_pattern(pattern).fullmatch(arn) is not None


@functools.lru_cache(maxsize=4096)
def _wildcard(pattern: str, ignore_case: bool) -> re.Pattern[str]:
    parts = (".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern)
    return re.compile("".join(parts), re.DOTALL | (re.IGNORECASE if ignore_case else 0))


@functools.lru_cache(maxsize=4096)
def _arn_pattern(pattern: str) -> re.Pattern[str]:
    segments = pattern.split(":", ARN_SEGMENTS - 1)
    regex = []
    for index, segment in enumerate(segments):
        last_segment = index == len(segments) - 1
        for position, char in enumerate(segment):
            trailing = position == len(segment) - 1
            if char == "*":
                regex.append(".*" if last_segment or trailing else "[^:]*")
            elif char == "?":
                regex.append("." if last_segment else "[^:]")
            else:
                regex.append(re.escape(char))
        if not last_segment:
            regex.append(":")
    return re.compile("".join(regex), re.DOTALL)


def string_equals(pattern: str, value: str) -> bool:
    """StringEquals: exact and case-sensitive."""
    return pattern == value


_STRING_OPERATORS: dict[str, tuple[Callable[[str, str], bool], bool]] = {
    "StringEquals": (string_equals, False),
    "StringNotEquals": (string_equals, True),
    "StringLike": (string_like, False),
    "StringNotLike": (string_like, True),
}


def conditions_hold(condition: Mapping[str, Any], request: Mapping[str, str]) -> bool:
    """Every operator and every key of the Condition block holds (keys are case-insensitive)."""
    for operator, keys in condition.items():
        for key, values in keys.items():
            if not _condition_holds(operator, request.get(key.lower()), _as_list(values)):
                return False
    return True


def _condition_holds(operator: str, value: str | None, patterns: list[str]) -> bool:
    base = operator.removesuffix("IfExists")
    if base not in _STRING_OPERATORS:
        raise UnsupportedPolicy(f"condition operator {operator} is not evaluated")
    match, negated = _STRING_OPERATORS[base]
    if value is None:
        return operator.endswith("IfExists") or negated
    matched = any(match(pattern, value) for pattern in patterns)
    return not matched if negated else matched
