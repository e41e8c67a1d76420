"""verify: every declared file exists, fits one import job, and starts as its store reads it."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from omics_provider.surface import error_code, error_message, redact
from omics_stack.config import ImportBatch
from omics_stack.s3 import DENIED_CODES, NOT_FOUND_CODES, read_head, split_uri
from omics_stack.vcf import vcf_problem

HEAD_BYTES = 4096
"""Bytes read from the start of each file: enough to see a (compressed) VCF header line."""
GIB = 2**30
FILE_QUOTA_GB = 20
"""HealthOmics quota "maximum size of each file in a variant import job": 20 GB, adjustable.
AWS does not say whether a GB is 10^9 or 2^30 bytes; 2^30 is used, so no file is refused that
the service might take, and the limit can be set to a raised quota (--max-file-gb)."""
CONCURRENCY = 16


@dataclass(frozen=True)
class FileRule:
    """How a batch's files must start: problem(source, first bytes, whether they are the whole
    file) says what is wrong (None: nothing), from the first head_bytes of each file."""

    problem: Callable[[str, bytes, bool], str | None]
    head_bytes: int = HEAD_BYTES


VCF_RULE = FileRule(lambda _source, head, _whole: vcf_problem(head))
"""Variant batches: plain or gzip/BGZF-compressed VCF."""


@dataclass(frozen=True)
class Problem:
    """What is wrong with one declared file."""

    batch: str
    source: str
    what: str

    def line(self) -> str:
        """The problem as one line: batch, file, what is wrong; redacted, since what is wrong
        may quote the start of the file."""
        return redact(f"{self.batch}: {self.source}: {self.what}")


@dataclass(frozen=True)
class Verification:
    """The outcome of verify: the files checked, their problems, and the bytes read."""

    files: int
    problems: list[Problem]
    bytes_read: int


def verify_batches(
    client: Any,
    batches: Sequence[ImportBatch],
    max_file_bytes: int = FILE_QUOTA_GB * GIB,
    concurrency: int = CONCURRENCY,
    on_checked: Callable[[int], None] | None = None,
    rule_of: Callable[[ImportBatch], FileRule] = lambda _batch: VCF_RULE,
) -> Verification:
    """Check every source of batches, concurrently; problems in batch and file order.

    Each file costs one ranged GET of at most its rule's head_bytes (rule_of(batch): VCF by
    default): it gives existence, size and the first bytes at once. on_checked receives the
    running count of files checked.
    """
    work = [(batch.name, source, rule_of(batch)) for batch in batches for source in batch.sources]
    problems: list[Problem] = []
    read = 0
    with ThreadPoolExecutor(concurrency) as pool:
        outcomes = pool.map(lambda job: check_source(client, job[1], max_file_bytes, job[2]), work)
        checked = zip(work, outcomes, strict=True)
        for count, ((batch, source, _rule), (what, size)) in enumerate(checked, 1):
            read += size
            if what is not None:
                problems.append(Problem(batch, source, what))
            if on_checked is not None:
                on_checked(count)
    return Verification(len(work), problems, read)


def check_source(
    client: Any, uri: str, max_file_bytes: int, rule: FileRule = VCF_RULE
) -> tuple[str | None, int]:
    """(what is wrong with the file at uri or None, bytes read), the start judged by rule."""
    location = split_uri(uri)
    try:
        head = read_head(client, location, rule.head_bytes)
    except (ClientError, BotoCoreError) as error:
        return _read_problem(location.bucket, error), 0
    if head.size == 0:
        return "is empty; an import job fails on it", 0
    if head.size > max_file_bytes:
        return (
            f"is {head.size / GIB:.1f} GiB ({head.size:,} bytes), over the "
            f"{max_file_bytes / GIB:g} GiB a file may have in an import job (the HealthOmics "
            "quota; --max-file-gb if yours was raised)",
            len(head.data),
        )
    return rule.problem(uri, head.data, len(head.data) >= head.size), len(head.data)


def _read_problem(bucket: str, error: BaseException) -> str:
    code = error_code(error)
    if code in NOT_FOUND_CODES:
        return "object not found"
    if code == "NoSuchBucket":
        return f"bucket {bucket} does not exist"
    if code in DENIED_CODES:
        return "access denied reading it (s3:GetObject); the import role needs that too"
    if code is None:
        return f"cannot be read: {type(error).__name__}: {error}"
    return f"cannot be read: {code}: {error_message(error)}"
