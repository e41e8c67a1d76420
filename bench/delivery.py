"""Delivery commands on a moto S3 server: plan versus the bare listing, and verify's bytes read."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.report import median
from bench.services import REFERENCE_ARN, REPO_ROOT
from omics_stack.config import ImportBatch
from omics_stack.delivery import PlanRequest, plan
from omics_stack.s3 import S3Location, s3_client
from omics_stack.stack_file import locate
from omics_stack.verification import HEAD_BYTES, verify_batches

BUCKET = "bench-deliveries"
PLAN_OBJECTS = 20_000
VERIFY_FILES = 1_000
VERIFY_FILE_BYTES = 16 * 1024
RUNS = 3
STACK_TEXT = f"""\
# The bench's stack: one hand-written batch, as a real stack would have.
config:
  aws:region: us-east-1
  omics-variant-import:storeName: bench_store
  omics-variant-import:referenceArn: {REFERENCE_ARN}
  omics-variant-import:imports:
    - name: earlier
      sources:
        - s3://{BUCKET}/earlier/one.vcf.gz
"""


@dataclass(frozen=True)
class PlanTiming:
    """Median seconds of the bare listing and of plan over the same prefix, and the batches."""

    listing_seconds: float
    plan_seconds: float
    objects: int
    batches: int

    @property
    def ratio(self) -> float:
        """plan / bare listing."""
        return self.plan_seconds / self.listing_seconds


@dataclass(frozen=True)
class VerifyBytes:
    """What verify of many files received: GETs, bytes on the wire, problems, seconds."""

    files: int
    requests: int
    bytes_received: int
    problems: int
    seconds: float

    @property
    def ratio(self) -> float:
        """Bytes received / (files x one ranged request's bytes)."""
        return self.bytes_received / (self.files * HEAD_BYTES)


@contextmanager
def moto_server() -> Iterator[str]:
    """A moto server (python -m moto.server) on a free loopback port; its URL. Stopped after."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = int(probe.getsockname()[1])
    server = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("the moto server did not start") from None
                time.sleep(0.1)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.terminate()
        server.wait(timeout=30)


@contextmanager
def moto_s3() -> Iterator[Any]:
    """An S3 client on a fresh moto server (reached through AWS_ENDPOINT_URL_S3 by plan too)."""
    saved = {k: os.environ.get(k) for k in ("AWS_ENDPOINT_URL_S3", "AWS_ACCESS_KEY_ID")}
    with moto_server() as url:
        os.environ["AWS_ENDPOINT_URL_S3"] = url
        os.environ.setdefault("AWS_ACCESS_KEY_ID", "bench")
        os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "bench")
        try:
            client = s3_client("us-east-1", connections=32)
            client.create_bucket(Bucket=BUCKET)
            yield client
        finally:
            for key, value in saved.items():
                if value is None:
                    os.environ.pop(key, None)
                else:
                    os.environ[key] = value


def upload(client: Any, keys: list[str], body: bytes) -> None:
    """Put body under each key of BUCKET, 32 at a time."""
    with ThreadPoolExecutor(32) as pool:
        list(pool.map(lambda key: client.put_object(Bucket=BUCKET, Key=key, Body=body), keys))


def bare_listing(client: Any, prefix: str) -> int:
    """The floor: ListObjectsV2 pages over prefix, keys and sizes kept, nothing else."""
    kept = [
        (entry["Key"], entry["Size"])
        for page in client.get_paginator("list_objects_v2").paginate(Bucket=BUCKET, Prefix=prefix)
        for entry in page.get("Contents", ())
    ]
    return len(kept)


def plan_once(prefix: str) -> int:
    """plan (its own client, as the command builds it) into a fresh project; batches added."""
    project = Path(tempfile.mkdtemp(prefix="bench-plan-"))
    try:
        shutil.copy(REPO_ROOT / "Pulumi.yaml", project / "Pulumi.yaml")
        (project / "stacks").mkdir()
        (project / "stacks" / "Pulumi.bench.yaml").write_text(STACK_TEXT)
        request = PlanRequest(locate("bench", None, project), [S3Location(BUCKET, prefix)])
        return len(plan(request, lambda line: None).batches)
    finally:
        shutil.rmtree(project)


def measure_plan(client: Any, objects: int = PLAN_OBJECTS, runs: int = RUNS) -> PlanTiming:
    """Median of runs interleaved pairs: the bare listing, then plan, of one prefix."""
    prefix = "cohort/"
    upload(client, [f"{prefix}sample-{i:05d}.vcf.gz" for i in range(objects)], b"\x1f\x8b")
    listing, planning, batches = [], [], 0
    for _ in range(runs):
        started = time.perf_counter()
        assert bare_listing(client, prefix) == objects
        listing.append(time.perf_counter() - started)
        started = time.perf_counter()
        batches = plan_once(prefix)
        planning.append(time.perf_counter() - started)
    return PlanTiming(median(listing), median(planning), objects, batches)


def measure_verify(client: Any, files: int = VERIFY_FILES) -> VerifyBytes:
    """verify of files VCF objects of VERIFY_FILE_BYTES each, bytes counted on the wire."""
    body = (b"##fileformat=VCFv4.2\n" + b"1\t100\t.\tA\tG\t.\t.\t.\n" * 1000)[:VERIFY_FILE_BYTES]
    keys = [f"verify/sample-{i:04d}.vcf" for i in range(files)]
    upload(client, keys, body)
    received: list[int] = []

    def count(http_response: Any, **_: Any) -> None:
        received.append(int(http_response.headers.get("content-length", 0)))

    client.meta.events.register("after-call.s3.GetObject", count)
    batch = ImportBatch("verify", tuple(f"s3://{BUCKET}/{key}" for key in keys))
    started = time.perf_counter()
    result = verify_batches(client, [batch])
    seconds = time.perf_counter() - started
    client.meta.events.unregister("after-call.s3.GetObject", count)
    return VerifyBytes(files, len(received), sum(received), len(result.problems), seconds)
