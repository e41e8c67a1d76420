"""`make release-check`: build the wheel and sdist, check them, and use them as a team would.

1. `uv build`; every module of the three packages, each `py.typed`, the license, the entry
   points and the documents the package index names are in the distributions; `twine check`.
2. A fresh virtualenv gets the wheel (and pytest), nothing of this tree.
3. examples/own-infra-repo is copied outside this tree; its tests run there, from the wheel.
4. Its stack meets moto (S3) and the wheel's own `omics-emulator`: `plan --store` adds the one
   new delivery (not the file imported outside the stack), `verify` passes every declared file.

Exit 0 when all holds; otherwise one line names what failed.
"""

from __future__ import annotations

import gzip
import os
import shutil
import socket
import subprocess
import sys
import tarfile
import tempfile
import time
import zipfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import boto3
from botocore.config import Config

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from bench.delivery import moto_server  # noqa: E402

PACKAGES = ("omics_provider", "omics_emulator", "omics_stack")
EXAMPLE = ROOT / "examples" / "own-infra-repo"
BUCKET = "my-genomics-bucket"
STORE = "cohort_variants"
REFERENCE = "arn:aws:omics:us-east-1:123456789012:referenceStore/1234567890/reference/1234567890"
ROLE = "arn:aws:iam::123456789012:role/imported-outside-the-stack"
VCF = (
    b"##fileformat=VCFv4.2\n#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\n"
    b"1\t100\t.\tA\tG\t.\t.\t.\n"
)
SDIST_DOCUMENTS = ("LICENSE", "CHANGELOG.md", "README.md", "docs/versioning.md")


class CheckFailed(Exception):
    """One check of the release failed; the message says which and why."""


def main() -> int:
    """Run every check; print what was done and how long it took."""
    uv = os.environ.get("UV", "uv")
    started = time.monotonic()
    work = Path(tempfile.mkdtemp(prefix="release-check-"))
    try:
        dist = build(uv, work / "dist")
        check_wheel(next(dist.glob("*.whl")))
        check_sdist(next(dist.glob("*.tar.gz")))
        files = [*dist.glob("*.whl"), *dist.glob("*.tar.gz")]
        run([str(ROOT / ".venv" / "bin" / "twine"), "check", "--strict", *map(str, files)])
        env_python = fresh_environment(uv, work / "env", next(dist.glob("*.whl")))
        infra = Path(shutil.copytree(EXAMPLE, work / "infra"))
        run([str(env_python.parent / "pytest"), "-q", "-p", "no:cacheprovider"], cwd=infra)
        plan_and_verify(env_python.parent, infra)
    except CheckFailed as failure:
        print(f"release-check: FAILED: {failure}", file=sys.stderr)
        return 1
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print(f"release-check: passed in {time.monotonic() - started:.0f} s")
    return 0


