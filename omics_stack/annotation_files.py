"""Whether an annotation file starts as its store reads it: a TSV/CSV header line that fits the
store's columns and the batch's readOptions, `##gff-version 3`, or a VCF."""

from __future__ import annotations

import codecs
import csv
import re
import zlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from omics_stack.annotation_config import AnnotationBatch, AnnotationStoreConfig
from omics_stack.batches import ImportBatch
from omics_stack.vcf import GZIP_MAGIC, OTHER_FORMATS, gunzip_start
from omics_stack.verification import VCF_RULE, FileRule

TSV_HEAD_BYTES = 64 * 1024
"""Bytes read from a TSV/CSV file: a header of thousands of columns fits."""
TEXT_BYTES = 256 * 1024
"""Decompressed bytes looked at, at most."""
GFF3_FIRST_LINE = re.compile(r"##gff-version[ \t]+3(\.[0-9]+)*[ \t]*")
"""The GFF3 specification's first line: `##gff-version 3`, maybe with a minor version."""
SHOWN = 40
"""Characters quoted when a first line is not what it should be."""
HEADER_SHOWN = 2 * SHOWN
"""Characters of a header's first columns quoted when it lacks a column."""
SUFFIXES = {
    "TSV": (".tsv", ".csv", ".tsv.gz", ".csv.gz"),
    "GFF": (".gff3", ".gff", ".gff3.gz", ".gff.gz"),
    "VCF": (".vcf", ".vcf.gz"),
}
"""The files plan takes for an annotation store of each format (plain or gzip-compressed)."""
ACCEPTED = {
    "TSV": "a TSV/CSV annotation store reads plain or gzip-compressed text with a header line",
    "GFF": "a GFF annotation store reads plain or gzip-compressed GFF3",
}


def annotation_rules(store: AnnotationStoreConfig | None) -> Callable[[ImportBatch], FileRule]:
    """The rule each batch's files are checked by: VCF for variant batches and for a VCF
    annotation store's batches, the store format's rule for the other annotation batches."""

    def rule_of(batch: ImportBatch) -> FileRule:
        if store is None or not isinstance(batch, AnnotationBatch):
            return VCF_RULE
        return annotation_rule(store, batch)

    return rule_of


def annotation_rule(store: AnnotationStoreConfig, batch: AnnotationBatch) -> FileRule:
    """How the files of batch must start, for store's format (TSV: by the batch's readOptions,
    each file's separator defaulting by its name)."""
    if store.store_format == "GFF":
        return FileRule(lambda _source, head, _whole: gff3_problem(head))
    if store.store_format != "TSV":
        return VCF_RULE
    options = batch.read_options
    columns = required_columns(store.tsv_options)

    def problem(source: str, head: bytes, whole: bool) -> str | None:
        header = TsvHeader(
            separator=options.get("sep") or default_separator(source),
            quote=options.get("quote") or '"',
            escape=options.get("escape"),
            comment=options.get("comment"),
            encoding=options.get("encoding") or "utf-8",
            header=options.get("header", True) is not False,
            columns=columns,
        )
        return header.problem(head, whole)

    return FileRule(problem, TSV_HEAD_BYTES)


def default_separator(source: str) -> str:
    """A comma for .csv files, else a tab, when readOptions give no sep."""
    return "," if source.endswith((".csv", ".csv.gz")) else "\t"


def required_columns(tsv_options: Mapping[str, Any]) -> dict[str, str]:
    """Columns the store reads by name, each with where the store names it:
    formatToHeader's values and schema's keys."""
    columns: dict[str, str] = {}
    for key, column in (tsv_options.get("formatToHeader") or {}).items():
        columns.setdefault(str(column), f"formatToHeader {key}")
    for item in tsv_options.get("schema") or []:
        for column in item:
            columns.setdefault(str(column), "schema")
    return columns


def gff3_problem(head: bytes) -> str | None:
    """None when head starts with the GFF3 first line; else what is wrong (rule named)."""
    text, problem = decompressed(head, "GFF")
    if problem is not None:
        return problem
    first = text.decode("utf-8", "replace").split("\n", 1)[0].rstrip("\r")
    if GFF3_FIRST_LINE.fullmatch(first):
        return None
    shown = first[:SHOWN]
    return (
        f"GFF3 first line: the file must start with the line '##gff-version 3', and starts "
        f"with {shown!r}"
    )


def decompressed(head: bytes, store_format: str) -> tuple[bytes, str | None]:
    """(head's text, decompressed when gzip; a problem when compressed otherwise or empty)."""
    accepted = ACCEPTED[store_format]
    if not head:
        return b"", f"is empty; {accepted}"
    for magic, name in OTHER_FORMATS.items():
        if head.startswith(magic):
            return b"", f"is {name}; {accepted}"
    if not head.startswith(GZIP_MAGIC):
        return head, None
    try:
        return gunzip_start(head, TEXT_BYTES), None
    except zlib.error as error:
        return b"", f"is gzip-compressed but cannot be decompressed ({error}); {accepted}"


@dataclass(frozen=True)
class TsvHeader:
    """The header rule of a TSV/CSV annotation file: a first line (after comment lines) split
    by the separator into the columns the store reads by name (column -> where it is named)."""

    separator: str
    quote: str
    escape: str | None
    comment: str | None
    encoding: str
    header: bool
    columns: Mapping[str, str]

    def problem(self, head: bytes, whole: bool) -> str | None:
        """None when the file's header line fits; else what is wrong, naming the rule."""
        text, problem = decompressed(head, "TSV")
        if problem is not None:
            return problem
        lines = self._lines(self._decode(text))
        if not lines:
            return (
                "TSV header: the file holds no line (only comments or nothing); " + ACCEPTED["TSV"]
            )
        if not self.header:
            return None
        first, complete = lines[0], len(lines) > 1 or whole
        if self.separator not in first:
            return (
                f"TSV header: the first line has no {self.separator!r} separator (starts with "
                f"{first[:SHOWN]!r}); separate the columns with it or set readOptions.sep"
            )
        if not complete:
            return None  # a longer header than was read: its end cannot be judged
        return self._missing(self._columns(first))

    def _decode(self, text: bytes) -> str:
        try:
            codecs.lookup(self.encoding)
        except LookupError:
            return text.decode("utf-8", "replace")
        return text.decode(self.encoding, "replace")

    def _lines(self, text: str) -> list[str]:
        lines = text.splitlines()
        return [line for line in lines if not (self.comment and line.startswith(self.comment))]

    def _columns(self, line: str) -> list[str]:
        if len(self.separator) != 1 or len(self.quote) != 1:
            return [column.strip() for column in line.split(self.separator)]
        reader = csv.reader(
            [line], delimiter=self.separator, quotechar=self.quote, escapechar=self.escape
        )
        return [column.strip() for column in next(reader, [])]

    def _missing(self, header: Sequence[str]) -> str | None:
        missing = [
            f"{column!r} ({where})"
            for column, where in self.columns.items()
            if column not in header
        ]
        if not missing:
            return None
        has = ", ".join(map(repr, header[:10]))
        cut = len(header) > 10 or len(has) > HEADER_SHOWN
        return (
            f"TSV header: the header line lacks the column(s) {', '.join(missing)} that the "
            f"store's tsvStoreOptions name; it has {has[:HEADER_SHOWN]}{' ...' if cut else ''}"
        )
