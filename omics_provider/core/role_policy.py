"""The import role's policy as plain data: exact grants, prefix broadening, IAM's size count."""

from __future__ import annotations

import heapq
import json
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

INLINE_POLICY_LIMIT = 10_240
"""IAM: characters of all inline policies of one role together, white space not counted.

The role has this one inline policy and no managed ones (see docs/import-role.md for why).
"""
TRUST_POLICY_LIMIT = 2_048
"""IAM: characters of a role's trust policy by default."""
POLICY_BUDGET = 9_216
"""The most the builder puts in the role's one inline policy: 1,024 below IAM's limit."""

OMICS_PRINCIPAL = "omics.amazonaws.com"
REFERENCE_ACTIONS = ("omics:GetReference", "omics:GetReferenceMetadata")
ESCAPED_BY_SOME_ENCODERS = "<>&"
"""Characters a JSON encoder may write as a 6-character escape (Go's does, e.g. \\u0026)."""

_SOURCE = re.compile(r"s3://([a-z0-9][a-z0-9-.]{1,61}[a-z0-9])/(.{0,1024})")
_IAM_WILDCARDS = ("*", "?", "${")
_ARN = re.compile(r"arn:([a-z][a-z0-9-]*):([a-z0-9-]+):([^:]*):([^:]*):(.+)")
_KMS_KEY_RESOURCE = re.compile(r"key/[A-Za-z0-9-]+")
LIST_OPERATORS = (("StringEquals", False), ("StringLike", True))
"""The s3:prefix condition of exact keys and of prefixes (each in its own statement)."""
REFERENCE_EXAMPLE = (
    "arn:aws:omics:us-east-1:123456789012:referenceStore/1234567890/reference/1234567890"
)
KMS_KEY_EXAMPLE = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"


class PolicyTooLarge(ValueError):
    """No policy within IAM's limit grants the sources: the message says how large and why."""


@dataclass(frozen=True, order=True)
class SourceGrant:
    """One grant as IAM sees it: a bucket and an exact key, or a key prefix (ending in /)."""

    bucket: str
    key: str

    @classmethod
    def parse(cls, uri: str) -> SourceGrant:
        """The grant for s3://bucket/key (an object) or s3://bucket/prefix/ (every key under it)."""
        match = _SOURCE.fullmatch(uri)
        if match is None:
            raise ValueError(
                f"{uri!r} is not an S3 URI: use s3://bucket/key for a file or "
                "s3://bucket/prefix/ for every file under a prefix"
            )
        bucket, key = match.groups()
        if any(wildcard in key for wildcard in _IAM_WILDCARDS):
            raise ValueError(
                f"{uri!r}: IAM would read *, ? or ${{ in the key as a wildcard or variable, "
                "granting more than this file; rename the file or grant its prefix"
            )
        return cls(bucket, key)

    @property
    def is_prefix(self) -> bool:
        """True when the grant covers every key under a prefix."""
        return self.key == "" or self.key.endswith("/")

    @property
    def uri(self) -> str:
        """The grant as an S3 URI (a prefix ends in /)."""
        return f"s3://{self.bucket}/{self.key}"

    def object_arn(self, partition: str) -> str:
        """The ARN GetObject is granted on: the object, or prefix* for a prefix."""
        suffix = "*" if self.is_prefix else ""
        return f"arn:{partition}:s3:::{self.bucket}/{self.key}{suffix}"

    def list_prefix(self) -> str:
        """The s3:prefix value ListBucket is allowed for (a StringLike pattern for a prefix)."""
        return f"{self.key}*" if self.is_prefix else self.key

    def covers(self, other: SourceGrant) -> bool:
        """True when this grant already grants everything other does."""
        if self.bucket != other.bucket:
            return False
        return other.key.startswith(self.key) if self.is_prefix else self == other


