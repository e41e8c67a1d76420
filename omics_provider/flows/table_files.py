"""Rows to Parquet data files in the table's location: one file per (sample, contig) run.

Each file holds one partition value (identity on sampleid and contigname), so that the files
can be added to the table as they are; a VCF sorted by contig keeps one writer per sample open.
"""

from __future__ import annotations

import contextlib
import itertools
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
from pyiceberg.io.pyarrow import schema_to_pyarrow
from pyiceberg.table import Table


@dataclass
class DataFiles:
    """The Parquet files written for one source file, and their rows."""

    paths: list[str] = field(default_factory=list)
    rows: int = 0


def write_data_files(table: Table, tables: Iterable[pa.Table]) -> DataFiles:
    """Write tables (ARROW_SCHEMA rows) as Parquet files under the table's data folder.

    On any error the files already written are deleted before it is raised.
    """
    written = DataFiles()
    writers: dict[tuple[str | None, str | None], tuple[Any, Any]] = {}
    schema = schema_to_pyarrow(table.schema())  # the table's own field ids
    try:
        for part in tables:
            for key, rows in _partition_runs(part.cast(schema)):
                _writer(table, writers, written, key).write_table(rows)
                written.rows += rows.num_rows
                _close_other_contigs(writers, key)
        _close_all(writers)
    except BaseException:
        _close_all(writers)
        delete_files(table, written.paths)
        raise
    return written


def delete_files(table: Table, paths: Iterable[str]) -> None:
    """Delete data files never committed (best effort: an orphan costs storage, not rows)."""
    for path in paths:
        with contextlib.suppress(Exception):  # an orphan is harmless; maintenance removes it
            table.io.delete(path)


def _partition_runs(part: pa.Table) -> list[tuple[tuple[str | None, str | None], pa.Table]]:
    """Consecutive runs of rows with the same (sampleid, contigname)."""
    if part.num_rows == 0:
        return []
    sample = part.column("sampleid")[0].as_py()  # one sample per table from the reader
    contigs = pc.dictionary_encode(part.column("contigname")).combine_chunks()
    codes = np.asarray(pc.fill_null(contigs.indices, -1))
    starts = np.flatnonzero(np.diff(codes)) + 1
    bounds = [0, *starts.tolist(), part.num_rows]
    return [
        ((sample, part.column("contigname")[a].as_py()), part.slice(a, b - a))
        for a, b in itertools.pairwise(bounds)
    ]


def _writer(
    table: Table,
    writers: dict[tuple[str | None, str | None], tuple[Any, Any]],
    written: DataFiles,
    key: tuple[str | None, str | None],
) -> Any:
    if key not in writers:
        sample, contig = key
        folder = f"sampleid={_part(sample)}/contigname={_part(contig)}"
        path = f"{table.location()}/data/{folder}/{uuid.uuid4()}.parquet"
        stream = table.io.new_output(path).create(overwrite=False)
        written.paths.append(path)
        schema = schema_to_pyarrow(table.schema())
        writers[key] = (pq.ParquetWriter(stream, schema, compression="zstd"), stream)
    return writers[key][0]


def _part(value: str | None) -> str:
    return "null" if value is None else quote(value, safe="")


def _close_other_contigs(
    writers: dict[tuple[str | None, str | None], tuple[Any, Any]],
    key: tuple[str | None, str | None],
) -> None:
    for other in [k for k in writers if k[0] == key[0] and k != key]:
        _close(writers.pop(other))


def _close_all(writers: dict[tuple[str | None, str | None], tuple[Any, Any]]) -> None:
    while writers:
        _close(writers.popitem()[1])


def _close(pair: tuple[Any, Any]) -> None:
    writer, stream = pair
    writer.close()
    stream.close()
