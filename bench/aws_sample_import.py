"""The AWS sample's approach, re-implemented as the benchmark's baseline (never used by the
product): VCF lines parsed in Python, rows exploded per sample, appended in chunks."""

from __future__ import annotations

import gzip
from collections.abc import Iterator
from typing import Any

import pyarrow as pa
from pyiceberg.io.pyarrow import schema_to_pyarrow
from pyiceberg.table import Table

CHUNK_ROWS = 50_000
"""Rows per append: each chunk is one commit, as the sample's Lambda commits its chunks."""


def import_lines(table: Table, path: str, source: str, batch: str) -> int:
    """Append the rows of the gzipped VCF at path in chunks; the rows appended."""
    schema = schema_to_pyarrow(table.schema())
    rows: list[dict[str, Any]] = []
    total = 0
    for row in _rows(path, source, batch):
        rows.append(row)
        if len(rows) == CHUNK_ROWS:
            table.append(pa.Table.from_pylist(rows, schema))
            total += len(rows)
            rows = []
    if rows:
        table.append(pa.Table.from_pylist(rows, schema))
        total += len(rows)
    return total


def _rows(path: str, source: str, batch: str) -> Iterator[dict[str, Any]]:
    samples: list[str] = []
    with gzip.open(path, "rt") as lines:
        for line in lines:
            if line.startswith("##"):
                continue
            fields = line.rstrip("\n").split("\t")
            if line.startswith("#"):
                samples = fields[9:]
                continue
            site = _site(fields, source, batch)
            keys = fields[8].split(":") if len(fields) > 8 else []
            for sample, value in zip(samples, fields[9:], strict=False):
                yield {**site, "sampleid": sample, **_genotype(keys, value.split(":"))}


def _site(fields: list[str], source: str, batch: str) -> dict[str, Any]:
    start = int(fields[1]) - 1
    info = dict(([*item.split("=", 1), "true"])[:2] for item in fields[7].split(";") if item != ".")
    return {
        "contigname": fields[0],
        "start": start,
        "end": int(info["END"]) if "END" in info else start + len(fields[3]),
        "names": [] if fields[2] == "." else fields[2].split(";"),
        "referenceallele": fields[3],
        "alternatealleles": [] if fields[4] == "." else fields[4].split(","),
        "qual": None if fields[5] == "." else float(fields[5]),
        "filters": None if fields[6] == "." else fields[6].split(";"),
        "attributes": list(info.items()),
        "sourcefile": source,
        "batch": batch,
    }


def _genotype(keys: list[str], values: list[str]) -> dict[str, Any]:
    given = dict(zip(keys, values, strict=False))
    gt = given.pop("GT", ".")
    alleles = gt.replace("|", "/").split("/")
    calls = None if gt == "." else [-1 if a == "." else int(a) for a in alleles]
    depth = given.pop("DP", ".")
    ad = given.pop("AD", ".")
    return {
        "calls": calls,
        "phased": None if calls is None else "|" in gt,
        "depth": None if depth == "." else int(depth),
        "alleledepths": None if ad == "." else [int(a) for a in ad.split(",")],
        "information": [(k, v) for k, v in given.items() if v != "."],
    }
