"""declare_stack: the stack program as a library call, driven by the running stack's config."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import replace
from pathlib import Path

import pulumi

from omics_provider.surface import CONFIG_NAMESPACE
from omics_stack.annotation_store_stack import declare_annotations
from omics_stack.config import StackConfig, parse_stack_config
from omics_stack.declared import DeclaredStack
from omics_stack.engine_config import read_config
from omics_stack.variant_store_stack import declare_variant_store_stack
from omics_stack.variant_table_stack import declare_variant_table_stack

Destination = Callable[[StackConfig], DeclaredStack]
"""Declares where a stack's batches go (and everything they need); one function per kind."""
DESTINATIONS: Mapping[str, Destination] = {
    "store": declare_variant_store_stack,
    "table": declare_variant_table_stack,
}
"""The destinations a stack can declare, by the value of its destination key (config's
DESTINATION_NAMES). Another one is a function and an entry."""


def stack_config(project_dir: Path | None = None) -> StackConfig:
    """The running stack's configuration (namespace omics-variant-import), checked.

    Manifests are read relative to project_dir (default: the project folder, where Pulumi.yaml
    is, as the engine reports it; else the working directory). Raises StackConfigError naming
    every bad key, before any resource is declared.
    """
    root = project_dir or _project_dir()
    return parse_stack_config(read_config(pulumi.Config(CONFIG_NAMESPACE)), root)


def declare_stack(config: StackConfig | None = None, *, export: bool = True) -> DeclaredStack:
    """Declare the stack's destination, import role and one import job per batch, and the
    annotation store with its versions, role and jobs when the stack declares one; return them.

    config defaults to the running stack's (stack_config()). With export, the stack outputs
    (storeName, storeArn, roleArn, roleGrantedPrefixes, jobIds, jobStatuses, and the
    annotation ones) are exported too; add your own exports and resources with what is returned.
    """
    checked = stack_config() if config is None else config
    declared = destination_of(checked)(checked)
    annotations = declare_annotations(checked)
    if annotations is not None:
        outputs = {**declared.outputs, **annotations.outputs}
        declared = replace(declared, annotations=annotations, outputs=outputs)
    if export:
        declared.export()
    return declared


def destination_of(config: StackConfig) -> Destination:
    """The function that declares config's destination (its destination key)."""
    return DESTINATIONS[config.destination]


def _project_dir() -> Path:
    """The engine's project root when it names a folder with a Pulumi.yaml, else the working
    directory (where the engine starts the program; under mocks the root is a placeholder)."""
    root = pulumi.get_root_directory()
    if root and any((Path(root) / name).is_file() for name in ("Pulumi.yaml", "Pulumi.yml")):
        return Path(root)
    return Path.cwd()
