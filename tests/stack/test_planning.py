"""Planning as pure functions: which objects to keep, and how batches are grouped and named."""

from __future__ import annotations

import pytest

from omics_stack.history import StoreHistory
from omics_stack.planning import batch_base, group, select, skip_reason
from omics_stack.s3 import S3Location, S3Object

BUCKET = "cohort-bucket"


def obj(key: str, size: int = 100) -> S3Object:
    return S3Object(BUCKET, key, size)


@pytest.mark.parametrize(
    ("prefix", "base"),
    [
        ("vcf/2024-06/", "vcf-2024-06"),
        ("vcf/2024-06/patient-", "vcf-2024-06-patient"),
        ("", "cohort-bucket"),
        ("Deliveries/Batch #7 (re-sent)/", "Deliveries-Batch-7-re-sent"),
        ("a" * 200 + "/tail/", "a" * 85 + "-tail"),
        ("///", "cohort-bucket"),
    ],
)
def test_batch_base_is_a_valid_name_from_the_prefix(prefix: str, base: str) -> None:
    assert batch_base(S3Location(BUCKET, prefix)) == base


def test_group_balances_sizes_and_numbers_on_from_taken_names() -> None:
    objects = [obj(f"in/{i:02d}.vcf") for i in reversed(range(7))]
    taken = {"in-001", "in-004", "other-009"}

    batches = group(S3Location(BUCKET, "in/"), objects, 3, taken)

    assert [b.name for b in batches] == ["in-005", "in-006", "in-007"]
    assert [len(b.objects) for b in batches] == [2, 2, 3]
    assert [s for b in batches for s in b.sources] == sorted(o.uri for o in objects)
    assert {"in-005", "in-006", "in-007"} <= taken


@pytest.mark.parametrize(
    ("key", "size", "reason"),
    [
        ("in/a.vcf", 1, None),
        ("in/a.vcf.gz", 1, None),
        ("in/", 0, "folder markers"),
        ("in/a.vcf.gz.tbi", 1, "not .vcf/.vcf.gz (.tbi)"),
        ("in/README", 1, "not .vcf/.vcf.gz (no extension)"),
        ("in/a.VCF", 1, "not .vcf/.vcf.gz (.VCF)"),
        ("in/a\nb.vcf", 1, "names HealthOmics cannot take (control characters or too long)"),
        ("in/empty.vcf", 0, "empty files"),
    ],
)
def test_skip_reason_by_name_and_size(key: str, size: int, reason: str | None) -> None:
    assert skip_reason(obj(key, size)) == reason


def test_select_leaves_out_declared_imported_and_running_files() -> None:
    history = StoreHistory("store", imported={f"s3://{BUCKET}/b.vcf"})
    history.running.add(f"s3://{BUCKET}/c.vcf")
    objects = [obj(k) for k in ("a.vcf", "b.vcf", "c.vcf", "d.vcf")]

    selection = select(objects, {f"s3://{BUCKET}/a.vcf"}, history)

    assert [o.key for o in selection.kept] == ["d.vcf"]
    assert selection.skipped == {
        "already in a batch of this stack": 1,
        "already imported into store store": 1,
        "being imported into store store by a running job": 1,
    }
