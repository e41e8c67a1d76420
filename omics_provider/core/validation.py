"""Offline input checks against the service model; each failure names its property and a fix."""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

from pulumi.dynamic import CheckFailure

from omics_provider.core.properties import contains_unknown, is_unknown
from omics_provider.core.service import REGION_RULE, StringRule, map_rules, omics_model, string_rule

_CONTROL_CHARACTERS = frozenset(chr(c) for c in [*range(32), 127])
QUOTED_CHARACTERS = 80
"""A value quoted in a failure is cut to this many characters (a 3 MB name gives a short line)."""
ENDPOINT_HINT = (
    "an http(s) URL such as http://127.0.0.1:4566 or https://omics.us-east-1.amazonaws.com"
)
MIN_WAIT_SECONDS = 1.0
"""The shortest timeout or wait accepted (polling settings have their own floor)."""
MAX_TIMEOUT_SECONDS = 30 * 24 * 3600.0
"""The longest timeout accepted: a month (longer ones overflow the platform's timed waits)."""
PLAIN_NUMBER = re.compile(r"[0-9]+(?:\.[0-9]+)?")
"""A number as settings take it in text: ASCII digits with an optional fraction; no sign,
exponent, `_` separator, other script's digits, nan or inf."""


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
            self.fail(prop, f"{quoted(value)} {problem}; {hint}")
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
            self.fail(prop, f"must be true or false, got {_type_name(value)} {quoted(value)}")

    def seconds(
        self,
        prop: str,
        value: Any,
        low: float = MIN_WAIT_SECONDS,
        high: float = MAX_TIMEOUT_SECONDS,
        zero: bool = False,
    ) -> float | None:
        """An optional number of seconds from low to high (or exactly 0 when zero is allowed);
        None when unset or invalid.

        Booleans, text, NaN, infinities and values out of range fail with the range named.
        """
        if value is None or is_unknown(value):
            return None
        number = _as_number(value)
        if number is not None and (low <= number <= high or (zero and number == 0)):
            return number
        self.fail(prop, f"must be {seconds_range(low, high, zero)}, got {quoted(value)}")
        return None

    def endpoint_url(self, prop: str, value: str) -> None:
        """Check an endpoint URL (see endpoint_problem); the failure never quotes a password."""
        problem = endpoint_problem(value)
        if problem is not None:
            self.fail(prop, problem)

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
            self.fail(prop, f"must be one of {', '.join(allowed)}, got {quoted(value)}")
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


def endpoint_problem(url: str) -> str | None:
    """What is wrong with an endpoint URL, or None: an http(s) URL with a host, a port from 1 to
    65,535 if any, IPv6 addresses in brackets, and no user name or password (requests are signed
    with the AWS credentials; a password in the URL would be printed with every error)."""
    hint = f"must be {ENDPOINT_HINT}"
    if any(c.isspace() for c in url) or has_control_character(url):
        return f"{hint}; it holds white space or control characters"
    if "@" in url:
        return (
            f"{hint}, without a user name or password (user:password@): the provider signs "
            "requests with the AWS credentials; remove them from the URL"
        )
    try:
        parsed = urlsplit(url)
        port = parsed.port
    except ValueError as error:
        return f"{hint}; {quoted(url)} cannot be parsed ({error})"
    if parsed.scheme not in ("http", "https") or not parsed.hostname:
        return f"{hint}, got {quoted(url)}"
    if port == 0:
        return f"{hint}; port 0 is not a port (1 to 65535)"
    return None


def quoted(value: Any) -> str:
    """repr(value), cut to QUOTED_CHARACTERS with the full length said, for failure messages."""
    text = repr(value)
    if len(text) <= QUOTED_CHARACTERS:
        return text
    size = f"{len(value)} characters" if isinstance(value, str) else f"{len(text)} characters"
    return f"{text[:QUOTED_CHARACTERS]}... ({size})"


def seconds_range(low: float, high: float, zero: bool = False) -> str:
    """The range of a seconds setting as messages and docs say it: `a number of seconds from 1
    to 3,600`, with `0 (no wait), or ` before it when 0 is allowed."""
    text = f"a number of seconds from {low:g} to {high:,.0f}"
    return f"0 (no wait), or {text}" if zero else text


def number_from_text(value: Any) -> Any:
    """value as a float when it is the text of a plain ASCII decimal number (PLAIN_NUMBER;
    config values arrive as text); any other value as it is, for the checks to refuse."""
    if isinstance(value, str) and PLAIN_NUMBER.fullmatch(value):
        return float(value)
    return value


def _as_number(value: Any) -> float | None:
    """A finite int or float as a float; None for booleans and anything else."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value) if math.isfinite(value) else None


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
