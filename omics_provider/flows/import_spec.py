"""What an import job imports, and how an existing job differs from it."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from mypy_boto3_omics.type_defs import StartVariantImportRequestTypeDef

SHOWN_FILES = 3
"""How many differing files a message names before counting the rest."""


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

    def only(self, sources: tuple[str, ...]) -> ImportSpec:
        """This spec importing only sources (the files the store does not hold yet)."""
        return replace(self, sources=sources)

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

    def differences(self, job: Mapping[str, Any]) -> list[str]:
        """How job (read in full) differs from this spec, one phrase each; [] when it imports
        exactly these files into this store with these settings."""
        found: list[str] = []
        if job.get("destinationName") != self.destination_name:
            found.append(
                f"it imports into store {job.get('destinationName')!r}, not "
                f"{self.destination_name!r}"
            )
        job_sources = {str(item["source"]) for item in job.get("items", [])}
        missing = [s for s in self.sources if s not in job_sources]
        extra = sorted(job_sources - set(self.sources))
        if missing:
            found.append(f"it does not import {_files(missing)} that items lists")
        if extra:
            found.append(f"it imports {_files(extra)} that items does not list")
        if bool(job.get("runLeftNormalization", False)) != self.run_left_normalization:
            found.append(
                f"its runLeftNormalization is {bool(job.get('runLeftNormalization', False))}, "
                f"not {self.run_left_normalization}"
            )
        fields = tuple(sorted((job.get("annotationFields") or {}).items()))
        if fields != self.annotation_fields:
            found.append(
                f"its annotationFields are {dict(fields)}, not {dict(self.annotation_fields)}"
            )
        return found


def _files(sources: list[str]) -> str:
    shown = ", ".join(sources[:SHOWN_FILES])
    more = len(sources) - SHOWN_FILES
    return f"{len(sources)} file(s) ({shown}{f' and {more} more' if more > 0 else ''})"
