"""The VariantImportJob resource: the VARIANT_IMPORT instance of the import job resource."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pulumi
from pulumi.dynamic import CheckResult, DiffResult

from omics_provider.core.kinds import VARIANT_IMPORT
from omics_provider.resources.import_job import (
    ImportJobProvider,
    check_job_inputs,
    diff_job_inputs,
    job_props,
)
from omics_provider.resources.provider_base import alias_snake_case


def check_inputs(olds: Mapping[str, Any], news: Mapping[str, Any]) -> CheckResult:
    """Validate a variant import job's inputs offline; refuse an accidental re-import."""
    return check_job_inputs(VARIANT_IMPORT, olds, news)


def diff_inputs(olds: Mapping[str, Any], news: Mapping[str, Any]) -> DiffResult:
    """Replace on an import-defining change, update in place on a wait setting, else nothing."""
    return diff_job_inputs(VARIANT_IMPORT, olds, news)


class VariantImportJobProvider(ImportJobProvider):
    """Creates, waits for, refreshes and cancels HealthOmics variant import jobs.

    Pickled by reference into every stack's state under the stable path
    `omics_provider.variant_import_job.VariantImportJobProvider`, whatever module defines it.
    """

    __module__ = "omics_provider.variant_import_job"

    job_kind = VARIANT_IMPORT
    kind = VARIANT_IMPORT.resource
    check_inputs = staticmethod(check_inputs)
    diff_inputs = staticmethod(diff_inputs)


class VariantImportJob(pulumi.dynamic.Resource, module="omics", name="VariantImportJob"):
    """A HealthOmics variant import job into a variant store, started once by `pulumi up`."""

    job_id: pulumi.Output[str]
    status: pulumi.Output[str]
    status_message: pulumi.Output[str]
    creation_time: pulumi.Output[str]
    completion_time: pulumi.Output[str]
    item_counts: pulumi.Output[dict[str, int]]
    failed_items: pulumi.Output[list[dict[str, str]]]
    imported_by: pulumi.Output[dict[str, str]]

    def __init__(
        self,
        resource_name: str,
        destination_name: pulumi.Input[str],
        role_arn: pulumi.Input[str],
        items: pulumi.Input[Sequence[pulumi.Input[str] | Mapping[str, pulumi.Input[str]]]],
        run_left_normalization: pulumi.Input[bool] | None = None,
        annotation_fields: pulumi.Input[Mapping[str, pulumi.Input[str]]] | None = None,
        wait_for_completion: pulumi.Input[bool] = True,
        timeout_seconds: pulumi.Input[float] | None = None,
        allow_reimport: pulumi.Input[bool] = False,
        adopt_job_id: pulumi.Input[str] | None = None,
        region: pulumi.Input[str] | None = None,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        props = job_props(
            VARIANT_IMPORT,
            resource_name,
            {
                "destinationName": destination_name,
                "roleArn": role_arn,
                "items": items,
                "runLeftNormalization": run_left_normalization,
                "annotationFields": annotation_fields,
                "waitForCompletion": wait_for_completion,
                "timeoutSeconds": timeout_seconds,
                "allowReimport": allow_reimport,
                "adoptJobId": adopt_job_id,
                "region": region,
            },
        )
        super().__init__(VariantImportJobProvider(), resource_name, props, opts)
        alias_snake_case(self, [key for key in props if key != "resourceName"])
