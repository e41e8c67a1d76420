"""The table destination's stack program under OmicsMocks: an S3 table bucket and namespace
declared through pulumi-aws's aws.s3tables for `tableBucket`, none for the embedded catalog."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from omics_provider.errors import StackConfigError
from omics_provider.testing import OmicsMocks, run_program
from omics_stack import parse_stack_config

MAIN = Path(__file__).resolve().parents[2] / "__main__.py"
NAMESPACE = "omics-variant-import"
BUCKET_TYPE = "aws:s3tables/tableBucket:TableBucket"
NAMESPACE_TYPE = "aws:s3tables/namespace:Namespace"
TABLE_TYPE_SUFFIX = "VariantTable"
BUCKET_ARN = "arn:aws:s3tables:eu-west-1:123456789012:bucket/cohort-tables"
IMPORTS = [{"name": "june", "sources": ["s3://cohort-b/a.vcf"]}]


def _config(table: dict[str, Any]) -> dict[str, Any]:
    return {
        "aws:region": "eu-west-1",
        f"{NAMESPACE}:destination": "table",
        f"{NAMESPACE}:table": table,
        f"{NAMESPACE}:imports": IMPORTS,
    }


SECRET_SIG = "4dabf18193072939515e22adb298388d"
"""The key Pulumi's wire format marks a secret value with."""


def _secret_catalog_of(run: Any, name: str) -> Any:
    """The resource's catalog input, which must have been registered as a secret."""
    catalog = run.resources[name].inputs.get("catalog")
    assert isinstance(catalog, dict) and catalog.get(SECRET_SIG), f"{name}'s catalog in clear"
    return catalog["value"]


def test_table_stack_declares_the_table_bucket_and_namespace_for_s3_tables() -> None:
    run = run_program(
        MAIN,
        _config({"name": "genomics.variants", "tableBucket": "cohort-tables"}),
        OmicsMocks(region="eu-west-1"),
    )

    [bucket] = run.of_type(BUCKET_TYPE)
    [space] = run.of_type(NAMESPACE_TYPE)
    assert bucket.inputs["name"] == "cohort-tables"
    assert "forceDestroy" not in bucket.inputs  # destroying the stack keeps the bucket's tables
    assert space.inputs == {"namespace": "genomics", "tableBucketArn": BUCKET_ARN}
    expected = {
        "type": "rest",
        "uri": "https://s3tables.eu-west-1.amazonaws.com/iceberg",
        "warehouse": BUCKET_ARN,
        "rest.sigv4-enabled": "true",
        "rest.signing-name": "s3tables",
        "rest.signing-region": "eu-west-1",
    }
    assert _secret_catalog_of(run, "variant-table") == expected
    assert _secret_catalog_of(run, "june") == expected


def test_table_stack_declares_no_table_bucket_for_the_embedded_catalog() -> None:
    run = run_program(MAIN, _config({"name": "genomics.variants"}))

    assert run.of_type(BUCKET_TYPE) == []
    assert run.of_type(NAMESPACE_TYPE) == []
    assert run.resources["variant-table"].inputs.get("catalog") is None
    assert "variant-table" in run.resources


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ({"name": "g.v", "tableBucket": "Cohort"}, "table.tableBucket: 'Cohort' is not a table"),
        ({"name": "g.v", "tableBucket": "ab"}, "table.tableBucket: 'ab' is not a table bucket"),
        ({"name": "g.v", "tableBucket": "a_b_c"}, "is not a table bucket name"),
        ({"name": "g.v", "tableBucket": "aws-tables"}, "begins with xn--, sthree-"),
        ({"name": "g.v", "tableBucket": "tables--table-s3"}, "ends with -s3alias"),
        ({"name": "g.v", "tableBucket": "tables-"}, "begins and ends with a letter or digit"),
        ({"name": "g.v", "tableBucket": 7}, "table.tableBucket: 7 is not a table bucket name"),
        (
            {"name": "g.v", "tableBucket": "cohort", "catalog": {"type": "sql"}},
            "table.tableBucket: names the catalog itself: drop catalog",
        ),
    ],
)
def test_parse_stack_config_rejects_a_table_bucket_s3_tables_would_refuse(
    table: dict[str, Any], message: str
) -> None:
    with pytest.raises(StackConfigError, match=None) as raised:
        parse_stack_config({"destination": "table", "table": table, "imports": IMPORTS})

    assert message in str(raised.value)


def test_parse_stack_config_accepts_a_table_bucket_at_the_length_limits() -> None:
    for name in ("abc", "a" * 63):
        config = parse_stack_config(
            {"destination": "table", "table": {"name": "g.v", "tableBucket": name}}
        )
        assert config.table is not None and config.table["tableBucket"] == name
