"""Importing the library (what every plugin start does) loads none of the table's heavy
libraries: they take seconds to import and only the table's flows need them."""

from __future__ import annotations

import subprocess
import sys

HEAVY = ("pyiceberg", "pyarrow", "oxbow", "polars", "pandas")


def test_import_omics_provider_loads_no_table_library() -> None:
    code = (
        "import sys, omics_provider, omics_provider.variant_table, "
        "omics_provider.variant_table_import; "
        f"print(sorted(m for m in {HEAVY!r} if m in sys.modules))"
    )
    loaded = subprocess.run(
        [sys.executable, "-c", code], check=True, capture_output=True, text=True
    ).stdout.strip()
    assert loaded == "[]"