@dataclass(frozen=True)
class RolePolicy:
    """The role's one inline policy and what it grants in place of exact files."""

    document: dict[str, Any]
    size: int
    """Characters IAM counts for the document (an upper bound; see `iam_size`)."""
    files: int
    """Distinct files among the sources (prefix sources not counted)."""
    grants: tuple[SourceGrant, ...]
    """What s3:GetObject is granted on, exact files and prefixes."""
    broadened: tuple[SourceGrant, ...]
    """Prefixes granted in place of exact files to fit IAM's limit."""
    broadened_files: int
    """Files covered by the broadened prefixes."""

    @property
    def text(self) -> str:
        """The document as sent to IAM (compact JSON)."""
        return compact_json(self.document)

    def summary(self) -> str:
        """One line: how many files are granted exactly, how many through how many prefixes."""
        exact = self.files - self.broadened_files
        budget = f"policy {self.size:,} of {INLINE_POLICY_LIMIT:,} characters"
        if not self.broadened:
            return f"{self.files:,} files granted exactly; {budget}"
        plural = "es" if len(self.broadened) != 1 else ""
        return (
            f"{self.broadened_files:,} of {self.files:,} files granted through "
            f"{len(self.broadened):,} prefix{plural} (not file by file, to fit IAM's size limit), "
            f"{exact:,} exactly; {budget}"
        )


def compact_json(document: Mapping[str, Any]) -> str:
    """The document without white space, non-ASCII characters escaped: what the role is sent."""
    return json.dumps(document, separators=(",", ":"))


def iam_size(document: Mapping[str, Any]) -> int:
    """The characters IAM counts for document, never fewer.

    IAM does not count white space; the compact text has none outside strings. Its count is
    taken as if every non-ASCII character and every <, > and & were written as a 6-character
    escape, which some encoder between us and IAM may do.
    """
    return _text_size(compact_json(document))


def _text_size(text: str) -> int:
    return len(text) + 5 * sum(text.count(char) for char in ESCAPED_BY_SOME_ENCODERS)


def _string_size(value: str) -> int:
    return _text_size(json.dumps(value))


def partition_of(arns: Iterable[str | None], default: str = "aws") -> str:
    """The AWS partition (aws, aws-cn, aws-us-gov) of the first ARN given, else default."""
    for arn in arns:
        if arn and arn.startswith("arn:"):
            return arn.split(":")[1]
    return default


def trust_policy(source_account: str | None = None) -> dict[str, Any]:
    """The trust policy letting HealthOmics (of source_account only, if given) assume the role."""
    statement: dict[str, Any] = {
        "Effect": "Allow",
        "Principal": {"Service": OMICS_PRINCIPAL},
        "Action": "sts:AssumeRole",
    }
    if source_account:
        statement["Condition"] = {"StringEquals": {"aws:SourceAccount": source_account}}
    return {"Version": "2012-10-17", "Statement": [statement]}


def parse_sources(sources: Sequence[str]) -> list[SourceGrant]:
    """The distinct grants of sources, sorted; ValueError naming the first bad one."""
    if not sources:
        raise ValueError("sources: an import role needs at least one source (s3://bucket/key)")
    grants = set()
    for index, uri in enumerate(sources):
        try:
            grants.add(SourceGrant.parse(uri))
        except ValueError as error:
            raise ValueError(f"sources[{index}]: {error}") from None
    return sorted(grants)


def check_reference_arn(reference_arn: str | None) -> None:
    """Refuse a reference ARN that is not one exact HealthOmics reference (wildcards included)."""
    if reference_arn is None:
        return
    _refuse_wildcards("reference_arn", reference_arn, REFERENCE_EXAMPLE)
    match = _ARN.fullmatch(reference_arn)
    if match is None or match.group(2) != "omics":
        raise ValueError(
            f"reference_arn: {reference_arn!r} is not a HealthOmics reference ARN; "
            f"give one like {REFERENCE_EXAMPLE}"
        )


