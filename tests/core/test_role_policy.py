"""The import role's policy as plain data: exact grants, broadening to fit IAM, IAM's size count.

Grants are judged by the emulator's IAM evaluator (omics_emulator.iam_policy), not by the
builder's own reading of them; sizes by IAM's limits, which moto does not enforce.
"""

from __future__ import annotations

import json
import random
from collections.abc import Iterator
from typing import Any

import pytest

from omics_emulator.iam_policy import is_allowed
from omics_provider.core.role_policy import (
    INLINE_POLICY_LIMIT,
    POLICY_BUDGET,
    TRUST_POLICY_LIMIT,
    GrantTree,
    PolicyExtras,
    PolicyTooLarge,
    RolePolicy,
    SourceGrant,
    build_role_policy,
    folder_of,
    iam_size,
    parse_sources,
    policy_document,
    trust_policy,
)

REFERENCE = "arn:aws:omics:us-east-1:123456789012:referenceStore/1234567890/reference/1234567890"
KEY = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
BUCKETS = ("genomics-cohort-a", "genomics-cohort-b", "sequencing-archive")
FOLDERS = ("germline/2024-06", "germline/2024-07", "somatic/batch-01", "somatic/batch-02")


def cohort(files: int) -> list[str]:
    """files VCF sources spread over 3 buckets and 4 folders in each (12 folders)."""
    return [
        f"s3://{BUCKETS[i % 3]}/{FOLDERS[i // 3 % 4]}/sample-{i:05d}.vcf.gz" for i in range(files)
    ]


def split(uri: str) -> tuple[str, str]:
    bucket, _, key = uri.removeprefix("s3://").partition("/")
    return bucket, key


def can_get(policy: RolePolicy, bucket: str, key: str) -> bool:
    return is_allowed([policy.document], "s3:GetObject", f"arn:aws:s3:::{bucket}/{key}")


def can_list(policy: RolePolicy, bucket: str, prefix: str) -> bool:
    arn = f"arn:aws:s3:::{bucket}"
    return is_allowed([policy.document], "s3:ListBucket", arn, {"s3:prefix": prefix})


def can_read(policy: RolePolicy, bucket: str, key: str) -> bool:
    """GetObject on the object and ListBucket with the key as prefix: what an import reads."""
    return can_get(policy, bucket, key) and can_list(policy, bucket, key)


def outside_probes(sources: list[str]) -> Iterator[tuple[str, str]]:
    """(bucket, key) pairs outside every declared file's folder, next to them in name or place."""
    folders = {(b, folder_of(k)) for b, k in map(split, sources)}
    for bucket, folder in folders:
        parent = folder_of(folder[:-1])
        yield bucket, f"{parent}other/x.vcf.gz"
        yield bucket, f"{folder[:-1]}-extra/x.vcf.gz"
        yield bucket, f"{parent}x.vcf.gz"
        yield bucket, "x.vcf.gz"
        yield f"{bucket}-other", f"{folder}x.vcf.gz"
    yield "unrelated-bucket", "germline/2024-06/sample-00000.vcf.gz"


def count_like_iam(text: str) -> int:
    """Characters of a JSON text without the white space outside strings (IAM's rule)."""
    count, in_string, escaped = 0, False, False
    for char in text:
        if in_string:
            count += 1
            escaped, in_string = (False, in_string) if escaped else (char == "\\", char != '"')
        elif not char.isspace():
            count += 1
            in_string = char == '"'
    return count


def statement(sid: str | None, action: str, resources: list[str], **condition: Any) -> Any:
    found: dict[str, Any] = {"Effect": "Allow", "Action": [action], "Resource": resources}
    if sid:
        found = {"Sid": sid, **found}
    if condition:
        found["Condition"] = condition
    return found


