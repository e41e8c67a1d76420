"""The stack configuration as the engine hands it to the program: every key of the namespace.

`pulumi.Config` reads one key at a time and cannot list keys, so a misspelt key (e.g.
`waitForCompletio`) would never be read and never refused. The keys are listed here from the
same source `pulumi.Config` reads (`pulumi.runtime.config`: the map the language executor fills
from the engine's PULUMI_CONFIG, or PULUMI_CONFIG itself); values are still converted by the
`pulumi.Config` getters. This is the one place that reads the SDK's config map: should the SDK
rename it, the keys come from PULUMI_CONFIG alone; should both go, a warning says the check is
off. It can go when `pulumi.Config` can list its keys.
"""

from __future__ import annotations

import contextlib
import json
import sys
from collections.abc import Callable
from typing import Any

import pulumi
import pulumi.runtime.config as runtime_config

from omics_provider.surface import number_from_text
from omics_stack.config import STACK_KEYS

_warned = False


def namespace_keys(namespace: str) -> list[str]:
    """The keys (without the namespace) the engine's configuration sets in namespace, sorted."""
    prefix = f"{namespace}:"
    return sorted(key.removeprefix(prefix) for key in _engine_keys() if key.startswith(prefix))


def _engine_keys() -> set[str]:
    keys: set[str] = set()
    config_map = getattr(runtime_config, "CONFIG", None)
    if config_map is not None and hasattr(config_map, "get"):
        keys.update(config_map.get())
    read_env = getattr(runtime_config, "get_config_env", None)
    if callable(read_env):
        with contextlib.suppress(json.JSONDecodeError):  # then pulumi.Config fails on it too
            keys.update(read_env())
    elif config_map is None:
        _warn_once()
    return keys


def _warn_once() -> None:
    global _warned
    if not _warned:
        _warned = True
        print(
            "warning: this Pulumi SDK does not expose its configuration map; misspelt "
            "omics-variant-import keys are not detected",
            file=sys.stderr,
            flush=True,
        )


def read_config(config: pulumi.Config) -> dict[str, Any]:
    """Every key of config's namespace, the program's own keys typed by the getters.

    A value a getter refuses ("maybe" for a boolean) is kept as text, so the schema names its
    key; keys of other kinds (the providers' own, or misspelt ones) are kept as text too.
    """
    values: dict[str, Any] = {}
    for key in namespace_keys(config.name) or list(STACK_KEYS):
        value = _typed(config, key)
        if value is not None:
            values[key] = value
    return values


def _typed(config: pulumi.Config, key: str) -> Any:
    """The value of key as its getter converts it; text a getter would misread (a number that is
    not plain ASCII decimal, e.g. `5_0` or a full-width digit) stays text, for the schema to refuse.
    """
    kind = STACK_KEYS.get(key, "string")
    if kind == "number" and isinstance(number_from_text(config.get(key)), str):
        return config.get(key)
    getters: dict[str, Callable[[str], Any]] = {
        "boolean": config.get_bool,
        "number": config.get_float,
        "object": config.get_object,
    }
    getter = getters.get(kind, config.get)
    try:
        return getter(key)
    except pulumi.ConfigTypeError:
        return config.get(key)
