"""Iceberg catalogs: the embedded SQLite one, S3 Tables' REST endpoint, any other by properties.

Catalogs are opened per process from their properties (never kept on a provider); every value
under a key that names a credential is registered for redaction before the catalog is opened.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pyiceberg.catalog import Catalog, load_catalog

from omics_provider.core.catalog_keys import is_credential_key
from omics_provider.core.errors import ProviderError
from omics_provider.core.redaction import register_secret

CATALOG_NAME = "omics"
LOCAL_FOLDER = ".iceberg"
"""The embedded default: a SQLite catalog and a warehouse folder under the working directory."""
_catalogs: dict[tuple[tuple[str, str], ...], Catalog] = {}
_lock = threading.Lock()


def local_catalog(folder: str | Path = LOCAL_FOLDER) -> dict[str, str]:
    """PyIceberg properties of the embedded SQL catalog on SQLite, warehouse in folder."""
    root = Path(folder).resolve()
    return {
        "type": "sql",
        "uri": f"sqlite:///{root / 'catalog.db'}",
        "warehouse": root.joinpath("warehouse").as_uri(),
    }


def s3_tables_catalog(table_bucket_arn: str, region: str) -> dict[str, str]:
    """PyIceberg properties of the S3 Tables Iceberg REST endpoint for a table bucket (SigV4)."""
    return {
        "type": "rest",
        "uri": f"https://s3tables.{region}.amazonaws.com/iceberg",
        "warehouse": table_bucket_arn,
        "rest.sigv4-enabled": "true",
        "rest.signing-name": "s3tables",
        "rest.signing-region": region,
    }


def open_catalog(properties: Mapping[str, Any] | None) -> Catalog:
    """The (process-wide) catalog for properties; the embedded default when None or empty.

    A local SQLite catalog gets its folder created. ProviderError says what failed, redacted.
    """
    props = {str(k): str(v) for k, v in (properties or local_catalog()).items()}
    for key, value in props.items():
        if is_credential_key(key):
            register_secret(value)
    cache_key = tuple(sorted(props.items()))
    with _lock:
        if cache_key not in _catalogs:
            _prepare_local_folder(props)
            try:
                _catalogs[cache_key] = load_catalog(CATALOG_NAME, **props)
            except Exception as error:
                raise ProviderError(f"the Iceberg catalog cannot be opened: {error}") from None
        return _catalogs[cache_key]


def _prepare_local_folder(props: Mapping[str, str]) -> None:
    uri = props.get("uri", "")
    if props.get("type") == "sql" and uri.startswith("sqlite:///"):
        Path(uri.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    warehouse = props.get("warehouse", "")
    if warehouse.startswith("file://"):
        Path(warehouse.removeprefix("file://")).mkdir(parents=True, exist_ok=True)
