"""The stack key rolePropagationSeconds: the wait after each change of the import role's policy."""

from __future__ import annotations

from typing import Any

import pytest

from omics_provider.errors import StackConfigError
from omics_provider.resources.policy_settle import DEFAULT_SETTLE_SECONDS
from omics_stack.config import parse_stack_config

REFERENCE = "arn:aws:omics:us-east-1:123456789012:referenceStore/1234567890/reference/1234567890"


def minimal(**extra: Any) -> dict[str, Any]:
    return {"storeName": "cohort", "referenceArn": REFERENCE, **extra}


@pytest.mark.parametrize(
    ("value", "seconds"),
    [
        (None, DEFAULT_SETTLE_SECONDS),
        (0, 0.0),
        (45, 45.0),
        (12.5, 12.5),
        (900, 900.0),
    ],
)
def test_parse_role_propagation_seconds_defaults_and_accepts_0_to_900(
    value: Any, seconds: float
) -> None:
    values = minimal() if value is None else minimal(rolePropagationSeconds=value)

    assert parse_stack_config(values).role_propagation_seconds == seconds


@pytest.mark.parametrize("value", [-1, 901, "soon", "45", True, float("nan")])
def test_parse_role_propagation_seconds_rejects_other_values_naming_the_key(value: Any) -> None:
    with pytest.raises(StackConfigError, match="omics-variant-import:rolePropagationSeconds"):
        parse_stack_config(minimal(rolePropagationSeconds=value))
