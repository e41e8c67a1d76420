"""The variant table's columns, partitioning and snapshot-summary keys: one definition, two forms.

The columns keep the HealthOmics variant store's Athena table (lower-case names, one row per
sample per VCF record, 0-based half-open `start`/`end`), plus four provenance columns. See
docs/variant-table.md for the mapping from VCF.
"""

from __future__ import annotations

import pyarrow as pa
from pyiceberg.io.pyarrow import schema_to_pyarrow
from pyiceberg.partitioning import PartitionField, PartitionSpec
from pyiceberg.schema import Schema
from pyiceberg.transforms import IdentityTransform
from pyiceberg.types import (
    BooleanType,
    DoubleType,
    IntegerType,
    ListType,
    LongType,
    MapType,
    NestedField,
    StringType,
)


def _strings(element_id: int) -> ListType:
    return ListType(element_id, StringType(), element_required=False)


VARIANT_SCHEMA = Schema(
    NestedField(1, "sampleid", StringType(), doc="VCF sample column; null for a sites-only VCF"),
    NestedField(2, "contigname", StringType(), doc="CHROM"),
    NestedField(3, "start", LongType(), doc="0-based start: POS - 1"),
    NestedField(4, "end", LongType(), doc="0-based exclusive end: INFO END, else start + len(REF)"),
    NestedField(5, "names", _strings(101), doc="ID, split on ';'"),
    NestedField(6, "referenceallele", StringType(), doc="REF"),
    NestedField(7, "alternatealleles", _strings(102), doc="ALT, split on ','"),
    NestedField(8, "qual", DoubleType(), doc="QUAL; null when '.'"),
    NestedField(9, "filters", _strings(103), doc="FILTER: ['PASS'], the failed filters, or null"),
    NestedField(
        10,
        "attributes",
        MapType(104, StringType(), 105, StringType(), value_required=False),
        doc="INFO as text: lists joined by ',', a set flag as 'true'",
    ),
    NestedField(11, "phased", BooleanType(), doc="GT uses '|' between its alleles"),
    NestedField(
        12,
        "calls",
        ListType(106, IntegerType(), element_required=False),
        doc="GT allele indexes, -1 for a missing allele",
    ),
    NestedField(
        13,
        "genotypelikelihoods",
        ListType(107, DoubleType(), element_required=False),
        doc="GL; else PL / -10",
    ),
    NestedField(
        14, "alleledepths", ListType(108, IntegerType(), element_required=False), doc="FORMAT AD"
    ),
    NestedField(15, "depth", IntegerType(), doc="FORMAT DP"),
    NestedField(
        16,
        "information",
        MapType(109, StringType(), 110, StringType(), value_required=False),
        doc="the other FORMAT fields as text",
    ),
    NestedField(17, "sourcefile", StringType(), doc="provenance: the VCF's S3 URI"),
    NestedField(18, "sourceetag", StringType(), doc="provenance: its ETag when read"),
    NestedField(19, "sourceversion", StringType(), doc="provenance: its version id, if any"),
    NestedField(20, "batch", StringType(), doc="provenance: the import batch's name"),
)
"""Every column optional: a VCF may leave any of them empty."""

VARIANT_PARTITIONING = PartitionSpec(
    PartitionField(source_id=1, field_id=1000, transform=IdentityTransform(), name="sampleid"),
    PartitionField(source_id=2, field_id=1001, transform=IdentityTransform(), name="contigname"),
)
"""Identity on sample, then contig: a query for one sample or one region reads its files only."""

ARROW_SCHEMA: pa.Schema = schema_to_pyarrow(VARIANT_SCHEMA)
"""The Arrow form (with Iceberg field ids) in which the reader yields rows and files are written."""

SUMMARY_SOURCE = "omics.source"
SUMMARY_ETAG = "omics.source-etag"
SUMMARY_VERSION = "omics.source-version"
SUMMARY_BATCH = "omics.batch"
SUMMARY_ROWS = "omics.rows"
SUMMARY_REMOVED_BATCH = "omics.removed-batch"
"""Snapshot-summary keys: an append names its one source file; a batch delete names its batch."""