def check_kms_key_arns(kms_key_arns: Sequence[str]) -> None:
    """Refuse a KMS key ARN that is not one exact key: kms:Decrypt is never granted on *."""
    for index, arn in enumerate(kms_key_arns):
        name = f"kms_key_arns[{index}]"
        _refuse_wildcards(name, arn, KMS_KEY_EXAMPLE)
        match = _ARN.fullmatch(arn)
        if match is None or match.group(2) != "kms" or not _KMS_KEY_RESOURCE.fullmatch(match[5]):
            raise ValueError(
                f"{name}: {arn!r} is not a KMS key ARN; kms:Decrypt is granted on exact keys "
                f"only, give one like {KMS_KEY_EXAMPLE}"
            )


def _refuse_wildcards(name: str, arn: str, example: str) -> None:
    if any(wildcard in arn for wildcard in _IAM_WILDCARDS):
        raise ValueError(
            f"{name}: {arn!r} holds a wildcard or variable (*, ? or ${{), which IAM would "
            f"expand to more than one resource (any partition, region, account or id); "
            f"give the exact ARN, like {example}"
        )


@dataclass(frozen=True)
class PolicyExtras:
    """The partition, and what the policy grants besides the sources: KMS keys, the reference."""

    partition: str = "aws"
    kms_key_arns: tuple[str, ...] = ()
    reference_arn: str | None = None

    def statements(self) -> list[dict[str, Any]]:
        """The statements granting kms:Decrypt on the keys and reading the reference."""
        extra = []
        if self.kms_key_arns:
            extra.append(_allow("DecryptSources", ["kms:Decrypt"], list(self.kms_key_arns)))
        if self.reference_arn:
            extra.append(_allow("ReadReference", list(REFERENCE_ACTIONS), [self.reference_arn]))
        return extra


def build_role_policy(
    sources: Sequence[str],
    kms_key_arns: Sequence[str] = (),
    reference_arn: str | None = None,
    partition: str | None = None,
    budget: int = POLICY_BUDGET,
) -> RolePolicy:
    """The least-privilege policy reading sources that fits budget; exact grants while they fit.

    Past the budget, files are granted through the finest folder prefixes that fit: first the
    folders saving the most characters, a parent folder only once all its sub-folders are
    granted as prefixes, never above the deepest folder all of a bucket's sources share.
    ValueError names a bad input; PolicyTooLarge says how large the smallest policy would be.
    """
    grants = parse_sources(sources)
    check_reference_arn(reference_arn)
    check_kms_key_arns(kms_key_arns)
    extras = PolicyExtras(
        partition or partition_of([reference_arn, *kms_key_arns]),
        tuple(sorted(set(kms_key_arns))),
        reference_arn,
    )
    tree = GrantTree(grants, extras.partition)
    document = policy_document(tree.grants(), extras)
    size = estimate = iam_size(document)
    while size > budget:
        if tree.exhausted:
            raise PolicyTooLarge(_too_large_message(size, budget, tree))
        estimate -= tree.collapse_next(needed=estimate - budget)
        if estimate <= budget or tree.exhausted:
            document = policy_document(tree.grants(), extras)
            size = estimate = iam_size(document)
    return _role_policy(document, size, tree)


def _role_policy(document: dict[str, Any], size: int, tree: GrantTree) -> RolePolicy:
    broadened = tree.broadened()
    return RolePolicy(
        document=document,
        size=size,
        files=tree.files,
        grants=tuple(tree.grants()),
        broadened=tuple(grant for grant, _ in broadened),
        broadened_files=sum(files for _, files in broadened),
    )


def _too_large_message(size: int, budget: int, tree: GrantTree) -> str:
    return (
        f"the import role's policy needs {size:,} characters even with the files of each of "
        f"its {tree.bucket_count:,} buckets granted through their common folder, over IAM's "
        f"limit of {INLINE_POLICY_LIMIT:,} characters of inline policy per role (this "
        f"program keeps to {budget:,}); split the sources across several VariantImportRole "
        "components (one per batch or per bucket group), each under the limit"
    )


