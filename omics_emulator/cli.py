"""The ``omics-emulator`` command: serve the emulator until SIGINT or SIGTERM."""

from __future__ import annotations

import argparse
import math
import signal
import sys
import threading
from collections.abc import Callable, Sequence
from dataclasses import fields
from types import FrameType

from omics_emulator.server import start_emulator
from omics_emulator.settings import EmulatorSettings


def _non_negative(kind: type[float] | type[int]) -> Callable[[str], float]:
    def parse(text: str) -> float:
        value = kind(text)
        if not (math.isfinite(value) and value >= 0):
            raise argparse.ArgumentTypeError(f"must be a finite number >= 0, got {text}")
        return value

    parse.__name__ = kind.__name__
    return parse


def _positive_seconds(text: str) -> float:
    value = float(text)
    if not (math.isfinite(value) and value > 0):
        raise argparse.ArgumentTypeError(f"must be a finite number of seconds > 0, got {text}")
    return value


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


EPILOG = """\
exploring by hand (slow enough to watch a job and a cancel):
  omics-emulator --port 8080 --job-seconds 30 --cancel-seconds 5 --store-seconds 2

any AWS client (boto3, the AWS CLI) reaches it with:
  export AWS_ENDPOINT_URL_OMICS=http://127.0.0.1:8080
  export AWS_DISABLE_HOST_PREFIX_INJECTION=true
  export AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing AWS_DEFAULT_REGION=us-east-1
(the AWS SDK for JavaScript v3 takes disableHostPrefix: true in the client's constructor)
"""


def build_parser() -> argparse.ArgumentParser:
    """The command's argument parser; every option's help states its default."""
    defaults = EmulatorSettings()
    parser = argparse.ArgumentParser(
        prog="omics-emulator",
        description="Local emulator of the AWS HealthOmics variant- and annotation-store API "
        "(omics, rest-json).",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add = parser.add_argument
    seconds = _non_negative(float)
    add("--host", default="127.0.0.1", help="address to bind (default: %(default)s)")
    add("--port", type=_port, default=0, help="port to bind; 0 picks a free one (default: 0)")
    add("--store-seconds", type=seconds, default=defaults.store_seconds, metavar="S",
        help="seconds a store stays CREATING / DELETING (default: %(default)s)")  # fmt: skip
    add("--job-seconds", type=seconds, default=defaults.job_seconds, metavar="S",
        help="seconds an import job takes to finish; IN_PROGRESS after a quarter "
             "(default: %(default)s)")  # fmt: skip
    add("--cancel-seconds", type=seconds, default=defaults.cancel_seconds, metavar="S",
        help="seconds a cancelled job keeps running before it turns CANCELLED "
             "(default: %(default)s)")  # fmt: skip
    add("--max-concurrent-jobs", type=_non_negative(int), metavar="N",
        default=defaults.max_concurrent_jobs,
        help="import jobs running at once before ServiceQuotaExceededException "
             "(default: %(default)s)")  # fmt: skip
    add("--max-files-per-job", type=_non_negative(int), metavar="N",
        default=defaults.max_files_per_job,
        help="items one import job may carry before ServiceQuotaExceededException "
             "(default: %(default)s)")  # fmt: skip
    add("--max-annotation-stores", type=_non_negative(int), metavar="N",
        default=defaults.max_annotation_stores,
        help="annotation stores held before ServiceQuotaExceededException "
             "(default: %(default)s)")  # fmt: skip
    add("--s3-endpoint", default=defaults.s3_endpoint, metavar="URL",
        help="S3-compatible endpoint to read and check sources from "
             "(default: none, well-formed sources are accepted as given)")  # fmt: skip
    add("--throttle-rate", type=_rate, default=defaults.throttle_rate, metavar="F",
        help="fraction of requests throttled (429) (default: %(default)s)")  # fmt: skip
    add("--error-rate", type=_rate, default=defaults.error_rate, metavar="F",
        help="fraction of requests failing with 500 (default: %(default)s)")  # fmt: skip
    add("--fail-sources", action="append", default=list(defaults.fail_sources), metavar="GLOB",
        help="sources matching this glob fail when imported; repeatable "
             "(default: none fail)")  # fmt: skip
    add("--role-unassumable-seconds", type=seconds, metavar="S",
        default=defaults.role_unassumable_seconds,
        help="seconds a newly seen role ARN is refused by StartVariantImportJob "
             "(default: %(default)s)")  # fmt: skip
    add("--iam-endpoint", default=defaults.iam_endpoint, metavar="URL",
        help="IAM endpoint (e.g. moto) whose role policies decide what a job may read "
             "(default: none, every role reads everything)")  # fmt: skip
    add("--iam-propagation-seconds", type=seconds, metavar="S",
        default=defaults.iam_propagation_seconds,
        help="seconds before a role policy change is visible to import jobs "
             "(default: %(default)s)")  # fmt: skip
    add("--idle-timeout-seconds", type=_positive_seconds, metavar="S",
        default=defaults.idle_timeout_seconds,
        help="a connection that sends nothing for this long is closed "
             "(default: %(default)s)")  # fmt: skip
    add("--whole-second-times", action="store_true", default=defaults.whole_second_times,
        help="cut job creation times to whole seconds, so racing starts tie "
             "(default: exact times)")  # fmt: skip
    add("--list-delay-seconds", type=seconds, metavar="S", default=defaults.list_delay_seconds,
        help="seconds a new import job is missing from ListVariantImportJobs answers "
             "(eventual consistency) (default: %(default)s)")  # fmt: skip
    add(
        "--seed",
        type=int,
        default=defaults.seed,
        metavar="N",
        help="seed for fault injection and ids (default: none, random each run)",
    )
    return parser


def settings_from(args: argparse.Namespace) -> EmulatorSettings:
    """Emulator settings from parsed arguments: every setting has its flag of the same name."""
    values = {field.name: getattr(args, field.name) for field in fields(EmulatorSettings)}
    return EmulatorSettings(**{**values, "fail_sources": tuple(args.fail_sources)})


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
