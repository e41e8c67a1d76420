"""Offline input checks against the service model; each failure names its property and a fix."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from pulumi.dynamic import CheckFailure

from omics_provider.core.service import REGION_RULE, StringRule, map_rules, omics_model, string_rule
from omics_provider.resources.properties import contains_unknown, is_unknown

_CONTROL_CHARACTERS = frozenset(chr(c) for c in [*range(32), 127])


def has_control_character(value: str) -> bool:
    """True when value holds an ASCII control character (newline, tab, NUL, ...)."""
    return not _CONTROL_CHARACTERS.isdisjoint(value)


class Checker:
    """Collects CheckFailures for one property bag; unknown values (previews) always pass."""

    def __init__(self) -> None:
        self.failures: list[CheckFailure] = []

    def fail(self, prop: str, reason: str) -> None:
        """Record that prop is invalid, with a reason that says what a valid value looks like."""
        self.failures.append(CheckFailure(prop, f"{prop}: {reason}"))

    def string(self, prop: str, value: Any, rule: StringRule, hint: str) -> bool:
        """Check a string against a service-model rule; True when it passed."""
        if is_unknown(value):
            return True
        if not isinstance(value, str):
            self.fail(prop, f"must be a string ({hint}), got {_type_name(value)}")
            return False
        if has_control_character(value):
            self.fail(prop, f"must not contain control characters; {hint}")
            return False
        problem = rule.violation(value)
        if problem is not None:
            self.fail(prop, f"{value!r} {problem}; {hint}")
            return False
        return True

    def shape_string(self, prop: str, value: Any, shape_name: str, hint: str) -> bool:
        """Check a string against the omics model's named string shape."""
        return self.string(prop, value, string_rule(shape_name), hint)

    def required(self, prop: str, value: Any, hint: str) -> bool:
        """Check that a required property is set; True when it is."""
        if value is None or (isinstance(value, str) and not value):
            self.fail(prop, f"is required; {hint}")
            return False
        return True

    def boolean(self, prop: str, value: Any) -> None:
        """Check an optional boolean."""
        if value is not None and not is_unknown(value) and not isinstance(value, bool):
            self.fail(prop, f"must be true or false, got {_type_name(value)} {value!r}")

    def positive_number(self, prop: str, value: Any, unit: str) -> None:
        """Check an optional number of units that must be finite and above zero."""
        if value is None or is_unknown(value):
            return
        valid = isinstance(value, int | float) and not isinstance(value, bool)
        if not valid or not math.isfinite(value) or value <= 0:
            self.fail(prop, f"must be a positive number of {unit}, got {value!r}")

    def region(self, prop: str, value: Any) -> None:
        """Check an optional AWS region name."""
        if value is not None:
            self.string(prop, value, REGION_RULE, "an AWS region such as us-east-1")

    def enum(self, prop: str, value: Any, shape_name: str) -> bool:
        """Check a required value against the omics model's named enum shape."""
        if is_unknown(value):
            return True
        shape: Any = omics_model().shape_for(shape_name)
        allowed = [str(option) for option in shape.enum]
        if value not in allowed:
            self.fail(prop, f"must be one of {', '.join(allowed)}, got {value!r}")
            return False
        return True

    def string_map(self, prop: str, value: Any, shape_name: str, what: str) -> None:
        """Check an optional map of strings against the omics model's named map shape."""
        if value is None or contains_unknown(value):
            return
        if not isinstance(value, Mapping):
            self.fail(prop, f"must be a map of {what}, got {_type_name(value)}")
            return
        key_rule, value_rule = map_rules(shape_name)
        for key, item in value.items():
            self.string(f"{prop}.{key}", key, key_rule, f"keys of {prop} are {_bounds(key_rule)}")
            self.string(
                f"{prop}.{key}", item, value_rule, f"values of {prop} are {_bounds(value_rule)}"
            )


def _bounds(rule: StringRule) -> str:
    upper = "" if rule.max_length is None else f" to {rule.max_length}"
    return f"strings of {rule.min_length}{upper} characters"


def _type_name(value: Any) -> str:
    names = {bool: "a boolean", int: "a number", float: "a number", str: "a string"}
    if isinstance(value, Mapping):
        return "a map"
    if isinstance(value, list | tuple):
        return "a list"
    return names.get(type(value), type(value).__name__)