def policy_document(grants: Sequence[SourceGrant], extras: PolicyExtras) -> dict[str, Any]:
    """The policy granting S3 reads of grants, plus the KMS keys and reference of extras."""
    part = extras.partition
    buckets = sorted({grant.bucket for grant in grants})
    statements: list[dict[str, Any]] = [
        _allow("ReadSources", ["s3:GetObject"], [g.object_arn(part) for g in grants]),
        _allow("LocateSourceBuckets", ["s3:GetBucketLocation"], _bucket_arns(buckets, part)),
        *_list_statements(grants, part),
        *extras.statements(),
    ]
    return {"Version": "2012-10-17", "Statement": statements}


def list_statement(bucket: str, partition: str, operator: str, values: list[str]) -> dict[str, Any]:
    """ListBucket on bucket for the s3:prefix values (StringEquals: keys, StringLike: prefix*).

    Without a Sid: a bucket's statements come and go as files are broadened, and unnumbered
    statements keep the size of each one independent of the others.
    """
    return {
        "Effect": "Allow",
        "Action": ["s3:ListBucket"],
        "Resource": _bucket_arns([bucket], partition),
        "Condition": {operator: {"s3:prefix": values}},
    }


def _allow(
    sid: str, actions: list[str], resources: list[str], condition: Mapping[str, Any] | None = None
) -> dict[str, Any]:
    statement: dict[str, Any] = {
        "Sid": sid,
        "Effect": "Allow",
        "Action": actions,
        "Resource": resources,
    }
    if condition:
        statement["Condition"] = dict(condition)
    return statement


def _bucket_arns(buckets: Iterable[str], partition: str) -> list[str]:
    return [f"arn:{partition}:s3:::{bucket}" for bucket in buckets]


def _list_statements(grants: Sequence[SourceGrant], partition: str) -> list[dict[str, Any]]:
    """ListBucket per bucket, limited by s3:prefix to the source keys (exact) and prefixes."""
    statements: list[dict[str, Any]] = []
    by_bucket: dict[str, list[SourceGrant]] = {}
    for grant in grants:
        by_bucket.setdefault(grant.bucket, []).append(grant)
    for bucket, mine in sorted(by_bucket.items()):
        for operator, is_prefix in LIST_OPERATORS:
            values = sorted(g.list_prefix() for g in mine if g.is_prefix == is_prefix)
            if values:
                statements.append(list_statement(bucket, partition, operator, values))
    return statements


def grant_cost(grant: SourceGrant, partition: str) -> int:
    """Characters one grant adds to the policy: its GetObject ARN and its s3:prefix value."""
    return _string_size(grant.object_arn(partition)) + _string_size(grant.list_prefix()) + 2


def folder_of(key: str) -> str:
    """The folder holding key, ending in / ("" for the bucket's top level)."""
    return key[: key.rfind("/") + 1]


@dataclass(eq=False)
class Folder:
    """A folder of a bucket in the grant tree: its own files, its sub-folders, its state."""

    bucket: str
    prefix: str
    parent: Folder | None = None
    files: list[str] = field(default_factory=list)
    children: list[Folder] = field(default_factory=list)
    pending: int = 0
    """Sub-folders not granted as prefixes yet; the folder may be broadened at 0."""
    granted: bool = False
    """Granted as a whole prefix (declared so, or broadened)."""
    declared: bool = False
    """Declared as a prefix source by the user."""

    @property
    def grant(self) -> SourceGrant:
        """This folder as a prefix grant."""
        return SourceGrant(self.bucket, self.prefix)

    @property
    def depth(self) -> int:
        """How many folders deep the prefix is."""
        return self.prefix.count("/")

    def walk(self) -> Iterator[Folder]:
        """This folder and every folder below it, parents before children."""
        stack = [self]
        while stack:
            folder = stack.pop()
            yield folder
            stack.extend(reversed(folder.children))

    def inside_granted(self) -> bool:
        """True when a folder above this one is granted as a prefix."""
        parent = self.parent
        while parent is not None:
            if parent.granted:
                return True
            parent = parent.parent
        return False


