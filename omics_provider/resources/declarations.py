"""One program never imports a file into a destination twice: overlapping declarations fail.

Each import job resource registers its files, once they are known, under its kind, destination
(a variant store; an annotation store version) and resolved region: a resource that omits
`region` counts as the region the provider will use (the stack's `aws:region`, else boto3's own
resolution from the environment or the profile); when no region can be resolved, the program
fails naming the settings to set. A second declaration that lists a file already declared for
the same destination fails the program, naming both resources and the first shared file. Values
that are still unknown at preview are checked at `up`.
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Mapping, Sequence
from typing import Any

import pulumi
from pulumi.runtime.settings import get_monitor

from omics_provider.aws.clients import REGION_ADVICE, AwsSettings, resolve_region
from omics_provider.core.errors import ProviderError
from omics_provider.core.kinds import Destination, JobKind


class OverlappingImportsError(pulumi.RunError):
    """Two declarations of one program import the same file into the same store."""


class UnresolvedRegionError(pulumi.RunError):
    """A declaration omits `region` and neither the stack nor boto3 names one."""


class Declarations:
    """The files each destination receives in one program, and which resource declared each."""

    def __init__(self) -> None:
        self._owners: dict[tuple[JobKind, Destination, str], dict[str, str]] = {}
        self._lock = threading.Lock()

    def register(
        self,
        kind: JobKind,
        resource: str,
        destination: Destination,
        region: str,
        sources: Sequence[str],
    ) -> None:
        """Record that resource (a job of kind) imports sources into destination; raise if one
        is declared already."""
        with self._lock:
            owners = self._owners.setdefault((kind, destination, region), {})
            for source in sources:
                other = owners.get(source)
                if other is not None and other != resource:
                    raise OverlappingImportsError(
                        f"{kind.resource} {resource} imports {source} into "
                        f"{kind.label(destination)}, which {kind.resource} {other} already "
                        "imports: each file belongs to exactly one batch; remove it from one of "
                        "the two"
                    )
            owners.update(dict.fromkeys(sources, resource))


_programs: weakref.WeakKeyDictionary[Any, Declarations] = weakref.WeakKeyDictionary()
"""Per program run, keyed by its resource monitor (tests run several programs in a process)."""
_programs_lock = threading.Lock()
_outside_a_stack = Declarations()


def program_declarations() -> Declarations:
    """The Declarations of the program running now (one per connection to the engine)."""
    monitor = get_monitor()
    if monitor is None:
        return _outside_a_stack
    with _programs_lock:
        return _programs.setdefault(monitor, Declarations())


def declared_items(
    kind: JobKind,
    resource: str,
    destination: Mapping[str, pulumi.Input[str] | None],
    items: pulumi.Input[Any],
    region: pulumi.Input[Any],
) -> pulumi.Output[Any]:
    """items, once registered for resource (a job of kind) in this program's Declarations
    under destination (its destination keys' inputs; see the module)."""

    def register(args: list[Any]) -> Any:
        resolved_items, region_name, *values = args
        where = dict(zip(destination, values, strict=True))
        named = all(isinstance(where.get(key), str) for key in kind.destination_keys)
        if named and isinstance(resolved_items, list):
            sources = [_source(kind, item) for item in resolved_items]
            program_declarations().register(
                kind,
                resource,
                kind.destination(where),
                _region(kind, resource, region_name),
                [s for s in sources if s is not None],
            )
        return resolved_items

    return pulumi.Output.all(items, region, *destination.values()).apply(register)


def _region(kind: JobKind, resource: str, region: Any) -> str:
    """The region the provider will use for resource (see the module); raise when there is none."""
    aws = pulumi.Config("aws")
    settings = AwsSettings(region=aws.get("region"), profile=aws.get("profile"))
    try:
        resolved = resolve_region(settings, str(region) if region else None)
    except ProviderError as error:
        raise UnresolvedRegionError(f"{kind.resource} {resource}: {error}") from None
    if resolved is None:
        raise UnresolvedRegionError(
            f"{kind.resource} {resource}: no AWS region is set: {REGION_ADVICE}"
        )
    return resolved


def _source(kind: JobKind, item: Any) -> str | None:
    """The file that identifies a declared item of kind (a URI, or a map the kind reads)."""
    if isinstance(item, str):
        return item
    if isinstance(item, Mapping):
        return kind.item_source(item) or None
    return None
