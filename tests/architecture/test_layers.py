"""The package's layers import one way down (resources, flows, aws, core); omics_stack uses only
omics_provider's declared surface."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "omics_provider"
LAYERS = ("resources", "flows", "aws", "core")
"""From the top down: a module may import its own layer and the layers below it."""


def layer_of(module: str) -> str | None:
    parts = module.split(".")
    return (
        parts[1] if len(parts) > 1 and parts[0] == "omics_provider" and parts[1] in LAYERS else None
    )


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return found


@pytest.mark.parametrize("layer", LAYERS)
def test_modules_of_a_layer_import_no_higher_layer(layer: str) -> None:
    allowed = set(LAYERS[LAYERS.index(layer) :])
    climbs = {
        f"{path.relative_to(PACKAGE.parent)} imports {module}"
        for path in (PACKAGE / layer).glob("*.py")
        for module in imported_modules(path)
        if (target := layer_of(module)) is not None and target not in allowed
    }
    assert climbs == set()


def test_only_the_import_job_flow_talks_to_the_job_board() -> None:
    users = {
        path.relative_to(PACKAGE).as_posix()
        for path in PACKAGE.rglob("*.py")
        if "omics_provider.flows.job_board" in imported_modules(path)
    }
    assert users == {"flows/import_job.py"}


SURFACE = {"omics_provider", "omics_provider.surface", "omics_provider.errors"}
"""What omics_stack may import of omics_provider: the resources, the surface, the exceptions."""


def test_omics_stack_imports_only_the_declared_surface_of_omics_provider() -> None:
    beyond = {
        f"{path.relative_to(ROOT)} imports {module}"
        for path in (ROOT / "omics_stack").rglob("*.py")
        for module in imported_modules(path)
        if module.split(".")[0] == "omics_provider" and module not in SURFACE
    }
    assert beyond == set()


def test_the_config_namespace_is_defined_in_core() -> None:
    definitions = {
        path.relative_to(PACKAGE).as_posix()
        for path in PACKAGE.rglob("*.py")
        if any(
            isinstance(node, ast.Assign)
            and any(getattr(target, "id", None) == "CONFIG_NAMESPACE" for target in node.targets)
            for node in ast.walk(ast.parse(path.read_text()))
        )
    }
    assert definitions == {"core/namespace.py"}
