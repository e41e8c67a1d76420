"""VCF (plain, gzip or BGZF) to Arrow rows of the variant table, streamed in bounded memory.

Parsing is oxbow's (noodles, in Rust); this module only chooses the decompression and reshapes
oxbow's record batches into the table's columns: one row per sample per record (a record
without genotypes too), one row per record for a sites-only VCF. Memory: one batch of
`batch_records` records at a time, plus the reading buffer of the stream it is given.
"""

from __future__ import annotations

import gzip
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import IO, Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from oxbow.oxbow import PyVcfScanner

from omics_provider.core.errors import ProviderError
from omics_provider.core.redaction import redact
from omics_provider.core.validation import QUOTED_CHARACTERS
from omics_provider.core.variant_schema import ARROW_SCHEMA

BATCH_ROWS = 65_536
"""Rows (records x samples) per batch: the reader's memory is about this many rows."""
MIN_BATCH_RECORDS = 64
_GZIP_MAGIC = b"\x1f\x8b"
_GENOTYPE_COLUMNS = ("GT", "AD", "DP", "GL")
"""FORMAT fields with a column of their own; every other one goes to `information`."""


class VcfError(ProviderError):
    """A file that is not a VCF oxbow can read: the message names the file and the reason."""


@dataclass(frozen=True)
class Provenance:
    """Where the rows come from: written into the four provenance columns of every row."""

    source: str
    etag: str
    version: str | None
    batch: str


def compression_of(head: bytes) -> str | None:
    """bgzf, gzip or None (plain text), from the first 18 bytes (RFC 1952; SAM spec 4.1)."""
    if not head.startswith(_GZIP_MAGIC):
        return None
    has_extra = len(head) >= 4 and head[3] & 0x04
    return "bgzf" if has_extra and head[12:14] == b"BC" else "gzip"


def read_variants(
    stream: IO[bytes], provenance: Provenance, batch_rows: int = BATCH_ROWS
) -> Iterator[pa.Table]:
    """Tables of rows in ARROW_SCHEMA's columns, in file order, from a seekable binary stream.

    Raises VcfError (naming the source) when the stream is not a VCF or breaks off.
    """
    try:
        samples, batches = record_batches(stream, batch_rows)
        for batch in batches:
            yield from _rows(batch, samples, provenance)
    except BaseException as error:  # oxbow reports a malformed file with a Rust panic
        if isinstance(error, KeyboardInterrupt | SystemExit | GeneratorExit | VcfError):
            raise
        reason = excerpt(str(error)) or type(error).__name__
        raise VcfError(f"{provenance.source} is not a readable VCF: {reason}") from None


def excerpt(text: str) -> str:
    """A reader's error text fit to quote: on one line, redacted, then cut to
    QUOTED_CHARACTERS (a parser may quote the file's content, which is the team's data)."""
    line = redact(" ".join(text.split()))
    if len(line) <= QUOTED_CHARACTERS:
        return line
    return f"{line[:QUOTED_CHARACTERS]}... ({len(line)} characters)"


