"""What an import job imports, and when an existing job counts as the same import."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from omics_provider.core.service import JOB_ACTIVE, JOB_SUCCEEDED

if TYPE_CHECKING:
    from mypy_boto3_omics.type_defs import StartVariantImportRequestTypeDef

DUPLICATE_WINDOW = timedelta(hours=24)
"""A successful job that ended this recently counts as a duplicate of the same import."""


@dataclass(frozen=True)
class ImportSpec:
    """What an import job imports, normalized so that the same data compares equal."""

    destination_name: str
    role_arn: str
    sources: tuple[str, ...]
    run_left_normalization: bool = False
    annotation_fields: tuple[tuple[str, str], ...] = ()

    @classmethod
    def from_inputs(cls, inputs: Mapping[str, Any]) -> ImportSpec:
        """The spec of checked, normalized resource inputs."""
        return cls(
            destination_name=inputs["destinationName"],
            role_arn=inputs["roleArn"],
            sources=tuple(item["source"] for item in inputs["items"]),
            run_left_normalization=bool(inputs.get("runLeftNormalization", False)),
            annotation_fields=tuple(sorted((inputs.get("annotationFields") or {}).items())),
        )

    def start_request(self) -> StartVariantImportRequestTypeDef:
        """The StartVariantImportJob arguments for this spec."""
        request: StartVariantImportRequestTypeDef = {
            "destinationName": self.destination_name,
            "roleArn": self.role_arn,
            "items": [{"source": source} for source in self.sources],
        }
        if self.run_left_normalization:
            request["runLeftNormalization"] = True
        if self.annotation_fields:
            request["annotationFields"] = dict(self.annotation_fields)
        return request

    def same_settings(self, job: Mapping[str, Any]) -> bool:
        """True when job imports into the same store with the same settings (items not compared)."""
        fields = tuple(sorted((job.get("annotationFields") or {}).items()))
        return (
            job.get("destinationName") == self.destination_name
            and bool(job.get("runLeftNormalization", False)) == self.run_left_normalization
            and fields == self.annotation_fields
        )

    def same_import(self, job: Mapping[str, Any]) -> bool:
        """True when job (read in full) imports the same files into the same store, alike."""
        job_sources = {item["source"] for item in job.get("items", [])}
        return self.same_settings(job) and job_sources == set(self.sources)


def may_duplicate(
    summary: Mapping[str, Any], now: datetime, created_after: datetime | None = None
) -> bool:
    """True for a job running, or ended successfully within DUPLICATE_WINDOW of now.

    With created_after, only a job created at or after it counts.
    """
    if created_after is not None and not _at_or_after(summary.get("creationTime"), created_after):
        return False
    if summary.get("status") in JOB_ACTIVE:
        return True
    ended = summary.get("completionTime")
    return summary.get("status") in JOB_SUCCEEDED and _at_or_after(ended, now - DUPLICATE_WINDOW)


def earliest(summaries: list[Mapping[str, Any]]) -> Mapping[str, Any]:
    """The job created first; among jobs created at the same instant, the smallest id.

    Every process that sees the same jobs picks the same one, so racing starts converge on it.
    """
    return min(summaries, key=lambda s: (s["creationTime"], str(s["id"])))


def _at_or_after(moment: Any, cutoff: datetime) -> bool:
    return isinstance(moment, datetime) and moment >= cutoff