_HeapEntry = tuple[int, int, str, str, int]
"""(-characters saved, -depth, bucket, prefix, id of the folder): the best folder pops first."""


@dataclass
class _ListCounts:
    """How many s3:prefix values a bucket's ListBucket statements hold, by kind."""

    exact: int = 0
    prefixes: int = 0


class GrantTree:
    """The sources of each bucket as a tree of folders, broadened one folder at a time.

    Each bucket's tree is rooted at the deepest folder all its sources share, so no grant is
    ever wider than that folder. `collapse_next` returns the exact number of characters the
    policy document shrinks by, so the builder re-renders the document only to confirm a fit.
    """

    def __init__(self, grants: Sequence[SourceGrant], partition: str) -> None:
        self.partition = partition
        self.roots = [
            _bucket_tree(bucket, [g for g in grants if g.bucket == bucket])
            for bucket in sorted({g.bucket for g in grants})
        ]
        self._file_counts = _files_below(self.roots)
        self.files = sum(self._file_counts[id(root)] for root in self.roots)
        self._counts = {root.bucket: _list_counts(root) for root in self.roots}
        self._heap: list[_HeapEntry] = []
        self._by_id: dict[int, Folder] = {}
        for folder in self._folders():
            self._by_id[id(folder)] = folder
            self._offer(folder)

    @property
    def bucket_count(self) -> int:
        """How many buckets the sources are in."""
        return len(self.roots)

    @property
    def exhausted(self) -> bool:
        """True when no folder is left to broaden."""
        return not self._heap

    def collapse_next(self, needed: int = 0) -> int:
        """Grant one folder as a prefix and return the exact number of characters saved.

        The folder saving the most, unless one saving at least `needed` exists: then the one
        of those saving the least, so the last step broadens no more than the fit requires.
        """
        entry = self._pop(self._smallest_sufficient(needed))
        folder = self._by_id[entry[-1]]
        saving = -entry[0] + self._statement_saving(folder)
        self._apply_statement_saving(folder)
        folder.granted = True
        if folder.parent is not None:
            folder.parent.pending -= 1
            self._offer(folder.parent)
        return saving

    def _pop(self, index: int) -> _HeapEntry:
        if index == 0:
            return heapq.heappop(self._heap)
        entry, self._heap[index] = self._heap[index], self._heap[-1]
        self._heap.pop()
        heapq.heapify(self._heap)
        return entry

    def _smallest_sufficient(self, needed: int) -> int:
        """The heap index of the folder to broaden next (0: the one saving the most)."""
        if needed <= 0 or self._total_saving(self._heap[0]) < needed:
            return 0
        enough = [
            (self._total_saving(entry), -entry[1], index)
            for index, entry in enumerate(self._heap)
            if self._total_saving(entry) >= needed
        ]
        return min(enough)[2]

    def _total_saving(self, entry: _HeapEntry) -> int:
        return -entry[0] + self._statement_saving(self._by_id[entry[-1]])

    def grants(self) -> list[SourceGrant]:
        """What is granted now: prefixes where folders are granted, exact files elsewhere."""
        return sorted(grant for root in self.roots for grant in _grants_under(root))

    def broadened(self) -> list[tuple[SourceGrant, int]]:
        """Each prefix granted in place of exact files, with the number of files it covers."""
        return [
            (folder.grant, self._file_counts[id(folder)])
            for folder in self._folders()
            if folder.granted and not folder.declared and not folder.inside_granted()
        ]

    def _folders(self) -> Iterator[Folder]:
        for root in self.roots:
            yield from root.walk()

    def _offer(self, folder: Folder) -> None:
        """Queue folder for broadening once every sub-folder is granted as a prefix."""
        if folder.granted or folder.pending:
            return
        entry = (-self._entry_saving(folder), -folder.depth, folder.bucket, folder.prefix)
        heapq.heappush(self._heap, (*entry, id(folder)))

    def _entry_saving(self, folder: Folder) -> int:
        """Characters saved by listing folder as one prefix instead of what it holds."""
        part = self.partition
        held = sum(grant_cost(SourceGrant(folder.bucket, key), part) for key in folder.files)
        held += sum(grant_cost(child.grant, part) for child in folder.children)
        return held - grant_cost(folder.grant, part)

    def _statement_saving(self, folder: Folder) -> int:
        """Characters saved (or spent) as the bucket's ListBucket statements vanish or appear."""
        counts = self._counts[folder.bucket]
        saving = 0
        if folder.files and counts.exact == len(folder.files):
            saving += self._empty_statement_size(folder.bucket, "StringEquals")
        if counts.prefixes == 0:
            saving -= self._empty_statement_size(folder.bucket, "StringLike")
        return saving

    def _apply_statement_saving(self, folder: Folder) -> None:
        counts = self._counts[folder.bucket]
        counts.exact -= len(folder.files)
        counts.prefixes += 1 - len(folder.children)

    def _empty_statement_size(self, bucket: str, operator: str) -> int:
        """A ListBucket statement's size without its values (each value pays its own comma)."""
        return iam_size(list_statement(bucket, self.partition, operator, []))


