"""The reference pages against the code: every stack key and setting in docs/configuration.md,
every resource's inputs and outputs in docs/resources.md, the life-cycle diagrams' statuses."""

from __future__ import annotations

import inspect
import re
from pathlib import Path

import pytest

from omics_provider import AnnotationImportJob, VariantImportJob, VariantImportRole, VariantStore
from omics_provider.core.service import omics_model
from omics_provider.resources import import_job, store_provider
from omics_stack.annotation_config import ANNOTATION_BATCH_KEYS, ANNOTATION_STORE_KEYS
from omics_stack.config import BATCH_KEYS, EXCLUSION_KEYS, PROVIDER_KEYS, STACK_KEYS

DOCS = Path(__file__).resolve().parents[2] / "docs"
NOT_INPUTS = {"self", "resource_name", "name", "opts"}
"""Parameters every resource has, or that the pages name in prose (the resource's name)."""


def section(page: str, heading: str) -> str:
    """The text under `## heading` up to the next `## ` heading."""
    text = (DOCS / page).read_text()
    start = text.index(f"\n## {heading}\n")
    end = text.find("\n## ", start + 1)
    return text[start : end if end > 0 else None]


def named(text: str) -> set[str]:
    """Every `code` span of text, split at commas (a cell may name several)."""
    spans = re.findall(r"`([^`]+)`", text)
    return {part.strip(" {}") for span in spans for part in span.split(",")}


def first_column(text: str) -> set[str]:
    """The code spans of the first column of text's tables."""
    cells = re.findall(r"^\| ([^|]+) \|", text, re.MULTILINE)
    return {name for cell in cells for name in named(cell)}


def test_configuration_lists_every_stack_key_and_no_other() -> None:
    documented = first_column(section("configuration.md", "The stack program's keys"))

    assert documented == set(STACK_KEYS)


def test_configuration_names_every_batch_and_exclusion_key() -> None:
    text = section("configuration.md", "The stack program's keys")

    assert (BATCH_KEYS | EXCLUSION_KEYS) - named(text) == set()


def test_configuration_names_every_annotation_store_and_batch_key() -> None:
    text = section("configuration.md", "The stack program's keys")
    prose = text[text.index("### Annotation stores") :]

    assert (ANNOTATION_STORE_KEYS | ANNOTATION_BATCH_KEYS) - named(prose) == set()


def test_configuration_lists_every_provider_setting_and_no_other() -> None:
    documented = first_column(section("configuration.md", "Settings the providers read"))

    assert documented == {f"omics-variant-import:{key}" for key in PROVIDER_KEYS} | {
        "aws:region",
        "aws:profile",
    }


def snake(name: str) -> str:
    return re.sub(r"(?<!^)([A-Z])", r"_\1", name).lower()


RESOURCES = [
    (VariantImportJob, import_job.OUTPUT_KEYS),
    (AnnotationImportJob, import_job.OUTPUT_KEYS),
    (VariantStore, store_provider.OUTPUT_KEYS),
    (VariantImportRole, ("arn", "policyDocument", "policySize", "grantedPrefixes")),
]


@pytest.mark.parametrize(
    ("resource", "outputs"), RESOURCES, ids=lambda r: getattr(r, "__name__", "")
)
def test_resources_page_lists_every_input_of_the_signature(
    resource: type, outputs: tuple[str, ...]
) -> None:
    parameters = set(inspect.signature(resource).parameters) - NOT_INPUTS
    text = section("resources.md", resource.__name__)

    assert first_column(text) - {"name"} == parameters


@pytest.mark.parametrize(
    ("resource", "outputs"), RESOURCES, ids=lambda r: getattr(r, "__name__", "")
)
def test_resources_page_names_every_output(resource: type, outputs: tuple[str, ...]) -> None:
    text = section("resources.md", resource.__name__)
    prose = text[text.index("Outputs:") :]

    assert {snake(key) for key in outputs} - named(prose) == set()


@pytest.mark.parametrize(
    ("diagram", "shape"), [(0, "JobStatus"), (1, "StoreStatus")], ids=["job", "store"]
)
def test_life_cycle_diagram_shows_every_status_of_the_service_model(
    diagram: int, shape: str
) -> None:
    blocks = re.findall(r"```mermaid\n(.*?)```", section("resources.md", "Life cycles"), re.DOTALL)
    states = set(re.findall(r"\b[A-Z][A-Z_]{3,}\b", blocks[diagram]))

    enum: list[str] = omics_model().shape_for(shape).enum  # type: ignore[attr-defined]

    assert states == set(enum)
