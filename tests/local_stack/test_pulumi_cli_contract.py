"""The stand-in `pulumi` refuses what the Pulumi CLI refuses, so `make up` cannot pass by luck."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

from tests.local_stack.harness import CONTRACT, ROOT, local_stack
from tests.local_stack.pulumi_cli_contract import salt_state, unlocks

PASSPHRASE = local_stack.LOCAL_PASSPHRASE
INIT = ["stack", "init", "local", "--secrets-provider", "passphrase", "--no-select"]
UP = ["up", "--stack", "local", "--yes"]


@dataclass
class Project:
    """A copy of the project's Pulumi files in a temporary folder, with an empty file backend."""

    root: Path
    contract_dir: Path
    cache: Path

    @property
    def stack_file(self) -> Path:
        """The stack config file the CLI detects for `local`."""
        return self.root / "stacks" / "Pulumi.local.yaml"

    def environ(self, **env: str | None) -> dict[str, str]:
        """The stand-in's environment: the project's file backend and passphrase (an env value
        of None removes that variable)."""
        environ: dict[str, str | None] = {
            "PATH": f"{self.root / 'bin'}:/usr/bin:/bin",  # bin: a stand-in uv
            "HOME": str(self.root / "home"),
            "PULUMI_BACKEND_URL": (self.root / "state").as_uri(),
            "PULUMI_CONFIG_PASSPHRASE": PASSPHRASE,
            "PULUMI_CONTRACT_DIR": str(self.contract_dir),
            "PULUMI_CONTRACT_CACHE": str(self.cache),
            **env,
        }
        return {key: value for key, value in environ.items() if value is not None}

    def use_runtime_options(self, **options: str) -> None:
        """Replace the runtime options of the copied Pulumi.yaml."""
        pulumi_yaml = self.root / "Pulumi.yaml"
        content = yaml.safe_load(pulumi_yaml.read_text())
        content["runtime"]["options"] = options
        pulumi_yaml.write_text(yaml.safe_dump(content))

    def run(self, *argv: str, **env: str | None) -> subprocess.CompletedProcess[str]:
        """Run the stand-in in the project without a terminal."""
        return subprocess.run(
            [sys.executable, str(CONTRACT), *argv],
            cwd=self.root,
            env=self.environ(**env),
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            check=False,
        )

    def ok(self, *argv: str, **env: str | None) -> str:
        """Run the stand-in, requiring success; its standard output."""
        result = self.run(*argv, **env)
        assert result.returncode == 0, result.stderr
        return result.stdout


@pytest.fixture
def project(tmp_path: Path, contract_cache: Path) -> Project:
    """The project's Pulumi.yaml and stacks/ in tmp_path, a fake .venv, a stand-in uv on PATH
    (Pulumi.yaml says `toolchain: uv`), an empty backend."""
    root = tmp_path / "project"
    (root / "stacks").mkdir(parents=True)
    shutil.copy(ROOT / "Pulumi.yaml", root)
    shutil.copy(local_stack.TRACKED_CONFIG, root / "stacks")
    (root / ".venv" / "bin").mkdir(parents=True)
    (root / ".venv" / "bin" / "python").touch()
    (root / "bin").mkdir()
    (root / "bin" / "uv").touch(mode=0o755)
    (root / "state").mkdir()
    (tmp_path / "contract").mkdir()
    return Project(root, tmp_path / "contract", contract_cache)


def refused(result: subprocess.CompletedProcess[str]) -> str:
    """The error line of a refused command (it must have failed)."""
    assert result.returncode == 255, result.stdout
    assert result.stderr.startswith("error: "), result.stderr
    return result.stderr.strip()


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["stack", "ls", "--jsn"], "unknown flag: --jsn"),
        (["stack", "ls", "--output", "json"], "unknown flag: --output"),  # not in v3.216
        (["stack", "init", "local", "--yes"], "unknown flag: --yes"),  # not in v3.216
        (["up", "--stack", "local", "--config-file"], "flag needs an argument: --config-file"),
        (["stack", "select", "local", "-x"], "unknown shorthand flag: 'x'"),
        (["stack", "export"], "`pulumi stack export` is outside the contract"),
    ],
)
def test_parse_refuses_flags_pulumi_lacks(project: Project, argv: list[str], message: str) -> None:
    assert message in refused(project.run(*argv))


