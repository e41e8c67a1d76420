"""Synthetic VCF files written from Python records, the truth the table's rows are compared with.

Records are generated, not parsed: a test knows every value it wrote. Files come plain, gzip or
BGZF (blocks of at most 64 KiB, each a gzip member with the BC extra field, and the empty end
block, as the SAM specification's section 4.1 lays out).
"""

from __future__ import annotations

import gzip
import random
import struct
import zlib
from dataclasses import dataclass, field
from typing import Any

HEADER = """##fileformat=VCFv4.2
##contig=<ID=chr1,length=248956422>
##contig=<ID=chr2,length=242193529>
##contig=<ID=chrX,length=156040895>
##FILTER=<ID=q10,Description="Quality below 10">
##INFO=<ID=DP,Number=1,Type=Integer,Description="Total depth">
##INFO=<ID=AF,Number=A,Type=Float,Description="Allele frequency">
##INFO=<ID=DB,Number=0,Type=Flag,Description="dbSNP member">
##INFO=<ID=END,Number=1,Type=Integer,Description="End position">
##FORMAT=<ID=GT,Number=1,Type=String,Description="Genotype">
##FORMAT=<ID=DP,Number=1,Type=Integer,Description="Read depth">
##FORMAT=<ID=AD,Number=R,Type=Integer,Description="Allele depths">
##FORMAT=<ID=GQ,Number=1,Type=Integer,Description="Genotype quality">
##FORMAT=<ID=PL,Number=G,Type=Integer,Description="Phred-scaled likelihoods">
"""


@dataclass
class Genotype:
    """One sample's FORMAT values at a record (None: the field is '.')."""

    calls: list[int] | None  # -1 for a missing allele; None for GT '.'
    phased: bool = False
    depth: int | None = None
    allele_depths: list[int] | None = None
    quality: int | None = None
    likelihoods: list[int] | None = None


@dataclass
class Record:
    """One VCF record; pos is 1-based as in the file."""

    contig: str
    pos: int
    ref: str
    alts: list[str]
    names: list[str] = field(default_factory=list)
    qual: float | None = None
    filters: list[str] | None = None  # None: '.'; [] never (PASS is ["PASS"])
    info: dict[str, Any] = field(default_factory=dict)
    genotypes: list[Genotype] = field(default_factory=list)


@dataclass
class VcfFile:
    """Samples and records, and the text of the file they make."""

    samples: list[str]
    records: list[Record]

    def text(self) -> str:
        columns = ["#CHROM", "POS", "ID", "REF", "ALT", "QUAL", "FILTER", "INFO"]
        if self.samples:
            columns += ["FORMAT", *self.samples]
        lines = [HEADER.rstrip("\n"), "\t".join(columns)]
        lines += [_line(record, bool(self.samples)) for record in self.records]
        return "\n".join(lines) + "\n"

    def encoded(self, form: str) -> bytes:
        """The file as bytes: form is plain, gzip or bgzf."""
        data = self.text().encode()
        if form == "gzip":
            return gzip.compress(data, mtime=0)
        if form == "bgzf":
            return bgzf(data)
        return data


def _line(record: Record, with_samples: bool) -> str:
    fields = [
        record.contig,
        str(record.pos),
        ";".join(record.names) or ".",
        record.ref,
        ",".join(record.alts) or ".",
        "." if record.qual is None else f"{record.qual:g}",
        "." if record.filters is None else ";".join(record.filters),
        _info(record.info),
    ]
    if with_samples:
        fields.append("GT:DP:AD:GQ:PL")
        fields += [_genotype(g) for g in record.genotypes]
    return "\t".join(fields)


def _info(info: dict[str, Any]) -> str:
    parts = []
    for key, value in info.items():
        if value is True:
            parts.append(key)
        elif isinstance(value, list):
            parts.append(f"{key}={','.join(f'{v:g}' for v in value)}")
        else:
            parts.append(f"{key}={value}")
    return ";".join(parts) or "."


def _genotype(g: Genotype) -> str:
    gt = (
        "."
        if g.calls is None
        else ("|" if g.phased else "/").join("." if c < 0 else str(c) for c in g.calls)
    )
    values = [
        gt,
        _number(g.depth),
        _numbers(g.allele_depths),
        _number(g.quality),
        _numbers(g.likelihoods),
    ]
    return ":".join(values)


def _number(value: int | None) -> str:
    return "." if value is None else str(value)


def _numbers(values: list[int] | None) -> str:
    return "." if values is None else ",".join(str(v) for v in values)


def bgzf(data: bytes, block: int = 65_280) -> bytes:
    """data as BGZF: deflated blocks with the BC extra subfield, then the empty EOF block."""
    out = bytearray()
    for start in range(0, len(data), block):
        out += _bgzf_block(data[start : start + block])
    return bytes(out + _bgzf_block(b""))


