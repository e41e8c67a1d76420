"""The ``omics-emulator`` command: serve the emulator until SIGINT or SIGTERM."""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from collections.abc import Callable, Sequence
from types import FrameType

from omics_emulator.server import start_emulator
from omics_emulator.settings import EmulatorSettings


def _non_negative(kind: type[float] | type[int]) -> Callable[[str], float]:
    def parse(text: str) -> float:
        value = kind(text)
        if value < 0:
            raise argparse.ArgumentTypeError(f"must not be negative, got {text}")
        return value

    parse.__name__ = kind.__name__
    return parse


def _rate(text: str) -> float:
    value = float(text)
    if not 0.0 <= value <= 1.0:
        raise argparse.ArgumentTypeError(f"must be between 0 and 1, got {text}")
    return value


def _port(text: str) -> int:
    value = int(text)
    if not 0 <= value <= 65535:
        raise argparse.ArgumentTypeError(f"must be between 0 and 65535, got {text}")
    return value


def build_parser() -> argparse.ArgumentParser:
    """The command's argument parser."""
    defaults = EmulatorSettings()
    parser = argparse.ArgumentParser(
        prog="omics-emulator",
        description="Local emulator of the AWS HealthOmics variant-store API (omics, rest-json).",
    )
    add = parser.add_argument
    add("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    add("--port", type=_port, default=0, help="port to bind; 0 picks a free one (default 0)")
    add("--store-seconds", type=_non_negative(float), default=defaults.store_seconds,
        help="seconds a store stays CREATING / DELETING")  # fmt: skip
    add("--job-seconds", type=_non_negative(float), default=defaults.job_seconds,
        help="seconds an import job takes to finish")  # fmt: skip
    add("--s3-endpoint", default=None, help="S3-compatible endpoint to read and check sources from")
    add("--throttle-rate", type=_rate, default=0.0, help="fraction of requests throttled (429)")
    add("--error-rate", type=_rate, default=0.0, help="fraction of requests failing with 500")
    add("--max-concurrent-jobs", type=_non_negative(int), default=defaults.max_concurrent_jobs,
        help="import jobs running at once before ServiceQuotaExceededException")  # fmt: skip
    add("--fail-sources", action="append", default=[], metavar="GLOB",
        help="sources matching this glob fail when imported (repeatable)")  # fmt: skip
    add("--role-unassumable-seconds", type=_non_negative(float), default=0.0,
        help="seconds a newly seen role ARN is refused by StartVariantImportJob")  # fmt: skip
    add("--iam-endpoint", default=None,
        help="IAM endpoint (e.g. moto) whose role policies decide what a job may read")  # fmt: skip
    add("--iam-propagation-seconds", type=_non_negative(float), default=0.0,
        help="seconds before a role policy change is visible to import jobs")  # fmt: skip
    add("--seed", type=int, default=None, help="seed for fault injection and ids")
    return parser


def settings_from(args: argparse.Namespace) -> EmulatorSettings:
    """Emulator settings from parsed arguments."""
    return EmulatorSettings(
        store_seconds=args.store_seconds,
        job_seconds=args.job_seconds,
        max_concurrent_jobs=args.max_concurrent_jobs,
        throttle_rate=args.throttle_rate,
        error_rate=args.error_rate,
        fail_sources=tuple(args.fail_sources),
        role_unassumable_seconds=args.role_unassumable_seconds,
        s3_endpoint=args.s3_endpoint,
        iam_endpoint=args.iam_endpoint,
        iam_propagation_seconds=args.iam_propagation_seconds,
        seed=args.seed,
    )


def main(argv: Sequence[str] | None = None) -> int:
    """Print the ready line, serve until SIGINT or SIGTERM, then return 0."""
    args = build_parser().parse_args(argv)
    done = threading.Event()

    def on_signal(signum: int, frame: FrameType | None) -> None:
        done.set()

    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)
    try:
        handle = start_emulator(settings_from(args), host=args.host, port=args.port)
    except OSError as err:
        print(f"omics-emulator: cannot listen on {args.host}:{args.port}: {err}", file=sys.stderr)
        return 1
    print(f"omics-emulator listening on {handle.url}", flush=True)
    try:
        while not done.wait(0.5):
            pass
    finally:
        handle.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