@pytest.mark.parametrize(
    "argv",
    [
        ["stack", "select", "local"],
        ["stack", "rm", "local", "--yes"],
        ["stack", "output", "--stack", "local"],
        ["destroy", "--stack", "local", "--yes"],
        UP,
        ["config", "set", "--stack", "local", "a:b", "c"],
    ],
    ids=lambda argv: " ".join(argv[:2]),
)
def test_command_without_stack_fails(project: Project, argv: list[str]) -> None:
    assert refused(project.run(*argv)) == "error: no stack named 'local' found"


def test_stack_select_create_makes_the_stack(project: Project) -> None:
    project.ok("stack", "select", "local", "--create", "--secrets-provider", "passphrase")

    assert json.loads(project.ok("stack", "ls", "--json")) == [
        {"name": "local", "current": True, "resourceCount": 0}
    ]


def test_stack_ls_json_is_an_empty_list_without_stacks(project: Project) -> None:
    assert json.loads(project.ok("stack", "ls", "--json")) == []


def test_file_backend_directory_must_exist(project: Project) -> None:
    (project.root / "state").rmdir()

    assert "unable to open bucket file://" in refused(project.run("stack", "ls", "--json"))


def test_stack_init_twice_fails(project: Project) -> None:
    project.ok(*INIT)

    assert refused(project.run(*INIT)) == "error: stack 'local' already exists"


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (UP[:-1], "--yes or --skip-preview must be passed in"),
        (["destroy", "--stack", "local"], "--yes or --skip-preview must be passed in"),
        (["stack", "rm", "local"], "non-interactive mode requires --yes flag"),
    ],
)
def test_command_without_terminal_needs_yes(
    project: Project, argv: list[str], message: str
) -> None:
    project.ok(*INIT)

    assert message in refused(project.run(*argv))


def test_stack_rm_with_resources_needs_force(project: Project) -> None:
    project.ok(*INIT)
    project.ok(*UP)

    assert "still has resources; removal rejected" in refused(
        project.run("stack", "rm", "local", "--yes")
    )
    project.ok("stack", "rm", "local", "--yes", "--force", "--preserve-config")


def test_stack_rm_without_preserve_config_deletes_the_stack_file(project: Project) -> None:
    project.ok(*INIT)

    project.ok("stack", "rm", "local", "--yes")

    assert not project.stack_file.exists()


def test_wrong_passphrase_is_refused(project: Project) -> None:
    assert refused(project.run(*INIT, PULUMI_CONFIG_PASSPHRASE="mine")) == (
        "error: incorrect passphrase"
    )


def test_passphrase_file_is_read_when_no_passphrase_variable(project: Project) -> None:
    secret = project.root / "passphrase"
    secret.write_text(PASSPHRASE + "\n")

    project.ok(*INIT, PULUMI_CONFIG_PASSPHRASE=None, PULUMI_CONFIG_PASSPHRASE_FILE=str(secret))


def test_passphrase_variable_wins_over_passphrase_file(project: Project) -> None:
    secret = project.root / "passphrase"
    secret.write_text(PASSPHRASE + "\n")

    result = project.run(
        *INIT, PULUMI_CONFIG_PASSPHRASE="mine", PULUMI_CONFIG_PASSPHRASE_FILE=str(secret)
    )

    assert refused(result) == "error: incorrect passphrase"


def test_passphrase_is_required_without_terminal(project: Project) -> None:
    assert "passphrase must be set with PULUMI_CONFIG_PASSPHRASE" in refused(
        project.run(*INIT, PULUMI_CONFIG_PASSPHRASE=None)
    )