def run(
    command: Sequence[str], cwd: Path = ROOT, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """Run command; CheckFailed with its output when it fails."""
    print("release-check: $", " ".join(command), flush=True)
    done = subprocess.run(
        command, cwd=cwd, env=env, capture_output=True, text=True, timeout=900, check=False
    )
    if done.returncode != 0:
        raise CheckFailed(
            f"{' '.join(command)} exited {done.returncode}:\n{done.stdout}{done.stderr}"
        )
    return done


def build(uv: str, dist: Path) -> Path:
    """The wheel and sdist of this tree in dist."""
    run([uv, "build", "--quiet", "--out-dir", str(dist), str(ROOT)])
    return dist


def source_modules() -> set[str]:
    """Every module file of the three packages, as a path inside a distribution."""
    return {
        path.relative_to(ROOT).as_posix()
        for package in PACKAGES
        for path in (ROOT / package).rglob("*.py")
        if "__pycache__" not in path.parts
    }


def check_wheel(wheel: Path) -> None:
    """Every module, each py.typed, the license and the entry points are in the wheel."""
    names = set(zipfile.ZipFile(wheel).namelist())
    expected = source_modules() | {f"{package}/py.typed" for package in PACKAGES}
    _require(expected - names, f"{wheel.name} lacks")
    info = next(name.split("/")[0] for name in names if name.endswith(".dist-info/METADATA"))
    _require(
        {f"{info}/licenses/LICENSE", f"{info}/entry_points.txt"} - names, f"{wheel.name} lacks"
    )
    archive = zipfile.ZipFile(wheel)
    metadata = archive.read(f"{info}/METADATA").decode()
    entry_points = archive.read(f"{info}/entry_points.txt").decode()
    wanted = {
        "License-Expression: Apache-2.0": metadata,
        "omics_variant_import = omics_provider.testing.pytest_plugin": entry_points,
        "omics-variant-import = omics_stack.cli:main": entry_points,
    }
    _require({text for text, where in wanted.items() if text not in where}, f"{wheel.name} lacks")


def check_sdist(sdist: Path) -> None:
    """Every module, each py.typed, the documents and the example are in the sdist."""
    with tarfile.open(sdist) as archive:
        names = {name.split("/", 1)[1] for name in archive.getnames() if "/" in name}
    expected = source_modules() | {f"{package}/py.typed" for package in PACKAGES}
    expected |= set(SDIST_DOCUMENTS) | {
        path.relative_to(ROOT).as_posix() for path in EXAMPLE.rglob("*") if path.is_file()
    }
    _require(expected - names, f"{sdist.name} lacks")


def _require(missing: set[str], what: str) -> None:
    if missing:
        raise CheckFailed(f"{what} {', '.join(sorted(missing))}")


def fresh_environment(uv: str, folder: Path, wheel: Path) -> Path:
    """A new virtualenv holding the wheel, its dependencies and pytest; its python."""
    run([uv, "venv", "--quiet", "--python", sys.executable, str(folder)])
    python = folder / "bin" / "python"
    group = f"{EXAMPLE / 'pyproject.toml'}:dev"
    run([uv, "pip", "install", "--quiet", "--python", str(python), str(wheel), "--group", group])
    return python


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def emulator(bin_dir: Path) -> Iterator[str]:
    """The wheel's own omics-emulator on a free loopback port; its URL. Stopped after."""
    port = free_port()
    server = subprocess.Popen(
        [str(bin_dir / "omics-emulator"), "--port", str(port)], stdout=subprocess.PIPE, text=True
    )
    try:
        assert server.stdout is not None
        if "listening on" not in server.stdout.readline():
            raise CheckFailed("omics-emulator did not start")
        yield f"http://127.0.0.1:{port}"
    finally:
        server.terminate()
        server.wait(timeout=30)


def plan_and_verify(bin_dir: Path, infra: Path) -> None:
    """plan --store and verify on the example's dev stack, against moto and the emulator."""
    with moto_server() as s3_url, emulator(bin_dir) as omics_url:
        env = {
            **os.environ,
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",
            "AWS_DEFAULT_REGION": "us-east-1",
            "AWS_ENDPOINT_URL_S3": s3_url,
            "AWS_ENDPOINT_URL_OMICS": omics_url,
            "AWS_DISABLE_HOST_PREFIX_INJECTION": "true",
        }
        env.pop("AWS_PROFILE", None)
        deliver(s3_url, omics_url)
        command = str(bin_dir / "omics-variant-import")
        prefix = f"s3://{BUCKET}/vcf/"
        planned = run([command, "plan", "--stack", "dev", "--store", STORE, prefix], infra, env)
        if "1 new file(s) in 1 batch(es)" not in planned.stdout:
            raise CheckFailed(f"plan did not add exactly the new delivery:\n{planned.stdout}")
        if f"1 already imported into store {STORE}" not in planned.stdout:
            raise CheckFailed(f"plan did not leave out the imported file:\n{planned.stdout}")
        verified = run([command, "verify", "--stack", "dev"], infra, env)
        if "verified 3 file(s) in 2 batch(es): no problem" not in verified.stdout:
            raise CheckFailed(f"verify did not pass the 3 declared files:\n{verified.stdout}")


def deliver(s3_url: str, omics_url: str) -> None:
    """The example's declared files, a new delivery, one file imported outside the stack."""
    session = boto3.session.Session(
        aws_access_key_id="testing", aws_secret_access_key="testing", region_name="us-east-1"
    )
    s3 = session.client("s3", endpoint_url=s3_url)
    s3.create_bucket(Bucket=BUCKET)
    keys = ["2024-06/patient-0001", "2024-06/patient-0002", "2024-07/patient-0003", "old/p-9"]
    for key in keys:
        s3.put_object(Bucket=BUCKET, Key=f"vcf/{key}.vcf.gz", Body=gzip.compress(VCF))
    omics = session.client("omics", endpoint_url=omics_url, config=Config(inject_host_prefix=False))
    omics.create_variant_store(name=STORE, reference={"referenceArn": REFERENCE})
    deadline = time.monotonic() + 30
    while omics.get_variant_store(name=STORE)["status"] != "ACTIVE":
        if time.monotonic() > deadline:
            raise CheckFailed("the emulator's store never became ACTIVE")
        time.sleep(0.05)
    job = omics.start_variant_import_job(
        destinationName=STORE, roleArn=ROLE, items=[{"source": f"s3://{BUCKET}/vcf/old/p-9.vcf.gz"}]
    )
    while omics.get_variant_import_job(jobId=job["jobId"])["status"] != "COMPLETED":
        if time.monotonic() > deadline:
            raise CheckFailed("the emulator's import job never completed")
        time.sleep(0.05)


if __name__ == "__main__":
    sys.exit(main())
