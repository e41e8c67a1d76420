"""Edges of the stack schema and of plan's grouping that a slip in the code would move."""

from __future__ import annotations

from typing import Any

import pytest

from omics_stack import StackConfigError
from omics_stack.config import BATCH_KEYS, parse_stack_config
from omics_stack.planning import group
from omics_stack.s3 import S3Location, S3Object
from tests.stack.conftest import REFERENCE


@pytest.mark.parametrize("key", sorted(BATCH_KEYS))
def test_parse_refuses_a_batch_key_at_the_top_level(key: str) -> None:
    values: dict[str, Any] = {"storeName": "cohort", "referenceArn": REFERENCE, key: "x"}
    with pytest.raises(StackConfigError) as raised:
        parse_stack_config(values)
    assert f"omics-variant-import:{key}: is not a key of this program" in str(raised.value)


@pytest.mark.parametrize(
    ("files", "size", "batches"),
    [(4, 2, [2, 2]), (6, 3, [3, 3]), (1000, 1000, [1000]), (5, 2, [1, 2, 2]), (1, 5, [1])],
)
def test_group_makes_ceil_files_over_size_batches(
    files: int, size: int, batches: list[int]
) -> None:
    objects = [S3Object("bucket-a", f"in/{n:04d}.vcf", 1) for n in range(files)]
    planned = group(S3Location("bucket-a", "in/"), objects, size, set())
    assert [len(batch.objects) for batch in planned] == batches
    assert [batch.name for batch in planned] == [f"in-{n:03d}" for n in range(1, len(batches) + 1)]