def record_batches(
    stream: IO[bytes], batch_rows: int = BATCH_ROWS
) -> tuple[list[str], pa.RecordBatchReader]:
    """The file's samples and oxbow's own record batches (every field parsed), before any
    reshaping: the reading alone, which bounds the import's throughput."""
    scanner = _scanner(stream)
    samples = list(scanner.sample_names())
    records = max(MIN_BATCH_RECORDS, batch_rows // max(1, len(samples)))
    return samples, pa.RecordBatchReader.from_stream(scanner.scan(columns=None, batch_size=records))


def _scanner(stream: IO[bytes]) -> Any:
    head = stream.read(18)
    stream.seek(0)
    compression = compression_of(head)
    source: IO[bytes] | gzip.GzipFile = (
        gzip.GzipFile(fileobj=stream) if compression == "gzip" else stream
    )
    return PyVcfScanner(
        source,
        compressed=compression == "bgzf",
        fields="*",
        info_fields="*",
        genotype_fields="*",
        genotype_by="sample",
        samples="*",
        samples_nested=True,
        coords="01",
    )


def _rows(batch: pa.RecordBatch, samples: list[str], provenance: Provenance) -> Iterator[pa.Table]:
    sites = _site_columns(batch, provenance)
    if not samples:
        yield _table(sites, None, batch.num_rows)
        return
    genotypes = batch.column("samples")
    for index, sample in enumerate(samples):
        yield _table(sites, (sample, genotypes.field(index)), batch.num_rows)


def _site_columns(batch: pa.RecordBatch, provenance: Provenance) -> dict[str, pa.Array]:
    start = pc.cast(batch.column("pos"), pa.int64())
    ref = batch.column("ref")
    info = batch.column("info") if "info" in batch.schema.names else None
    end = pc.add(start, pc.cast(pc.utf8_length(ref), pa.int64()))
    if info is not None and "END" in [f.name for f in info.type]:
        end = pc.coalesce(pc.cast(info.field("END"), pa.int64()), end)
    count = batch.num_rows
    filters = batch.column("filter")
    passed = pc.equal(pc.list_value_length(filters), 0)
    return {
        "contigname": pc.cast(batch.column("chrom"), pa.string()),
        "start": start,
        "end": end,
        "names": batch.column("id"),
        "referenceallele": ref,
        "alternatealleles": batch.column("alt"),
        # through text, so that QUAL 0.1 stays 0.1 rather than float32's 0.10000000149
        "qual": pc.cast(pc.cast(batch.column("qual"), pa.string()), pa.float64()),
        "filters": pc.if_else(passed, pa.scalar(["PASS"], pa.list_(pa.string())), filters),
        "attributes": _text_map(info, ()) if info is not None else pa.nulls(count, _MAP),
        "sourcefile": _repeat(provenance.source, count),
        "sourceetag": _repeat(provenance.etag, count),
        "sourceversion": _repeat(provenance.version, count),
        "batch": _repeat(provenance.batch, count),
    }


def _table(
    sites: dict[str, pa.Array], sample: tuple[str, pa.StructArray] | None, count: int
) -> pa.Table:
    columns = dict(sites, sampleid=pa.nulls(count, pa.string()))
    if sample is not None:
        name, fields = sample
        columns.update(_genotype_columns(fields), sampleid=_repeat(name, count))
    arrays = [
        columns[f.name] if f.name in columns else pa.nulls(count, f.type) for f in ARROW_SCHEMA
    ]
    return pa.Table.from_arrays(
        [_as_type(array, f.type) for array, f in zip(arrays, ARROW_SCHEMA, strict=True)],
        schema=ARROW_SCHEMA,
    )


def _genotype_columns(fields: pa.StructArray) -> dict[str, pa.Array]:
    names = [f.name for f in fields.type]
    count = len(fields)
    columns: dict[str, pa.Array] = {"information": _text_map(fields, _GENOTYPE_COLUMNS)}
    if "GT" in names:
        gt = fields.field("GT")
        alleles = gt.field("allele")
        columns["calls"] = _list_fill_null(alleles, -1)
        columns["phased"] = _phased(alleles, gt.field("phased"))
    if "AD" in names:
        columns["alleledepths"] = fields.field("AD")
    if "DP" in names:
        columns["depth"] = fields.field("DP")
    if "GL" in names:
        columns["genotypelikelihoods"] = fields.field("GL")
    elif "PL" in names:
        pl = pc.cast(fields.field("PL"), pa.list_(pa.float64()))
        columns["genotypelikelihoods"] = _list_map(pl, lambda v: pc.divide(v, -10.0))
    return {key: value for key, value in columns.items() if len(value) == count}


def _phased(alleles: pa.ListArray, phased: pa.ListArray) -> pa.Array:
    """True when the genotype has two or more alleles, each after the first joined by '|'."""
    flags = pc.list_slice(phased, 1)
    values = np.asarray(pc.fill_null(pc.list_flatten(flags), False), dtype=bool)
    parents = np.asarray(pc.list_parent_indices(flags))
    result = np.asarray(pc.fill_null(pc.greater(pc.list_value_length(alleles), 1), False)).copy()
    result[parents[~values]] = False
    return pa.array(result, mask=np.asarray(pc.is_null(alleles)))


def _list_fill_null(lists: pa.Array, value: int) -> pa.Array:
    return _list_map(lists, lambda v: pc.fill_null(v, value))


def _list_map(lists: pa.Array, function: Callable[[pa.Array], pa.Array]) -> pa.Array:
    """lists with function applied to their flattened values (nulls and empty lists kept)."""
    lists = _plain_list(lists)
    values = function(lists.values)
    offsets = pc.subtract(lists.offsets, lists.offsets[0])
    return pa.ListArray.from_arrays(
        offsets, values.slice(lists.offsets[0].as_py()), mask=pc.is_null(lists)
    )


def _plain_list(lists: pa.Array) -> pa.ListArray:
    if pa.types.is_fixed_size_list(lists.type):
        return pc.cast(lists, pa.list_(lists.type.value_type))
    return lists


_MAP = pa.map_(pa.string(), pa.string())


def _text_map(fields: pa.StructArray, skip: tuple[str, ...]) -> pa.Array:
    """A map<string, string> per row from a struct's fields, as text; absent fields left out."""
    names = [f.name for f in fields.type if f.name not in skip]
    count = len(fields)
    if not names:
        return pa.array([{} for _ in range(count)], _MAP) if count else pa.array([], _MAP)
    texts = [_as_text(fields.field(name)) for name in names]
    stacked = pa.concat_arrays(texts)  # field-major: field j of row i is at j * count + i
    index = (np.arange(count)[:, None] + np.arange(len(names))[None, :] * count).ravel()
    present = ~np.asarray(pc.is_null(stacked), dtype=bool)[index]
    keys = pa.array(names, pa.string()).take(np.tile(np.arange(len(names)), count)[present])
    per_row = present.reshape(count, len(names)).sum(axis=1)
    offsets = np.concatenate([[0], np.cumsum(per_row)]).astype(np.int32)
    return pa.MapArray.from_arrays(offsets, keys, stacked.take(pa.array(index[present])))


def _as_text(values: pa.Array) -> pa.Array:
    """values as text: a list joined by ',' (a missing element '.'), a set flag 'true'."""
    if pa.types.is_boolean(values.type):
        return pc.if_else(values, "true", pa.scalar(None, pa.string()))
    if pa.types.is_list(values.type) or pa.types.is_fixed_size_list(values.type):
        texts = _list_map(values, lambda v: pc.fill_null(_as_text(v), "."))
        return pc.binary_join(texts, ",")
    if pa.types.is_struct(values.type):  # a nested GT outside GT's own columns: not expected
        return pc.cast(pa.nulls(len(values)), pa.string())
    return pc.cast(values, pa.string())


def _repeat(value: str | None, count: int) -> pa.Array:
    """value count times, filled in by Arrow rather than from a Python list."""
    return (
        pc.fill_null(pa.nulls(count, pa.string()), value)
        if value is not None
        else pa.nulls(count, pa.string())
    )


def _as_type(array: pa.Array, type_: pa.DataType) -> pa.Array:
    """array as type_, cast only when it is not already (a cast copies)."""
    return array if array.type == type_ else array.cast(type_)


def open_text(stream: IO[bytes]) -> IO[bytes] | gzip.GzipFile:
    """The decompressed bytes of a VCF stream of any of the three forms (for comparisons)."""
    head = stream.read(18)
    stream.seek(0)
    return gzip.GzipFile(fileobj=stream) if compression_of(head) else stream
