"""The stack configuration schema, and every stack file under stacks/ validated against it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from omics_provider.errors import StackConfigError
from omics_provider.surface import CONFIG_NAMESPACE
from omics_stack.config import ImportBatch, parse_stack_config

ROOT = Path(__file__).resolve().parents[2]
STACK_FILES = sorted((ROOT / "stacks").glob("Pulumi.*.yaml"))
REFERENCE = "arn:aws:omics:us-east-1:123456789012:referenceStore/1234567890/reference/1234567890"
SAMPLES_BUCKET = "omics-variant-import-samples"


def namespace_values(path: Path) -> dict[str, Any]:
    """The omics-variant-import keys of a stack file, without the namespace."""
    config = yaml.safe_load(path.read_text())["config"]
    prefix = f"{CONFIG_NAMESPACE}:"
    return {k.removeprefix(prefix): v for k, v in config.items() if k.startswith(prefix)}


def minimal(**extra: Any) -> dict[str, Any]:
    return {"storeName": "cohort", "referenceArn": REFERENCE, **extra}


def test_stack_files_exist() -> None:
    assert {p.name for p in STACK_FILES} >= {"Pulumi.local.yaml", "Pulumi.dev.yaml"}


@pytest.mark.parametrize("path", STACK_FILES, ids=lambda p: p.name)
def test_parse_stack_file_is_valid(path: Path) -> None:
    config = parse_stack_config(namespace_values(path), ROOT)

    assert config.imports, f"{path.name} declares no import batch"


def test_parse_local_stack_imports_only_shipped_samples() -> None:
    config = parse_stack_config(namespace_values(ROOT / "stacks" / "Pulumi.local.yaml"), ROOT)

    shipped = {p.name for p in (ROOT / "samples").iterdir()}
    for source in config.sources:
        bucket, _, key = source.removeprefix("s3://").partition("/")
        assert bucket == SAMPLES_BUCKET
        assert key.startswith("samples/") and key.removeprefix("samples/") in shipped


def test_local_stack_points_every_service_at_loopback() -> None:
    config = yaml.safe_load((ROOT / "stacks" / "Pulumi.local.yaml").read_text())["config"]

    endpoints = config["aws:endpoints"][0]
    assert set(endpoints) == {"iam", "s3", "sts"}
    urls = [*endpoints.values(), config[f"{CONFIG_NAMESPACE}:omicsEndpoint"]]
    assert all(url.startswith("http://127.0.0.1:") for url in urls)
    for flag in ("skipCredentialsValidation", "skipRequestingAccountId", "s3UsePathStyle"):
        assert config[f"aws:{flag}"] is True


def test_parse_minimal_config_applies_defaults() -> None:
    config = parse_stack_config(minimal())

    assert (config.imports, config.existing_role_arn) == ((), None)
    assert config.wait_for_completion is True
    assert (config.adopt_existing_store, config.protect_store) == (False, False)
    assert config.force_destroy_store is False


def test_parse_collects_sources_of_every_batch_once() -> None:
    imports = [
        {"name": "a", "sources": ["s3://bucket-a/1.vcf", "s3://bucket-a/2.vcf"]},
        {"name": "b", "sources": ["s3://bucket-b/3.vcf"], "annotationFields": {"k": "v"}},
    ]

    config = parse_stack_config(minimal(imports=imports))

    assert config.sources == ("s3://bucket-a/1.vcf", "s3://bucket-a/2.vcf", "s3://bucket-b/3.vcf")
    assert config.imports[1].annotation_fields == {"k": "v"}


GOOD_BATCH = {"name": "b1", "sources": ["s3://bucket-a/x.vcf"]}


@pytest.mark.parametrize(
    ("values", "key"),
    [
        ({"referenceArn": REFERENCE}, "storeName"),
        (minimal(storeName="Bad-Name"), "storeName"),
        ({"storeName": "cohort"}, "referenceArn"),
        (minimal(existingRoleArn="role"), "existingRoleArn"),
        (minimal(adoptExistingStore="maybe"), "adoptExistingStore"),
        (minimal(forceDestroyStore="yes"), "forceDestroyStore"),
        (minimal(timeoutSeconds=-1), "timeoutSeconds"),
        (minimal(timeoutSeconds="soon"), "timeoutSeconds"),
        (minimal(storName="typo"), "storName"),
        (minimal(imports={"name": "b1"}), "imports"),
        (minimal(imports=[GOOD_BATCH, GOOD_BATCH]), "imports[1].name"),
        (minimal(imports=[{"sources": ["s3://bucket-a/x.vcf"]}]), "imports[0].name"),
        (minimal(imports=[{**GOOD_BATCH, "name": "bad name"}]), "imports[0].name"),
        (minimal(imports=[{"name": "b1", "sources": []}]), "imports[0].sources"),
        (minimal(imports=[{"name": "b1", "sources": ["/tmp/x.vcf"]}]), "imports[0].sources[0]"),
        (
            minimal(imports=[{"name": "b", "sources": ["s3://bucket-a/x", "s3://bucket-a/x"]}]),
            "imports[0].sources",
        ),
        (minimal(imports=[{**GOOD_BATCH, "runLeftNormalization": "y"}]), "imports[0].runLeft"),
        (minimal(imports=[{**GOOD_BATCH, "allowReimport": "yes"}]), "imports[0].allowReimport"),
        (minimal(forceDestroyStore="always"), "forceDestroyStore"),
        (
            minimal(imports=[{**GOOD_BATCH, "annotationFields": {"k": "v" * 22}}]),
            "imports[0].annotationFields.k",
        ),
        (minimal(imports=[{**GOOD_BATCH, "source": "s3://bucket-a/y"}]), "imports[0].source:"),
    ],
)
def test_parse_rejects_invalid_value_naming_key(values: dict[str, Any], key: str) -> None:
    with pytest.raises(StackConfigError) as error:
        parse_stack_config(values)

    assert f"{CONFIG_NAMESPACE}:{key}" in str(error.value)


def test_parse_rejects_typed_text_the_getters_did_not_convert() -> None:
    with pytest.raises(StackConfigError) as error:
        parse_stack_config(minimal(waitForCompletion="false", timeoutSeconds="90"))

    assert f"{CONFIG_NAMESPACE}:waitForCompletion: must be true or false" in str(error.value)
    assert f"{CONFIG_NAMESPACE}:timeoutSeconds: must be a number of seconds" in str(error.value)


def overlap_messages(imports: list[dict[str, Any]], root: Path | None = None) -> list[str]:
    """The failures parse_stack_config reports for imports, one per conflict."""
    with pytest.raises(StackConfigError) as error:
        parse_stack_config(minimal(imports=imports), root)
    reasons = str(error.value).removeprefix("invalid stack configuration: ")
    return reasons.split(f"; {CONFIG_NAMESPACE}:")


A, B, C = "s3://bucket-a/a.vcf", "s3://bucket-a/b.vcf", "s3://bucket-a/c.vcf"


def test_parse_rejects_file_in_two_batches_naming_both_and_the_file() -> None:
    messages = overlap_messages(
        [{"name": "first", "sources": [A, B]}, {"name": "second", "sources": [A, C]}]
    )

    assert len(messages) == 1
    assert "imports[1].sources" in messages[0]
    assert all(part in messages[0] for part in ("'second'", "'first' (imports[0])", A))
    assert "each file belongs to exactly one batch" in messages[0]


def test_parse_rejects_batches_with_the_same_files() -> None:
    messages = overlap_messages(
        [{"name": "first", "sources": [A, B]}, {"name": "second", "sources": [B, A]}]
    )

    assert len(messages) == 1
    assert "batch 'second' lists the same 2 file(s) as batch 'first' (imports[0])" in messages[0]
    assert B in messages[0]


def test_parse_reports_one_message_per_conflicting_pair() -> None:
    messages = overlap_messages(
        [
            {"name": "first", "sources": [A]},
            {"name": "second", "sources": [B]},
            {"name": "third", "sources": [A, B, C]},
        ]
    )

    assert len(messages) == 2
    assert "'first' (imports[0])" in messages[0] and A in messages[0]
    assert "'second' (imports[1])" in messages[1] and B in messages[1]


def write_manifest(root: Path, name: str, lines: list[str]) -> str:
    """A manifest file under root/manifests with lines; its path relative to root."""
    path = root / "manifests" / f"{name}.txt"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n")
    return f"manifests/{name}.txt"


def test_parse_reads_manifest_sources_skipping_comments_and_blanks(tmp_path: Path) -> None:
    manifest = write_manifest(tmp_path, "m1", ["# header", A, "", B])

    config = parse_stack_config(minimal(imports=[{"name": "m1", "manifest": manifest}]), tmp_path)

    assert config.imports == (ImportBatch("m1", (A, B), manifest=manifest),)
    assert config.sources == (A, B)


def test_parse_rejects_overlap_between_manifest_and_inline_batch(tmp_path: Path) -> None:
    manifest = write_manifest(tmp_path, "m1", [A, B])

    messages = overlap_messages(
        [{"name": "inline", "sources": [C, B]}, {"name": "listed", "manifest": manifest}],
        tmp_path,
    )

    assert len(messages) == 1
    assert "imports[1].manifest" in messages[0]
    assert all(part in messages[0] for part in ("'listed'", "'inline' (imports[0])", B))


def test_parse_rejects_two_batches_naming_one_manifest(tmp_path: Path) -> None:
    manifest = write_manifest(tmp_path, "m1", [A, B])

    messages = overlap_messages(
        [{"name": "one", "manifest": manifest}, {"name": "two", "manifest": manifest}], tmp_path
    )

    assert len(messages) == 1
    assert "batch 'two' lists the same 2 file(s) as batch 'one'" in messages[0]


@pytest.mark.parametrize(
    ("lines", "manifest", "expected"),
    [
        (None, "manifests/missing.txt", "manifests/missing.txt does not exist"),
        (["# only a comment"], "manifests/m.txt", "manifests/m.txt lists no file"),
        ([A, "/tmp/x.vcf"], "manifests/m.txt", "manifests/m.txt line 2: '/tmp/x.vcf'"),
        ([A, B, A], "manifests/m.txt", "line 3 repeats line 1"),
        ([A], "/abs/m.txt", "'/abs/m.txt' is absolute"),
        (
            [f"s3://bucket-a/{i}.vcf" for i in range(1001)],
            "manifests/m.txt",
            "lists 1001 files; a batch takes at most 1000",
        ),
    ],
)
def test_parse_rejects_bad_manifest_naming_file_and_line(
    tmp_path: Path, lines: list[str] | None, manifest: str, expected: str
) -> None:
    if lines is not None:
        write_manifest(tmp_path, "m", lines)

    with pytest.raises(StackConfigError) as error:
        parse_stack_config(minimal(imports=[{"name": "m", "manifest": manifest}]), tmp_path)

    assert f"{CONFIG_NAMESPACE}:imports[0].manifest: " in str(error.value)
    assert expected in str(error.value)


def test_parse_names_only_a_few_bad_manifest_lines(tmp_path: Path) -> None:
    manifest = write_manifest(tmp_path, "m", [f"bad-{i}" for i in range(50)])

    with pytest.raises(StackConfigError) as error:
        parse_stack_config(minimal(imports=[{"name": "m", "manifest": manifest}]), tmp_path)

    assert "(and 47 more bad lines)" in str(error.value)
    assert "bad-3" not in str(error.value)


def test_parse_rejects_batch_with_sources_and_manifest(tmp_path: Path) -> None:
    manifest = write_manifest(tmp_path, "m", [A])

    with pytest.raises(StackConfigError, match=r"imports\[0\]: lists sources and names a manifest"):
        parse_stack_config(
            minimal(imports=[{"name": "m", "manifest": manifest, "sources": [B]}]), tmp_path
        )