def _grants_under(folder: Folder) -> Iterator[SourceGrant]:
    if folder.granted:
        yield folder.grant
        return
    for key in folder.files:
        yield SourceGrant(folder.bucket, key)
    for child in folder.children:
        yield from _grants_under(child)


def _files_below(roots: Sequence[Folder]) -> dict[int, int]:
    """Each folder's (by id) number of files, its own and its sub-folders'."""
    counts: dict[int, int] = {}
    for root in roots:
        for folder in reversed(list(root.walk())):
            counts[id(folder)] = len(folder.files) + sum(counts[id(c)] for c in folder.children)
    return counts


def _list_counts(root: Folder) -> _ListCounts:
    counts = _ListCounts()
    for folder in root.walk():
        counts.exact += len(folder.files)
        counts.prefixes += folder.declared
    return counts


def _bucket_tree(bucket: str, grants: Sequence[SourceGrant]) -> Folder:
    """The folder tree of one bucket's grants, rooted at their deepest common folder.

    Files and prefixes under a declared prefix are left out: that prefix grants them.
    """
    prefixes = [g for g in grants if g.is_prefix]
    kept = [g for g in grants if not any(p != g and p.covers(g) for p in prefixes)]
    root = Folder(bucket, _common_folder([_folder_of_grant(g) for g in kept]))
    folders = {root.prefix: root}
    for grant in kept:
        folder = _folder_at(folders, _folder_of_grant(grant))
        if grant.is_prefix:
            folder.granted = folder.declared = True
        else:
            folder.files.append(grant.key)
    for folder in root.walk():
        folder.pending = sum(not child.granted for child in folder.children)
    return root


def _folder_of_grant(grant: SourceGrant) -> str:
    return grant.key if grant.is_prefix else folder_of(grant.key)


def _common_folder(folders: Sequence[str]) -> str:
    """The deepest folder every one of folders is in (or is)."""
    first, last = min(folders), max(folders)
    shared = 0
    while shared < min(len(first), len(last)) and first[shared] == last[shared]:
        shared += 1
    return folder_of(first[:shared])


def _folder_at(folders: dict[str, Folder], prefix: str) -> Folder:
    """The folder for prefix, creating it and its missing parents up to the tree's root."""
    missing = []
    while prefix not in folders:
        missing.append(prefix)
        prefix = folder_of(prefix[:-1])
    folder = folders[prefix]
    for below in reversed(missing):
        child = Folder(folder.bucket, below, folder)
        folder.children.append(child)
        folders[below] = child
        folder = child
    return folder
