"""What declare_stack returns: the resources a stack declared and the outputs it exports."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import pulumi

from omics_stack.annotation_store_stack import DeclaredAnnotations
from omics_stack.config import StackConfig


@dataclass(frozen=True)
class DeclaredStack:
    """The resources declare_stack declared, for a program to export or build on.

    destination holds the batches' data (a VariantStore or a VariantTable); role is None when the
    stack names an existing role (existingRoleArn), has no batch or imports into a table;
    role_arn is the role the jobs use; jobs maps each batch's name to its import resource;
    outputs are the stack outputs, by name (the annotation outputs included); annotations
    holds the annotation store, its versions, role and jobs when the stack declares one.
    """

    config: StackConfig
    destination: pulumi.Resource
    role: pulumi.ComponentResource | None
    role_arn: pulumi.Input[str] | None
    jobs: Mapping[str, pulumi.CustomResource]
    outputs: Mapping[str, Any]
    annotations: DeclaredAnnotations | None = None

    def export(self) -> None:
        """Export every output (storeName, storeArn, roleArn, jobIds, ...) of the stack."""
        for name, value in self.outputs.items():
            pulumi.export(name, value)
