"""ProviderError: fields formatted once into one redacted line, kept when pickled."""

from __future__ import annotations

import pickle
from typing import Any

import pytest

from omics_provider.core.errors import (
    OutcomeUnknownError,
    ProviderError,
    QuotaExceededError,
    RetriesExhaustedError,
)

KEY_ID = "AKIAIOSFODNN7EXAMPLE"


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({}, "it broke"),
        ({"resource": "VariantStore s"}, "VariantStore s: it broke"),
        ({"advice": "fix it"}, "it broke; fix it"),
        ({"resource": "R", "operation": "Op"}, "R: Op failed (it broke)"),
        (
            {"resource": "R", "operation": "Op", "code": "ConflictException", "advice": "wait"},
            "R: Op failed (ConflictException: it broke); wait",
        ),
        ({"code": "ConflictException"}, "it broke"),  # a code belongs to a failed operation
    ],
    ids=["problem", "resource", "advice", "operation", "every-field", "code-alone"],
)
def test_provider_error_formats_the_fields_it_has(fields: dict[str, Any], message: str) -> None:
    assert str(ProviderError("it broke", **fields)) == message


def test_provider_error_message_is_one_redacted_line() -> None:
    error = ProviderError(f"signed with\n{KEY_ID}", resource="R", advice=f"rotate\t {KEY_ID}  soon")
    assert str(error) == "R: signed with <redacted>; rotate <redacted> soon"
    assert KEY_ID not in repr(error.args)


@pytest.mark.parametrize(
    "kind", [ProviderError, OutcomeUnknownError, QuotaExceededError, RetriesExhaustedError]
)
def test_provider_error_pickles_with_its_kind_and_fields(kind: type[ProviderError]) -> None:
    error = kind("slow", resource="R", operation="Op", code="ThrottlingException", advice="wait")
    again = pickle.loads(pickle.dumps(error))
    assert type(again) is kind
    assert again.fields() == error.fields()
    assert str(again) == str(error)