def _bgzf_block(chunk: bytes) -> bytes:
    compressor = zlib.compressobj(6, zlib.DEFLATED, -15)
    deflated = compressor.compress(chunk) + compressor.flush()
    size = len(deflated) + 25  # header 18 + trailer 8, minus one
    header = b"\x1f\x8b\x08\x04" + b"\x00" * 4 + b"\x00\xff" + struct.pack("<H", 6)
    header += b"BC" + struct.pack("<HH", 2, size)
    trailer = struct.pack("<II", zlib.crc32(chunk), len(chunk))
    return header + deflated + trailer


def cohort(samples: int, records: int, seed: int = 7) -> VcfFile:
    """A sorted multi-sample VCF with every kind of value: multi-allelic sites, missing and
    haploid genotypes, phased calls, flags, '.' QUAL and FILTER, a symbolic allele with END."""
    rng = random.Random(seed)
    names = [f"SAMPLE{i:03d}" for i in range(samples)]
    out: list[Record] = []
    pos = 1000
    for index in range(records):
        contig = ("chr1", "chr2", "chrX")[index * 3 // max(records, 1)]
        pos += rng.randint(1, 500)
        ref = rng.choice(["A", "C", "G", "T", "AT", "CTT"])
        alts = rng.sample(["A", "C", "G", "T", "TA"], rng.choice([1, 1, 2]))
        alts = [a for a in alts if a != ref] or ["GG"]
        info: dict[str, Any] = {"DP": rng.randint(5, 200)}
        if rng.random() < 0.5:
            info["AF"] = [round(rng.random(), 3) for _ in alts]
        if rng.random() < 0.3:
            info["DB"] = True
        if index % 17 == 5:
            ref, alts, info["END"] = "N", ["<DEL>"], pos + 250
        out.append(
            Record(
                contig=contig,
                pos=pos,
                ref=ref,
                alts=alts,
                names=[f"rs{index}"] if rng.random() < 0.4 else [],
                qual=None if index % 11 == 3 else round(rng.uniform(1, 99), 1),
                filters=None if index % 13 == 4 else (["q10"] if index % 7 == 2 else ["PASS"]),
                info=info,
                genotypes=[_random_genotype(rng, len(alts)) for _ in names],
            )
        )
    return VcfFile(names, out)


def _random_genotype(rng: random.Random, alts: int) -> Genotype:
    roll = rng.random()
    if roll < 0.1:
        return Genotype(None)
    if roll < 0.15:
        return Genotype([-1, -1])
    if roll < 0.2:
        return Genotype([rng.randint(0, alts)], depth=rng.randint(1, 60))
    calls = sorted(rng.randint(0, alts) for _ in range(2))
    count = (alts + 1) * (alts + 2) // 2
    return Genotype(
        calls,
        phased=rng.random() < 0.3,
        depth=rng.randint(1, 60),
        allele_depths=[rng.randint(0, 30) for _ in range(alts + 1)] if rng.random() < 0.7 else None,
        quality=rng.randint(0, 99) if rng.random() < 0.8 else None,
        likelihoods=[rng.randint(0, 255) for _ in range(count)] if rng.random() < 0.6 else None,
    )


def expected_rows(vcf: VcfFile) -> list[dict[str, Any]]:
    """The rows the table must hold for vcf (without provenance), sample by sample."""
    rows = []
    for index, sample in enumerate(vcf.samples or [None]):
        for record in vcf.records:
            genotype = record.genotypes[index] if vcf.samples else None
            rows.append(_expected_row(record, sample, genotype))
    return rows


def _expected_row(record: Record, sample: str | None, g: Genotype | None) -> dict[str, Any]:
    start = record.pos - 1
    attributes = {
        k: (
            "true"
            if v is True
            else ",".join(f"{x:g}" for x in v)
            if isinstance(v, list)
            else str(v)
        )
        for k, v in record.info.items()
    }
    row: dict[str, Any] = {
        "sampleid": sample,
        "contigname": record.contig,
        "start": start,
        "end": record.info.get("END", start + len(record.ref)),
        "names": record.names,
        "referenceallele": record.ref,
        "alternatealleles": record.alts,
        "qual": record.qual,
        "filters": record.filters,
        "attributes": attributes,
    }
    if g is not None:
        information = {}
        if g.quality is not None:
            information["GQ"] = str(g.quality)
        if g.likelihoods is not None:
            information["PL"] = ",".join(str(v) for v in g.likelihoods)
        row.update(
            calls=g.calls,
            phased=None if g.calls is None else g.phased and len(g.calls) > 1,
            depth=g.depth,
            alleledepths=g.allele_depths,
            genotypelikelihoods=None if g.likelihoods is None else [v / -10 for v in g.likelihoods],
            information=information,
        )
    return row
