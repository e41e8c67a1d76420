"""What an import job of any kind imports, and how an existing job differs from it."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from omics_provider.core.kinds import Destination, JobKind

SHOWN_FILES = 3
"""How many differing files a message names before counting the rest."""
SETTING_DEFAULTS: Mapping[str, Any] = {
    "runLeftNormalization": False,
    "annotationFields": {},
    "formatOptions": {},
}
"""What the service assumes for a setting a request leaves out: such a setting is not sent."""
DESTINATION_NOUNS = {"destinationName": "store", "versionName": "version"}


@dataclass(frozen=True)
class ImportSpec:
    """What an import job of kind imports, normalized so that the same data compares equal.

    destination holds the kind's destination keys (destinationName; and versionName), settings
    each setting key given a value other than its default, as canonical JSON. items holds each
    declared item as the kind's start request takes it (canonical JSON), sources the file that
    identifies each (JobKind.item_source), in the same order.
    """

    kind: JobKind
    destination: Destination
    role_arn: str
    sources: tuple[str, ...]
    settings: tuple[tuple[str, str], ...] = ()
    items: tuple[str, ...] = ()

    @classmethod
    def from_inputs(cls, kind: JobKind, inputs: Mapping[str, Any]) -> ImportSpec:
        """The spec of checked, normalized resource inputs of a job of kind."""
        return cls(
            kind=kind,
            destination=kind.destination(inputs),
            role_arn=inputs["roleArn"],
            sources=tuple(kind.item_source(item) for item in inputs["items"]),
            settings=_settings(kind, inputs),
            items=tuple(json.dumps(item, sort_keys=True) for item in inputs["items"]),
        )

    @property
    def destination_name(self) -> str:
        """The store the job imports into."""
        return dict(self.destination)[self.kind.store_key]

    def only(self, sources: tuple[str, ...]) -> ImportSpec:
        """This spec importing only sources (the files the store does not hold yet)."""
        kept = frozenset(sources)
        items = tuple(i for s, i in zip(self.sources, self.items, strict=True) if s in kept)
        return replace(self, sources=tuple(s for s in self.sources if s in kept), items=items)

    def start_request(self) -> dict[str, Any]:
        """The arguments of the kind's start operation for this spec."""
        request: dict[str, Any] = {
            **dict(self.destination),
            "roleArn": self.role_arn,
            self.kind.items_key: [json.loads(item) for item in self.items],
        }
        request.update((key, json.loads(value)) for key, value in self.settings)
        return request

    def differences(self, job: Mapping[str, Any]) -> list[str]:
        """How job (read in full) differs from this spec, one phrase each; [] when it imports
        exactly these files into this destination with these settings."""
        found = [
            f"it imports into {DESTINATION_NOUNS.get(key, key)} {job.get(key)!r}, not {value!r}"
            for key, value in self.destination
            if job.get(key) != value
        ]
        job_sources = {str(item["source"]) for item in job.get("items", [])}
        missing = [s for s in self.sources if s not in job_sources]
        extra = sorted(job_sources - set(self.sources))
        if missing:
            found.append(f"it does not import {_files(missing)} that items lists")
        if extra:
            found.append(f"it imports {_files(extra)} that items does not list")
        mine, theirs = dict(self.settings), dict(_settings(self.kind, job))
        for key in self.kind.setting_keys:
            if mine.get(key) != theirs.get(key):
                verb = "are" if key.endswith("s") else "is"
                found.append(f"its {key} {verb} {_shown(key, theirs)}, not {_shown(key, mine)}")
        return found


def _settings(kind: JobKind, values: Mapping[str, Any]) -> tuple[tuple[str, str], ...]:
    """kind's settings in values that differ from their defaults, as canonical JSON."""
    found: list[tuple[str, str]] = []
    for key in kind.setting_keys:
        value = values.get(key)
        if value is not None and value != SETTING_DEFAULTS.get(key):
            found.append((key, json.dumps(value, sort_keys=True)))
    return tuple(found)


def _shown(key: str, settings: Mapping[str, str]) -> Any:
    """A setting's value as messages show it (its default when not set)."""
    return json.loads(settings[key]) if key in settings else SETTING_DEFAULTS.get(key)


def _files(sources: list[str]) -> str:
    shown = ", ".join(sources[:SHOWN_FILES])
    more = len(sources) - SHOWN_FILES
    return f"{len(sources)} file(s) ({shown}{f' and {more} more' if more > 0 else ''})"