@pytest.mark.parametrize(
    ("sources", "expected"),
    [
        (
            ["s3://bucket-a/vcf/one.vcf"],
            [
                statement("ReadSources", "s3:GetObject", ["arn:aws:s3:::bucket-a/vcf/one.vcf"]),
                statement("LocateSourceBuckets", "s3:GetBucketLocation", ["arn:aws:s3:::bucket-a"]),
                statement(
                    None,
                    "s3:ListBucket",
                    ["arn:aws:s3:::bucket-a"],
                    StringEquals={"s3:prefix": ["vcf/one.vcf"]},
                ),
            ],
        ),
        (
            ["s3://bucket-a/2024/", "s3://bucket-a/x.vcf", "s3://bucket-a/x.vcf"],
            [
                statement(
                    "ReadSources",
                    "s3:GetObject",
                    ["arn:aws:s3:::bucket-a/2024/*", "arn:aws:s3:::bucket-a/x.vcf"],
                ),
                statement("LocateSourceBuckets", "s3:GetBucketLocation", ["arn:aws:s3:::bucket-a"]),
                statement(
                    None,
                    "s3:ListBucket",
                    ["arn:aws:s3:::bucket-a"],
                    StringEquals={"s3:prefix": ["x.vcf"]},
                ),
                statement(
                    None,
                    "s3:ListBucket",
                    ["arn:aws:s3:::bucket-a"],
                    StringLike={"s3:prefix": ["2024/*"]},
                ),
            ],
        ),
        (
            ["s3://bucket-b/b.vcf.gz", "s3://bucket-a/a.vcf"],
            [
                statement(
                    "ReadSources",
                    "s3:GetObject",
                    ["arn:aws:s3:::bucket-a/a.vcf", "arn:aws:s3:::bucket-b/b.vcf.gz"],
                ),
                statement(
                    "LocateSourceBuckets",
                    "s3:GetBucketLocation",
                    ["arn:aws:s3:::bucket-a", "arn:aws:s3:::bucket-b"],
                ),
                statement(
                    None,
                    "s3:ListBucket",
                    ["arn:aws:s3:::bucket-a"],
                    StringEquals={"s3:prefix": ["a.vcf"]},
                ),
                statement(
                    None,
                    "s3:ListBucket",
                    ["arn:aws:s3:::bucket-b"],
                    StringEquals={"s3:prefix": ["b.vcf.gz"]},
                ),
            ],
        ),
    ],
    ids=["one-object", "prefix-and-object", "two-buckets"],
)
def test_build_role_policy_grants_exactly_the_sources(
    sources: list[str], expected: list[dict[str, Any]]
) -> None:
    policy = build_role_policy(sources)

    assert policy.document == {"Version": "2012-10-17", "Statement": expected}
    assert policy.broadened == ()


def test_build_role_policy_adds_kms_and_reference_when_given() -> None:
    policy = build_role_policy(["s3://bucket-a/a.vcf"], [KEY, KEY], REFERENCE)

    assert policy.document["Statement"][3:] == [
        statement("DecryptSources", "kms:Decrypt", [KEY]),
        {
            "Sid": "ReadReference",
            "Effect": "Allow",
            "Action": ["omics:GetReference", "omics:GetReferenceMetadata"],
            "Resource": [REFERENCE],
        },
    ]
    assert is_allowed([policy.document], "kms:Decrypt", KEY)
    assert not is_allowed([policy.document], "kms:Decrypt", KEY.replace("1234abcd", "9999abcd"))


def test_build_role_policy_follows_partition_of_reference() -> None:
    reference = REFERENCE.replace("arn:aws:", "arn:aws-cn:")

    policy = build_role_policy(["s3://bucket-a/a.vcf"], reference_arn=reference)

    assert policy.document["Statement"][0]["Resource"] == ["arn:aws-cn:s3:::bucket-a/a.vcf"]