def test_stack_named_twice_fails(project: Project) -> None:
    assert refused(project.run("stack", "rm", "local", "--stack", "other", "--yes")) == (
        "error: only one of --stack or argument stack name may be specified, not both"
    )


def test_command_on_a_terminal_that_would_prompt_fails(project: Project) -> None:
    project.ok(*INIT)
    leader, follower = os.openpty()
    try:
        result = subprocess.run(
            [sys.executable, str(CONTRACT), *UP[:-1]],
            cwd=project.root,
            env=project.environ(TERM="xterm"),
            stdin=follower,
            stdout=follower,
            stderr=subprocess.PIPE,
            text=True,
            check=False,
        )
    finally:
        os.close(follower)
        os.close(leader)

    assert result.stderr.strip() == "error: contract: the CLI would ask for a confirmation"


def test_stack_init_without_salt_rewrites_the_stack_file(project: Project) -> None:
    content = yaml.safe_load(project.stack_file.read_text())
    del content["encryptionsalt"]
    project.stack_file.write_text("# a comment the CLI drops\n" + yaml.safe_dump(content))

    project.ok(*INIT)

    text = project.stack_file.read_text()
    assert "# a comment" not in text
    assert unlocks(PASSPHRASE, yaml.safe_load(text)["encryptionsalt"])


def test_config_set_writes_the_detected_file_unless_config_file_given(project: Project) -> None:
    project.ok(*INIT)
    given = project.root / "given.yaml"
    given.write_text("config: {}\n")
    before = project.stack_file.read_text()

    project.ok("config", "set", "--stack", "local", "--config-file", str(given), "a:b", "1")
    assert yaml.safe_load(given.read_text())["config"] == {"a:b": "1"}
    assert project.stack_file.read_text() == before

    url = "http://127.0.0.1:9"
    project.ok("config", "set", "--stack", "local", "--path", "aws:endpoints[0].s3", url)
    assert yaml.safe_load(project.stack_file.read_text())["config"]["aws:endpoints"][0]["s3"] == url
    assert "# " not in project.stack_file.read_text(), "the CLI re-serialises the file"


def test_up_reads_config_file_and_needs_it_to_exist(project: Project) -> None:
    project.ok(*INIT)
    missing = str(project.root / "missing.yaml")

    assert "does not exist" in refused(project.run(*UP, "--config-file", missing))


def test_up_needs_the_projects_virtualenv(project: Project) -> None:
    project.use_runtime_options(toolchain="pip", virtualenv=".venv")
    project.ok(*INIT)
    shutil.rmtree(project.root / ".venv")

    assert "'virtualenv' option" in refused(project.run(*UP))


def test_up_with_uv_toolchain_needs_uv_on_path(project: Project) -> None:
    project.use_runtime_options(toolchain="uv")
    project.ok(*INIT)

    assert "Could not find `uv` executable" in refused(project.run(*UP, PATH="/nonexistent"))


def test_fail_on_names_the_command_that_fails(project: Project) -> None:
    project.ok(*INIT)

    assert "up failed half-way" in refused(project.run(*UP, PULUMI_CONTRACT_FAIL="up"))


def test_every_invocation_is_recorded(project: Project) -> None:
    project.run("stack", "ls", "--json")
    project.run("stack", "select", "local")

    lines = (project.contract_dir / "invocations.jsonl").read_text().splitlines()
    calls = [json.loads(line) for line in lines]
    assert [(c["argv"], c["exit"]) for c in calls] == [
        (["stack", "ls", "--json"], 0),
        (["stack", "select", "local"], 255),
    ]


def test_salt_state_unlocks_only_with_its_passphrase() -> None:
    state = salt_state("right")

    assert unlocks("right", state)
    assert not unlocks("wrong", state)


def test_tracked_local_stack_salt_is_the_local_passphrases() -> None:
    salt = yaml.safe_load(local_stack.TRACKED_CONFIG.read_text())["encryptionsalt"]

    assert unlocks(local_stack.LOCAL_PASSPHRASE, salt)
