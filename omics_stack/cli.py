"""The `omics-variant-import` command: `plan` new batches from S3 prefixes, `verify` declared files.

Exit status: 0 done; 1 `plan --check` found undeclared files, or `verify` found problems;
2 the command could not run (bad arguments, stack file, bucket, access): one line says why.
"""

from __future__ import annotations

import argparse
import math
import re
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TextIO

from omics_provider.surface import CONFIG_NAMESPACE, MAX_ITEMS_PER_JOB, redact
from omics_stack.annotation_files import annotation_rules
from omics_stack.config import DeclaredBatches
from omics_stack.delivery import PlanOutcome, PlanRequest, load_stack, plan
from omics_stack.errors import CommandError
from omics_stack.exclusion import exclude_failures
from omics_stack.history import omics_client, store_history
from omics_stack.s3 import parse_prefix, s3_client
from omics_stack.stack_file import StackFile, locate
from omics_stack.verification import CONCURRENCY, FILE_QUOTA_GB, GIB, Problem, verify_batches

PROGRAM = "omics-variant-import"
FOUND = 1
FAILED = 2
VERIFY_PROGRESS_FILES = 1000
UNITS = ("B", "KiB", "MiB", "GiB", "TiB", "PiB")
GIBIBYTES = re.compile(r"[0-9]+(?:\.[0-9]*)?(?:[eE][-+]?[0-9]+)?")


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line argv (default: sys.argv[1:]); return the exit status."""
    args = _parser().parse_args(argv)
    try:
        status: int = args.run(args, sys.stdout, sys.stderr)
    except CommandError as error:
        print(redact(f"{PROGRAM} {args.command}: error: {error}"), file=sys.stderr, flush=True)
        return FAILED
    except KeyboardInterrupt:
        print(f"{PROGRAM} {args.command}: interrupted; nothing was written", file=sys.stderr)
        return 130
    return status


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog=PROGRAM, description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    planner = commands.add_parser(
        "plan",
        help="add batches of the undeclared VCF files under S3 prefixes to a stack file",
        description="List S3 prefixes and add every .vcf/.vcf.gz file that no batch of the "
        "stack declares (nor, with --store, any earlier job imported) as new batches, each in "
        "its own manifest file.",
    )
    _stack_arguments(planner)
    planner.add_argument("prefixes", nargs="+", metavar="S3_PREFIX", help="s3://bucket/folder/")
    planner.add_argument(
        "--store",
        help="also leave out files this variant store's import jobs took (with --annotations: "
        "this annotation store's jobs into the stack's annotationStore.versionName)",
    )
    planner.add_argument(
        "--annotations",
        action="store_true",
        help="add annotationImports batches of the files the stack's annotation store reads "
        "(TSV: .tsv/.csv, GFF: .gff3/.gff, VCF: .vcf, each maybe .gz) instead of VCF batches",
    )
    planner.add_argument(
        "--batch-size",
        type=_batch_size,
        default=MAX_ITEMS_PER_JOB,
        help=f"files per new batch, 1-{MAX_ITEMS_PER_JOB} (default {MAX_ITEMS_PER_JOB})",
    )
    mode = planner.add_mutually_exclusive_group()
    mode.add_argument("--dry-run", action="store_true", help="show the plan, write nothing")
    mode.add_argument(
        "--check",
        action="store_true",
        help="write nothing; exit 1 when undeclared files exist, 0 when none",
    )
    planner.set_defaults(run=_run_plan)
    verifier = commands.add_parser(
        "verify",
        help="check that every declared file exists, fits one import job and is a VCF (or, "
        "in annotation batches, what the annotation store reads)",
        description="Read the first bytes of every file the stack declares (variant batches: "
        "a VCF; annotation batches: a TSV/CSV header fitting the store's columns, a GFF3 "
        "first line or a VCF); print one line per problem and exit 1 when there is any.",
    )
    _stack_arguments(verifier)
    verifier.add_argument(
        "--concurrency", type=_positive, default=CONCURRENCY, help="files read at once"
    )
    verifier.add_argument(
        "--max-file-gb",
        type=_gibibytes,
        default=FILE_QUOTA_GB,
        help=f"largest file an import job takes, in GiB (default {FILE_QUOTA_GB}: the quota)",
    )
    verifier.add_argument(
        "--exclude",
        action="store_true",
        help="move the failing files of batches that never ran into the stack's exclusions "
        "(reads the store's import jobs to tell which batches ran)",
    )
    verifier.set_defaults(run=_run_verify)
    return parser


def _stack_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--stack", help="the stack: reads stacks/Pulumi.<STACK>.yaml")
    parser.add_argument("--stack-file", help="the stack file, if elsewhere")


def _batch_size(text: str) -> int:
    size = _positive(text)
    if size > MAX_ITEMS_PER_JOB:
        raise argparse.ArgumentTypeError(
            f"{size} is more than an import job takes ({MAX_ITEMS_PER_JOB} files)"
        )
    return size


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"{value} must be at least 1")
    return value


def _gibibytes(text: str) -> float:
    """A file size limit in GiB: a finite positive ASCII decimal number (20, 0.5, 9.5e-06)."""
    value = float(text) if GIBIBYTES.fullmatch(text) else 0.0
    if not math.isfinite(value) or value <= 0:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a size in GiB: give a positive decimal number such as 20 or 0.5"
        )
    return value


def _run_plan(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    prefixes = [parse_prefix(text) for text in args.prefixes]
    location = locate(args.stack, args.stack_file, Path.cwd())
    request = PlanRequest(
        location,
        prefixes,
        args.store,
        args.batch_size,
        not (args.dry_run or args.check),
        args.annotations,
    )
    outcome = plan(request, lambda line: _say(err, "plan", line))
    _print_table(out, outcome)
    print(_plan_summary(outcome, location.path, args), file=out, flush=True)
    return FOUND if args.check and outcome.batches else 0


def _say(stream: TextIO, command: str, line: str) -> None:
    print(f"{PROGRAM} {command}: {line}", file=stream, flush=True)


def _print_table(out: TextIO, outcome: PlanOutcome) -> None:
    if not outcome.batches:
        return
    rows = [("batch", "files", "size", "manifest")]
    for batch, manifest in zip(outcome.batches, outcome.manifests, strict=True):
        rows.append((batch.name, f"{len(batch.objects):,}", format_size(batch.size), manifest))
    widths = [max(len(row[i]) for row in rows) for i in range(3)]
    for name, files, size, manifest in rows:
        cells = f"{name:<{widths[0]}}  {files:>{widths[1]}}  {size:>{widths[2]}}  {manifest}"
        print(cells, file=out)


def _plan_summary(outcome: PlanOutcome, stack_path: Path, args: argparse.Namespace) -> str:
    total = format_size(sum(batch.size for batch in outcome.batches))
    found = f"{outcome.files:,} new file(s) in {len(outcome.batches)} batch(es), {total}"
    left_out = ", ".join(f"{n:,} {reason}" for reason, n in sorted(outcome.skipped.items()))
    listing = f"listed {outcome.listed:,} object(s)"
    listing += f"; left out {left_out}" if left_out else ""
    if not outcome.batches:
        action = "nothing to add"
    elif outcome.written:
        action = f"added to {stack_path.name} with {len(outcome.manifests)} manifest(s)"
    elif args.check:
        action = "undeclared files exist: run plan without --check to add them"
    else:
        action = "dry run: nothing written"
    return f"{found}; {listing}; {action}"


def _run_verify(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    location = locate(args.stack, args.stack_file, Path.cwd())
    stack, config = load_stack(location)
    client = s3_client(
        stack.setting("aws:region"), stack.setting("aws:profile"), connections=args.concurrency
    )
    batches = (*config.imports, *config.annotations.imports)
    total = sum(len(batch.sources) for batch in batches)

    def on_checked(count: int) -> None:
        if count % VERIFY_PROGRESS_FILES == 0 and count < total:
            _say(err, "verify", f"checked {count:,} of {total:,} files ...")

    result = verify_batches(
        client,
        batches,
        int(args.max_file_gb * GIB),
        args.concurrency,
        on_checked,
        annotation_rules(config.annotations.store),
    )
    for problem in result.problems:
        print(problem.line(), file=out)
    verdict = f"{len(result.problems)} problem(s)" if result.problems else "no problem"
    print(
        f"verified {result.files:,} file(s) in {len(batches)} batch(es): {verdict} "
        f"({format_size(result.bytes_read)} read)",
        file=out,
        flush=True,
    )
    if args.exclude and result.problems:
        return _exclude(stack, config, result.problems, out, err)
    return FOUND if result.problems else 0


def _exclude(
    stack: StackFile, config: DeclaredBatches, problems: list[Problem], out: TextIO, err: TextIO
) -> int:
    """Move the failing files of variant batches that never ran to exclusions; 1 if any had to
    stay (annotation batches' files always stay: fix them)."""
    variant = {(batch.name, source) for batch in config.imports for source in batch.sources}
    annotation = [p for p in problems if (p.batch, p.source) not in variant]
    for problem in annotation:
        print(
            f"kept: {problem.source} of annotation batch {problem.batch} (verify --exclude moves "
            "the files of variant batches only); fix the file or remove it by hand",
            file=out,
        )
    problems = [p for p in problems if (p.batch, p.source) in variant]
    if not problems:
        return FOUND
    _say(err, "verify", f"reading the import jobs of variant store {config.store_name} ...")
    endpoint = stack.setting(f"{CONFIG_NAMESPACE}:omicsEndpoint")
    client = omics_client(stack.setting("aws:region"), stack.setting("aws:profile"), endpoint)
    history = store_history(client, config.store_name, missing_ok=True)
    ran = {batch.name for batch in config.imports if history.listed.intersection(batch.sources)}
    outcome = exclude_failures(stack, config, problems, ran)
    for problem in outcome.kept:
        print(
            f"kept: {problem.batch} ran already, so {problem.source} stays in it (a changed "
            "batch would import again); fix the file or accept its failure",
            file=out,
        )
    if outcome.moved:
        print(
            f"moved {len(outcome.moved)} file(s) to {CONFIG_NAMESPACE}:exclusions in "
            f"{stack.location.path.name}; plan will not add them again",
            file=out,
            flush=True,
        )
    return FOUND if outcome.kept or annotation else 0


def format_size(size: int) -> str:
    """size in bytes as a short binary-unit figure: 0 B, 512 B, 1.5 KiB, 20.0 GiB."""
    value = float(size)
    for unit in UNITS:
        if value < 1024 or unit == UNITS[-1]:
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    raise AssertionError("unreachable")


if __name__ == "__main__":
    sys.exit(main())