@pytest.mark.parametrize(
    ("sources", "message"),
    [
        ([], "sources: an import role needs at least one source"),
        (["s3://bucket-a/a.vcf", "https://bucket-a/a.vcf"], r"sources\[1\]: .* is not an S3 URI"),
        (["s3://Bucket/a.vcf"], r"sources\[0\]: .* is not an S3 URI"),
        (["s3://bucket-a/a*.vcf"], r"sources\[0\]: .*wildcard"),
        (["s3://bucket-a/a?.vcf"], r"sources\[0\]: .*wildcard"),
        (["s3://bucket-a/${aws:username}.vcf"], r"sources\[0\]: .*wildcard"),
    ],
)
def test_build_role_policy_rejects_sources_it_cannot_grant_exactly(
    sources: list[str], message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        build_role_policy(sources)


@pytest.mark.parametrize(
    ("reference", "keys", "named"),
    [
        (REFERENCE.replace("arn:aws:", "arn:*:"), [], "reference_arn"),
        (REFERENCE.replace("us-east-1", "*"), [], "reference_arn"),
        (REFERENCE.rsplit("/", 1)[0] + "/*", [], "reference_arn"),
        (REFERENCE.replace("1234567890/reference", "123456789?/reference"), [], "reference_arn"),
        ("arn:aws:s3:::bucket-a/reference.fa", [], "reference_arn"),
        (None, ["*"], r"kms_key_arns\[0\]"),
        (None, [KEY, "arn:aws:kms:us-east-1:123456789012:key/*"], r"kms_key_arns\[1\]"),
        (None, [KEY.replace("arn:aws:", "arn:*:")], r"kms_key_arns\[0\]"),
        (None, ["arn:aws:kms:us-east-1:123456789012:alias/genomes"], r"kms_key_arns\[0\]"),
    ],
    ids=[
        "reference-partition-wildcard",
        "reference-region-wildcard",
        "reference-id-wildcard",
        "reference-question-mark",
        "reference-not-omics",
        "kms-star",
        "kms-key-wildcard",
        "kms-partition-wildcard",
        "kms-alias",
    ],
)
def test_build_role_policy_refuses_wildcard_or_foreign_arns_naming_the_input(
    reference: str | None, keys: list[str], named: str
) -> None:
    with pytest.raises(ValueError, match=f"^{named}: ") as raised:
        build_role_policy(["s3://bucket-a/a.vcf"], keys, reference)

    assert "like arn:aws:" in str(raised.value)


@pytest.mark.parametrize("files", [1, 100, 1_000, 10_000])
def test_build_role_policy_fits_iam_and_reads_every_declared_file(files: int) -> None:
    sources = cohort(files)

    policy = build_role_policy(sources, [KEY], REFERENCE)

    pretty = json.dumps(policy.document, indent=2)
    assert policy.size == iam_size(policy.document) <= POLICY_BUDGET < INLINE_POLICY_LIMIT
    assert count_like_iam(pretty) <= policy.size
    assert count_like_iam(policy.text) == len(policy.text)
    unreadable = [uri for uri in sources if not can_read(policy, *split(uri))]
    assert unreadable == []


@pytest.mark.parametrize("files", [1, 100, 1_000, 10_000])
def test_build_role_policy_reads_nothing_outside_the_declared_folders(files: int) -> None:
    sources = cohort(files)

    policy = build_role_policy(sources)

    readable = [
        (bucket, key)
        for bucket, key in outside_probes(sources)
        if can_get(policy, bucket, key) or can_list(policy, bucket, key)
    ]
    assert readable == []
    for bucket, folder in {(b, folder_of(k)) for b, k in map(split, sources)}:
        assert not can_list(policy, bucket, folder.rsplit("/", 2)[0] + "/")
        assert not can_list(policy, bucket, "")


def test_build_role_policy_with_few_files_reads_not_even_their_neighbours() -> None:
    sources = cohort(12)

    policy = build_role_policy(sources)

    assert policy.broadened == () and policy.broadened_files == 0
    for bucket, key in map(split, sources):
        neighbour = key.replace(".vcf.gz", "-neighbour.vcf.gz")
        assert not can_get(policy, bucket, neighbour)
        assert not can_list(policy, bucket, folder_of(key))


@pytest.mark.parametrize(("files", "prefixes"), [(1_000, 12), (10_000, 12)])
def test_build_role_policy_at_scale_broadens_to_the_files_folders(
    files: int, prefixes: int
) -> None:
    sources = cohort(files)

    policy = build_role_policy(sources)

    folders = {f"s3://{b}/{folder_of(k)}" for b, k in map(split, sources)}
    assert {grant.uri for grant in policy.broadened} <= folders
    assert len(policy.broadened) <= prefixes
    assert policy.files == files
    exact = [grant for grant in policy.grants if not grant.is_prefix]
    assert policy.broadened_files + len(exact) == files


def test_build_role_policy_broadens_only_the_folders_it_must() -> None:
    crowded = [f"s3://bucket-a/crowded/sample-{i:04d}.vcf.gz" for i in range(200)]
    quiet = [f"s3://bucket-a/quiet/sample-{i}.vcf.gz" for i in range(3)]

    policy = build_role_policy(crowded + quiet)

    assert [grant.uri for grant in policy.broadened] == ["s3://bucket-a/crowded/"]
    assert policy.broadened_files == 200
    assert {g.uri for g in policy.grants if not g.is_prefix} == set(quiet)


def test_build_role_policy_last_step_broadens_the_smallest_folder_that_fits() -> None:
    big = [f"s3://bucket-a/big/sample-{i:04d}.vcf.gz" for i in range(100)]
    small = [f"s3://bucket-a/small/sample-{i:04d}.vcf.gz" for i in range(25)]

    policy = build_role_policy(big + small)

    assert [grant.uri for grant in policy.broadened] == ["s3://bucket-a/small/"]
    assert build_role_policy(big).broadened == ()


def test_build_role_policy_summary_says_how_many_files_how_many_prefixes() -> None:
    exact, broad = build_role_policy(cohort(10)), build_role_policy(cohort(1_000))

    assert exact.summary().startswith("10 files granted exactly; policy ")
    assert f"{broad.broadened_files:,} of 1,000 files granted through " in broad.summary()
    assert f"{len(broad.broadened)} prefixes" in broad.summary()
    assert f"policy {broad.size:,} of 10,240 characters" in broad.summary()


@pytest.mark.parametrize(
    ("sources", "widest"),
    [
        ([f"s3://bucket-a/cohort/s{i:05d}/s{i:05d}.vcf.gz" for i in range(3_000)], "cohort/"),
        ([f"s3://bucket-a/p{i % 7}/s{i:05d}/s.vcf.gz" for i in range(3_000)], "p"),
        ([f"s3://bucket-a/s{i:05d}/s.vcf.gz" for i in range(3_000)], ""),
    ],
    ids=["common-folder", "seven-projects", "no-common-folder"],
)
def test_build_role_policy_never_grants_above_the_common_folder(
    sources: list[str], widest: str
) -> None:
    policy = build_role_policy(sources)

    assert policy.size <= POLICY_BUDGET
    assert all(grant.key.startswith(widest) for grant in policy.grants)
    whole_bucket = any(grant.key == "" for grant in policy.grants)
    assert whole_bucket is (widest == "")


def test_build_role_policy_refuses_rather_than_widen_past_the_common_folder() -> None:
    folder = "deliveries/project-genomics-cohort-study-2024"
    sources = [f"s3://bucket-{b:03d}/{folder}/{s}/x.vcf" for b in range(45) for s in "ab"]
    whole_buckets = [SourceGrant(f"bucket-{b:03d}", "") for b in range(45)]
    assert iam_size(policy_document(whole_buckets, PolicyExtras())) <= POLICY_BUDGET

    with pytest.raises(PolicyTooLarge, match="needs 12,720 characters"):
        build_role_policy(sources)


def test_build_role_policy_leaves_files_under_a_declared_prefix_to_it() -> None:
    sources = ["s3://bucket-a/2024/", "s3://bucket-a/2024/06/a.vcf", "s3://bucket-a/2024/b.vcf"]

    policy = build_role_policy(sources)

    assert [grant.uri for grant in policy.grants] == ["s3://bucket-a/2024/"]
    assert policy.broadened == ()


def test_build_role_policy_fails_with_size_needed_and_limit_when_nothing_fits() -> None:
    sources = [f"s3://bucket-{i:05d}/vcf/sample.vcf.gz" for i in range(2_000)]

    with pytest.raises(PolicyTooLarge) as raised:
        build_role_policy(sources)

    message = str(raised.value)
    assert "needs " in message and "10,240 characters" in message and "2,000 buckets" in message
    needed = int(message.split("needs ")[1].split(" ")[0].replace(",", ""))
    assert needed > INLINE_POLICY_LIMIT
    assert "several VariantImportRole" in message


@pytest.mark.parametrize(
    ("key", "extra"),
    [("plain.vcf", 0), ("a&b.vcf", 2 * 5), ("<x>.vcf", 2 * 2 * 5), ("é.vcf", 2 * 5)],
)
def test_iam_size_counts_every_escape_an_encoder_may_write(key: str, extra: int) -> None:
    plain = build_role_policy([f"s3://bucket-a/{'p' * len(key.split('.')[0])}.vcf"])
    policy = build_role_policy([f"s3://bucket-a/{key}"])

    assert policy.size - plain.size == extra


def test_trust_policy_fits_iam_with_or_without_source_account() -> None:
    for account in (None, "123456789012"):
        assert iam_size(trust_policy(account)) < TRUST_POLICY_LIMIT


@pytest.mark.parametrize(
    ("account", "condition"),
    [(None, None), ("123456789012", {"StringEquals": {"aws:SourceAccount": "123456789012"}})],
)
def test_trust_policy_trusts_only_healthomics(account: str | None, condition: Any) -> None:
    (only,) = trust_policy(account)["Statement"]

    assert only["Principal"] == {"Service": "omics.amazonaws.com"}
    assert only["Action"] == "sts:AssumeRole"
    assert only.get("Condition") == condition


def random_layout(rng: random.Random) -> list[str]:
    """Sources in 1-6 buckets, folders 0-4 deep with shared names, 1-4,000 files."""
    buckets = [f"bucket-{rng.randrange(1000):03d}" for _ in range(rng.randint(1, 6))]
    names = ["cohort", "2024", "2025", "germline", "somatic", "run-a", "run-b", "x"]
    sources = set()
    for index in range(rng.randint(1, 4_000)):
        depth = rng.choice([0, 1, 2, 2, 3, 4])
        folders = "".join(f"{rng.choice(names)}/" for _ in range(depth))
        sources.add(f"s3://{rng.choice(buckets)}/{folders}s{index}.vcf.gz")
    return sorted(sources)


@pytest.mark.parametrize("seed", range(25))
def test_build_role_policy_on_random_layouts_fits_reads_all_and_stays_in_folders(seed: int) -> None:
    rng = random.Random(seed)
    sources = random_layout(rng)

    try:
        policy = build_role_policy(sources)
    except PolicyTooLarge:
        smallest = GrantTree(parse_sources(sources), "aws")
        while not smallest.exhausted:
            smallest.collapse_next()
        assert iam_size(policy_document(smallest.grants(), PolicyExtras())) > POLICY_BUDGET
        return
    assert policy.size <= POLICY_BUDGET
    assert all(can_read(policy, *split(uri)) for uri in sources)
    declared = [split(uri) for uri in sources]
    for grant in policy.broadened:
        assert any(b == grant.bucket and k.startswith(grant.key) for b, k in declared)
    if policy.broadened:
        exact = GrantTree(parse_sources(sources), "aws").grants()
        assert iam_size(policy_document(exact, PolicyExtras())) > POLICY_BUDGET
    for bucket in {b for b, _ in declared}:
        keys = [k for b, k in declared if b == bucket]
        common = folder_of(min(keys)[: len(_common(keys))])
        assert not can_get(policy, bucket, f"{common[:-1]}-outside/x.vcf") or common == ""
        assert not can_get(policy, f"{bucket}-x", keys[0])


def _common(keys: list[str]) -> str:
    first, last = min(keys), max(keys)
    shared = 0
    while shared < min(len(first), len(last)) and first[shared] == last[shared]:
        shared += 1
    return first[:shared]


@pytest.mark.parametrize("seed", range(5))
def test_grant_tree_collapse_next_returns_the_exact_size_change(seed: int) -> None:
    sources = random_layout(random.Random(seed))
    tree = GrantTree(parse_sources(sources), "aws")
    extras = PolicyExtras(kms_key_arns=(KEY,), reference_arn=REFERENCE)
    size = iam_size(policy_document(tree.grants(), extras))

    steps = 0
    while not tree.exhausted and steps < 300:
        size -= tree.collapse_next()
        steps += 1
        assert size == iam_size(policy_document(tree.grants(), extras)), steps
