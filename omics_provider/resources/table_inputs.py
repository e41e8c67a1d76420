"""Inputs both table resources share: the catalog's properties and the table's name."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

import pulumi

from omics_provider.core.catalog_keys import is_credential_key
from omics_provider.core.properties import contains_unknown, is_unknown
from omics_provider.core.validation import Checker, quoted

TABLE_RULE = re.compile(r"[a-z0-9][a-z0-9_]{0,254}(\.[a-z0-9][a-z0-9_]{0,254})+")
TABLE_HINT = (
    "name the table as namespace.name in lower-case letters, digits and underscores, as S3 Tables "
    "requires, e.g. genomics.variants"
)
TABLE_BUCKET_RULE = re.compile(r"(?!xn--|sthree-|amzn-s3-demo-|aws)[a-z0-9][a-z0-9-]{1,61}[a-z0-9]")
TABLE_BUCKET_SUFFIXES = ("-s3alias", "--ol-s3", "--x-s3", "--table-s3")
TABLE_BUCKET_HINT = (
    "an S3 table bucket name is 3 to 63 lower-case letters, digits and hyphens, begins and ends "
    "with a letter or digit, and neither begins with xn--, sthree-, amzn-s3-demo- or aws nor ends "
    "with -s3alias, --ol-s3, --x-s3 or --table-s3"
)
CATALOG_HINT = (
    "catalog is a map of PyIceberg catalog properties (text values), e.g. {type: sql, uri: "
    "sqlite:///tables/catalog.db, warehouse: file:///abs/tables/warehouse}; omit it for the "
    "embedded default"
)


def check_table(checker: Checker, value: Any, prop: str = "table") -> None:
    """table is namespace.name as S3 Tables accepts it."""
    if not checker.required(prop, value, TABLE_HINT) or is_unknown(value):
        return
    if not isinstance(value, str) or not TABLE_RULE.fullmatch(value):
        checker.fail(prop, f"{quoted(value)} is not a table name; {TABLE_HINT}")


def check_table_bucket(checker: Checker, value: Any, prop: str = "tableBucket") -> None:
    """value, when given, is a table bucket name S3 Tables accepts."""
    if value is None or is_unknown(value):
        return
    if (
        not isinstance(value, str)
        or not TABLE_BUCKET_RULE.fullmatch(value)
        or value.endswith(TABLE_BUCKET_SUFFIXES)
    ):
        checker.fail(prop, f"{quoted(value)} is not a table bucket name; {TABLE_BUCKET_HINT}")


def check_catalog(checker: Checker, value: Any, prop: str = "catalog") -> None:
    """catalog, when given, maps property names to text; credential values are never quoted."""
    if value is None or contains_unknown(value):
        return
    if not isinstance(value, Mapping) or not value:
        checker.fail(prop, f"must be a non-empty map; {CATALOG_HINT}")
        return
    for key, item in value.items():
        if not isinstance(item, str | bool | int | float):
            shown = "<redacted>" if is_credential_key(str(key)) else quoted(item)
            checker.fail(f"{prop}.{key}", f"must be text, got {shown}; {CATALOG_HINT}")


def catalog_of(props: Mapping[str, Any]) -> dict[str, str] | None:
    """The catalog properties as text (None: the embedded default)."""
    value = props.get("catalog")
    if not value:
        return None
    return {str(k): _text(v) for k, v in value.items()}


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def catalog_identity(props: Mapping[str, Any]) -> dict[str, str]:
    """The catalog properties that say which catalog it is (credentials left out): a change of
    credentials is not a different catalog."""
    return {k: v for k, v in (catalog_of(props) or {}).items() if not is_credential_key(k)}


def secret_catalog(catalog: Any) -> Any:
    """The catalog input as a Pulumi secret (None stays None: the embedded default)."""
    return pulumi.Output.secret(catalog) if catalog is not None else None


def with_secret_catalog(opts: pulumi.ResourceOptions | None) -> pulumi.ResourceOptions:
    """opts with the `catalog` output kept secret in the state."""
    secret = pulumi.ResourceOptions(additional_secret_outputs=["catalog"])
    return pulumi.ResourceOptions.merge(secret, opts)
