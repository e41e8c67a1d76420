"""The stack configuration namespace every setting of this project is read from."""

from __future__ import annotations

CONFIG_NAMESPACE = "omics-variant-import"
"""Stack keys are `omics-variant-import:<key>`; the providers and the stack program share it."""
