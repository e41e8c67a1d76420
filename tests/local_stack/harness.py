"""Runs `make up` / `make down` as a user would, with the Pulumi CLI contract first on PATH."""

from __future__ import annotations

import hashlib
import importlib.util
import json
import os
import re
import shutil
import socket
import subprocess
import sys
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
CONTRACT = Path(__file__).with_name("pulumi_cli_contract.py")
SERVICE_LINE = re.compile(r"^(moto|omics-emulator): (http://\S+) \(pid (\d+),", re.MULTILINE)


def load_script() -> ModuleType:
    """scripts/local_stack.py as a module (it is a script, not a package member)."""
    spec = importlib.util.spec_from_file_location(
        "local_stack", ROOT / "scripts" / "local_stack.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


local_stack = load_script()


@dataclass(frozen=True)
class Outcome:
    """What one `make` run did: its exit code and everything it printed."""

    returncode: int
    output: str

    def error_lines(self) -> list[str]:
        """Lines pulumi prints for an error (`error: ...`)."""
        return [line for line in self.output.splitlines() if line.startswith("error:")]

    def services(self) -> dict[str, tuple[str, int]]:
        """The URL and pid of each service `make up` announced."""
        return {name: (url, int(pid)) for name, url, pid in SERVICE_LINE.findall(self.output)}


class LocalStackHarness:
    """A private run directory, HOME and contract log for `make up`/`make down` in the project.

    The stand-in `pulumi` (pulumi_cli_contract.py) is the only `pulumi` on PATH. Whatever a test
    leaves running in the run directory is stopped by close().
    """

    def __init__(self, tmp: Path, cache: Path) -> None:
        self.cache = cache
        self.bin = tmp / "bin"
        self.home = tmp / "home"
        self.contract_dir = tmp / "contract"
        self.paths = local_stack.Paths(tmp / "run")
        for folder in (self.bin, self.home, self.contract_dir):
            folder.mkdir()
        wrapper = self.bin / "pulumi"
        wrapper.write_text(f'#!/bin/sh\nexec "{sys.executable}" "{CONTRACT}" "$@"\n')
        wrapper.chmod(0o755)

    def env(self, **extra: str) -> dict[str, str]:
        """A user's environment: the stand-in first on PATH, then the system's and the uv that
        set the project up (if any); no terminal, nothing else of the test run's."""
        uv = os.environ.get("UV") or shutil.which("uv")
        folders = [str(self.bin), "/usr/local/bin", "/usr/bin", "/bin"]
        return {
            "PATH": os.pathsep.join(folders + ([str(Path(uv).parent)] if uv else [])),
            **({"UV": uv} if uv else {}),
            "HOME": str(self.home),
            "LANG": "C.UTF-8",
            "OMICS_LOCAL_STACK_DIR": str(self.paths.run_dir),
            "PULUMI_CONTRACT_DIR": str(self.contract_dir),
            "PULUMI_CONTRACT_CACHE": str(self.cache),
            **extra,
        }

    def make(self, target: str, **extra: str) -> Outcome:
        """Run `make target` in the project as a user would, without a terminal."""
        process = self.start_make(target, **extra)
        try:
            output, _ = process.communicate(timeout=120)
        finally:
            if process.poll() is None:
                process.kill()
                process.wait()
        return Outcome(process.returncode, output)

    def start_make(self, target: str, **extra: str) -> subprocess.Popen[str]:
        """Start `make target` in a process group of its own, as a terminal would (for Ctrl-C)."""
        return subprocess.Popen(
            ["make", "--no-print-directory", target],
            cwd=ROOT,
            env=self.env(**extra),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            process_group=0,
        )

    def invocations(self) -> list[dict[str, Any]]:
        """Every pulumi invocation so far, oldest first."""
        log = self.contract_dir / "invocations.jsonl"
        lines = log.read_text().splitlines() if log.exists() else []
        return [json.loads(line) for line in lines]

    def commands(self, since: int = 0) -> list[str]:
        """The command words of the pulumi invocations from index since (`stack ls`, `up`...)."""
        return [command_words(call["argv"]) for call in self.invocations()[since:]]

    def stack_exists(self) -> bool:
        """True when the file backend holds the local stack."""
        return any(self.paths.state_dir.glob(".pulumi/stacks/*/local.json"))

    def close(self) -> None:
        """Stop whatever the run directory still records."""
        if self.paths.run_dir.is_dir():
            local_stack.stop_services(self.paths)


def command_words(argv: list[str]) -> str:
    """The leading words of a pulumi command line, up to the first flag or stack name."""
    words = [argv[0]] if argv[0] in ("up", "destroy") else argv[:2]
    return " ".join(words)


def listening(url: str) -> bool:
    """True when something accepts connections at the http://host:port URL."""
    port = int(url.rsplit(":", 1)[1])
    with socket.socket() as sock:
        sock.settimeout(1)
        return sock.connect_ex(("127.0.0.1", port)) == 0


def hold_preferred_ports(stack: ExitStack) -> dict[str, int]:
    """Listen on the ports the tracked stack file prefers (where free), so `make up` must pick
    others; the preferred ports, by service."""
    preferred: dict[str, int] = local_stack.preferred_ports()
    for port in preferred.values():
        sock = stack.enter_context(socket.socket())
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            continue  # taken already: just as good
        sock.listen()
    return preferred


class TrackedFiles:
    """The content of every tracked file, to prove a run changed none (and to undo it if it did)."""

    def __init__(self) -> None:
        names = subprocess.run(
            ["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True
        ).stdout.split(b"\0")
        self.content = {
            name.decode(): (ROOT / name.decode()).read_bytes()
            for name in names
            if name and (ROOT / name.decode()).is_file()
        }

    def changed(self) -> list[str]:
        """The tracked files whose content differs now, or that are gone."""
        return [name for name, data in self.content.items() if not same(ROOT / name, data)]

    def restore(self) -> None:
        """Put every changed tracked file back as it was."""
        for name in self.changed():
            (ROOT / name).write_bytes(self.content[name])


def same(path: Path, data: bytes) -> bool:
    """True when path exists with exactly data."""
    if not path.is_file():
        return False
    return hashlib.sha256(path.read_bytes()).digest() == hashlib.sha256(data).digest()
