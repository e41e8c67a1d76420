"""docs/configuration.md states the ranges the code enforces, setting by setting."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from omics_provider.core.validation import MAX_TIMEOUT_SECONDS, MIN_WAIT_SECONDS, seconds_range
from omics_provider.resources.policy_settle import MAX_SETTLE_SECONDS
from omics_provider.resources.provider_base import (
    MAX_POLL_SECONDS,
    MIN_LOCAL_POLL_SECONDS,
    MIN_POLL_SECONDS,
    POLL_KEYS,
)

DOC = Path(__file__).resolve().parents[2] / "docs" / "configuration.md"
NAMESPACE = "omics-variant-import"
POLL_RANGE = (
    f"{seconds_range(MIN_POLL_SECONDS, MAX_POLL_SECONDS)} "
    f"(from {MIN_LOCAL_POLL_SECONDS:g} against an endpoint that is not AWS's)"
)
CODE_RANGES = {
    **{f"`{NAMESPACE}:{key}`": POLL_RANGE for key in POLL_KEYS},
    f"`{NAMESPACE}:timeoutSeconds`": seconds_range(MIN_WAIT_SECONDS, MAX_TIMEOUT_SECONDS),
    f"`{NAMESPACE}:rolePropagationSeconds`": seconds_range(0.0, MAX_SETTLE_SECONDS),
    "`VariantImportJob` input `timeoutSeconds`": seconds_range(
        MIN_WAIT_SECONDS, MAX_TIMEOUT_SECONDS
    ),
}


def documented_ranges() -> dict[str, str]:
    """The rows of the `## Ranges` table of docs/configuration.md: key cell to range cell."""
    section = DOC.read_text(encoding="utf-8").split("## Ranges", 1)[1].split("\n## ", 1)[0]
    rows = re.findall(r"^\| (.+?) \| (.+?) \|$", section, re.MULTILINE)
    return {key: value for key, value in rows if key not in ("key", "---")}


@pytest.mark.parametrize("key", sorted(CODE_RANGES))
def test_documented_range_equals_the_codes(key: str) -> None:
    assert documented_ranges()[key] == CODE_RANGES[key]
