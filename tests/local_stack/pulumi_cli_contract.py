"""A stand-in `pulumi` executable: the Pulumi CLI's contract as scripts/local_stack.py uses it."""

# The tests put a two-line `pulumi` wrapper first on PATH that runs this file. It is a contract of
# the CLI, not the engine: `up` and `destroy` touch no service and run no program; they only keep
# a resource list in the file backend. What it does enforce, each as the Pulumi CLI does it
# (pulumi/pulumi, pkg/cmd/pulumi at v3.216.0 and at v3.259.0):
# - flags: only those both versions define for that command, plus the root's persistent flags;
# - the file backend: PULUMI_BACKEND_URL=file://DIR needs DIR to exist (no directory is created);
# - stacks: `stack select` without --create, `stack rm`, `stack output`, `up`, `destroy` and
#   `config set` need an existing stack; `stack init` needs a missing one;
# - no terminal: `up`/`destroy` need --yes (or --skip-preview), `stack rm` needs --yes, and a
#   passphrase must come from PULUMI_CONFIG_PASSPHRASE or _FILE (the first wins); with a terminal,
#   a command that would prompt fails too, since nobody answers a prompt in `make up`;
# - passphrase secrets: an encryptionsalt is v1:<salt>:<AES-256-GCM of "pulumi"> under a key
#   PBKDF2-SHA256(passphrase, salt, 1,000,000 iterations); a wrong passphrase is refused; a stack
#   file without salt gets a new one, and any file the CLI saves is re-serialised (comments gone);
# - where config goes: --config-file when given, else <stackConfigDir>/Pulumi.<stack>.yaml;
#   `stack rm` without --preserve-config deletes the latter;
# - the program's runtime: `toolchain: uv` needs uv on PATH, a `virtualenv` option an existing one.
# Every invocation is appended as one JSON line to $PULUMI_CONTRACT_DIR/invocations.jsonl;
# $PULUMI_CONTRACT_FAIL names a command (`up`, `destroy`) that fails half-way, for failure paths;
# $PULUMI_CONTRACT_HANG names one that blocks until Ctrl-C and then cancels (taking a second);
# $PULUMI_CONTRACT_CACHE, a folder where passphrase checks that passed are remembered (PBKDF2 with
# a million rounds takes a fifth of a second each time).

from __future__ import annotations

import base64
import hashlib
import itertools
import json
import os
import shutil
import socket
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

import yaml
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

VALUE, BOOL = True, False
FlagTable = dict[str, tuple[bool, str]]
"""Long flag name -> (takes a value, one-letter short name or "")."""

GLOBAL_FLAGS: FlagTable = {
    "color": (VALUE, ""), "cwd": (VALUE, "C"), "disable-integrity-checking": (BOOL, ""),
    "emoji": (BOOL, "e"), "fully-qualify-stack-names": (BOOL, "Q"), "logflow": (BOOL, ""),
    "logtostderr": (BOOL, ""), "memprofilerate": (VALUE, ""), "non-interactive": (BOOL, ""),
    "profiling": (VALUE, ""), "tracing": (VALUE, ""), "tracing-header": (VALUE, ""),
    "verbose": (VALUE, "v"),
}  # fmt: skip
"""The root command's persistent flags (pkg/cmd/pulumi/pulumi.go)."""

UPDATE_FLAGS: FlagTable = {
    "config": (VALUE, "c"), "config-file": (VALUE, ""), "config-path": (BOOL, ""),
    "continue-on-error": (BOOL, ""), "copilot": (BOOL, ""), "debug": (BOOL, "d"),
    "diff": (BOOL, ""), "event-log": (VALUE, ""), "exec-agent": (VALUE, ""),
    "exec-kind": (VALUE, ""), "json": (BOOL, "j"), "message": (VALUE, "m"), "neo": (BOOL, ""),
    "parallel": (VALUE, "p"), "refresh": (VALUE, "r"), "client": (VALUE, ""),
    "show-config": (BOOL, ""), "show-full-output": (BOOL, ""),
    "show-replacement-steps": (BOOL, ""), "show-sames": (BOOL, ""), "skip-preview": (BOOL, "f"),
    "stack": (VALUE, "s"), "suppress-outputs": (BOOL, ""), "suppress-permalink": (VALUE, ""),
    "suppress-progress": (BOOL, ""), "target-dependents": (BOOL, ""), "yes": (BOOL, "y"),
}  # fmt: skip
"""The flags `up` and `destroy` share (operations/up.go, operations/destroy.go)."""

COMMAND_FLAGS: dict[tuple[str, ...], FlagTable] = {
    ("stack", "ls"): {
        "all": (BOOL, "a"), "json": (BOOL, "j"), "organization": (VALUE, "o"),
        "project": (VALUE, "p"), "tag": (VALUE, "t"),
    },
    ("stack", "init"): {
        "copy-config-from": (VALUE, ""), "no-select": (BOOL, ""), "remote-config": (BOOL, ""),
        "secrets-provider": (VALUE, ""), "stack": (VALUE, "s"), "teams": (VALUE, ""),
    },
    ("stack", "select"): {
        "create": (BOOL, "c"), "secrets-provider": (VALUE, ""), "stack": (VALUE, "s"),
    },
    ("stack", "rm"): {
        "force": (BOOL, "f"), "preserve-config": (BOOL, ""), "remove-backups": (BOOL, ""),
        "stack": (VALUE, "s"), "yes": (BOOL, "y"),
    },
    ("stack", "output"): {
        "json": (BOOL, "j"), "shell": (BOOL, ""), "show-secrets": (BOOL, ""),
        "stack": (VALUE, "s"),
    },
    ("up",): UPDATE_FLAGS | {
        "attach-debugger": (VALUE, ""), "exclude": (VALUE, ""), "exclude-dependents": (BOOL, ""),
        "expect-no-changes": (BOOL, ""), "plan": (VALUE, ""), "policy-pack": (VALUE, ""),
        "policy-pack-config": (VALUE, ""), "replace": (VALUE, ""), "run-program": (BOOL, ""),
        "secrets-provider": (VALUE, ""), "show-policy-remediations": (BOOL, ""),
        "show-reads": (BOOL, ""), "show-secrets": (BOOL, ""), "target": (VALUE, "t"),
        "target-replace": (VALUE, ""),
    },
    ("destroy",): UPDATE_FLAGS | {
        "exclude-protected": (BOOL, ""), "preview-only": (BOOL, ""), "remove": (BOOL, ""),
        "run-program": (BOOL, ""),
    },
    ("config", "set"): {
        "config-file": (VALUE, ""), "path": (BOOL, ""), "plaintext": (BOOL, ""),
        "secret": (BOOL, ""), "stack": (VALUE, "s"), "type": (VALUE, ""),
    },
}  # fmt: skip
"""Per command, the flags that v3.216.0 and v3.259.0 both define (no alias beyond these names)."""

OPTIONAL_VALUE = {"refresh", "suppress-permalink", "attach-debugger"}
"""Value flags that may stand alone (cobra's NoOptDefVal): then only `--flag=value` sets one."""

ERROR_EXIT = 255
PBKDF2_ITERATIONS = 1_000_000


class CliError(Exception):
    """An error the Pulumi CLI reports (`error: ...` on stderr, exit 255)."""


class ContractError(CliError):
    """A use the contract refuses although a person at a terminal might get by (a prompt)."""


@dataclass
class Invocation:
    """One parsed command line."""

    command: tuple[str, ...]
    flags: dict[str, Any] = field(default_factory=dict)
    args: list[str] = field(default_factory=list)

    def flag(self, name: str) -> Any:
        """The flag's value (True for a bare boolean), None when absent."""
        return self.flags.get(name)


def parse(argv: Sequence[str]) -> Invocation:
    """The command words, flags and arguments of argv, refusing any flag the command lacks."""
    words: list[str] = []
    table = GLOBAL_FLAGS
    invocation = Invocation(())
    tokens = list(argv)
    while tokens:
        token = tokens.pop(0)
        if token == "--":
            invocation.args += tokens
            break
        if token.startswith("-") and token != "-":
            name, value = parse_flag(token, tokens, table)
            invocation.flags[name] = value
        elif invocation.command:
            invocation.args.append(token)
        else:
            words.append(token)
            if tuple(words) in COMMAND_FLAGS:
                invocation.command = tuple(words)
                table = GLOBAL_FLAGS | COMMAND_FLAGS[invocation.command]
            elif not any(known[: len(words)] == tuple(words) for known in COMMAND_FLAGS):
                raise ContractError(f"`pulumi {' '.join(words)}` is outside the contract")
    if not invocation.command:
        raise ContractError(f"no command the contract knows in {list(argv)}")
    return invocation


def parse_flag(token: str, rest: list[str], table: FlagTable) -> tuple[str, Any]:
    """The long name and value of the flag token (taking its value from rest when separate)."""
    body, has_value, inline = token.lstrip("-").partition("=")[0], "=" in token, None
    if has_value:
        inline = token.partition("=")[2]
    if token.startswith("--"):
        name = body
    else:
        shorts = {short: long for long, (_, short) in table.items() if short}
        if body[:1] not in shorts:
            raise CliError(f"unknown shorthand flag: '{body[:1]}' in {token}")
        name = shorts[body[:1]]
        if len(body) > 1 and not has_value:
            if not table[name][0]:
                raise ContractError(f"combined short flags ({token}) are outside the contract")
            has_value, inline = True, body[1:]
    if name not in table:
        raise CliError(f"unknown flag: --{name}")
    takes_value = table[name][0]
    if not takes_value:
        if has_value and inline not in ("true", "false"):
            raise CliError(f'invalid argument "{inline}" for "--{name}" flag')
        return name, inline != "false"
    if has_value:
        return name, inline
    if name in OPTIONAL_VALUE:
        return name, True
    if not rest or rest[0].startswith("-"):
        raise CliError(f"flag needs an argument: --{name}")
    return name, rest.pop(0)


@dataclass
class Context:
    """What a command sees: the parsed invocation, the project, the environment."""

    invocation: Invocation
    environ: dict[str, str]
    project_dir: Path
    project: dict[str, Any]
    interactive: bool
    notes: dict[str, Any] = field(default_factory=dict)
    """What the command saw that the tests check (the config `up` deployed)."""

    @property
    def project_name(self) -> str:
        """The project's name from Pulumi.yaml."""
        return str(self.project["name"])

    def backend_dir(self) -> Path:
        """The file backend's directory, which must already exist."""
        url = self.environ.get("PULUMI_BACKEND_URL", "")
        if not url.startswith("file://"):
            raise ContractError(f"PULUMI_BACKEND_URL must name a file:// backend, got {url!r}")
        path = Path(unquote(urlparse(url).path))
        if not path.is_dir():
            raise CliError(f"unable to open bucket {url}: open {path}: no such file or directory")
        return path

    def stack_path(self, name: str) -> Path:
        """Where the backend keeps the stack's state."""
        return self.backend_dir() / ".pulumi" / "stacks" / self.project_name / f"{name}.json"

    def stack_names(self) -> list[str]:
        """The project's stacks in the backend."""
        folder = self.backend_dir() / ".pulumi" / "stacks" / self.project_name
        return sorted(path.stem for path in folder.glob("*.json"))

    def load_stack(self, name: str) -> dict[str, Any]:
        """The stack's state; CliError when the backend has no such stack."""
        path = self.stack_path(name)
        if not path.exists():
            raise CliError(f"no stack named '{name}' found")
        state: dict[str, Any] = json.loads(path.read_text())
        return state

    def save_stack(self, name: str, state: dict[str, Any]) -> None:
        """Write the stack's state."""
        path = self.stack_path(name)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(state, indent=2))

    def stack_name(self, from_args: bool = True) -> str:
        """The stack named by argument (when the command takes one) or --stack, not both; else
        the selected one."""
        argument = self.invocation.args[0] if from_args and self.invocation.args else None
        flagged = self.invocation.flag("stack")
        if argument and flagged:
            raise CliError("only one of --stack or argument stack name may be specified, not both")
        if argument or flagged:
            return str(argument or flagged)
        selected = self.workspace_file()
        if selected.exists():
            return str(json.loads(selected.read_text())["stack"])
        raise CliError("no stack selected; please use `pulumi stack select` to choose one")

    def workspace_file(self) -> Path:
        """The user's per-project workspace settings (the selected stack)."""
        home = self.environ.get("PULUMI_HOME") or str(Path(self.environ["HOME"]) / ".pulumi")
        return Path(home) / "workspaces" / f"{self.project_name}-workspace.json"

    def select(self, name: str) -> None:
        """Make name the project's current stack, as `stack select` and `stack init` do."""
        path = self.workspace_file()
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps({"stack": name}))

    def stack_config_path(self, name: str) -> Path:
        """The config file the CLI detects for the stack: <stackConfigDir>/Pulumi.<name>.yaml."""
        folder = str(self.project.get("stackConfigDir", "."))
        return self.project_dir / folder / f"Pulumi.{name}.yaml"

    def config_path(self, name: str) -> Path:
        """--config-file when given (it must exist), else the detected stack config file."""
        given = self.invocation.flag("config-file")
        if not given:
            return self.stack_config_path(name)
        path = Path(given) if Path(given).is_absolute() else Path.cwd() / given
        if not path.exists():
            raise ContractError(f"--config-file {given} does not exist")
        return path

    def passphrase(self) -> str:
        """PULUMI_CONFIG_PASSPHRASE, else the content of PULUMI_CONFIG_PASSPHRASE_FILE."""
        if "PULUMI_CONFIG_PASSPHRASE" in self.environ:
            return self.environ["PULUMI_CONFIG_PASSPHRASE"]
        if self.environ.get("PULUMI_CONFIG_PASSPHRASE_FILE"):
            try:
                return Path(self.environ["PULUMI_CONFIG_PASSPHRASE_FILE"]).read_text().strip()
            except OSError as error:
                raise CliError(f"unable to read PULUMI_CONFIG_PASSPHRASE_FILE: {error}") from None
        if self.interactive:
            raise ContractError("the CLI would prompt for the passphrase")
        raise CliError(
            "passphrase must be set with PULUMI_CONFIG_PASSPHRASE or "
            "PULUMI_CONFIG_PASSPHRASE_FILE environment variables"
        )

    def require_confirmation(self, message: str) -> None:
        """Without a terminal the flag must be given; with one, the CLI would prompt."""
        skip = self.environ.get("PULUMI_SKIP_CONFIRMATIONS", "").lower() in ("1", "true")
        if self.invocation.flag("yes") or self.invocation.flag("skip-preview") or skip:
            return
        if self.interactive:
            raise ContractError("the CLI would ask for a confirmation")
        raise CliError(message)


def salt_state(passphrase: str, salt: bytes | None = None, nonce: bytes | None = None) -> str:
    """A passphrase stack's encryptionsalt: v1:<salt>:v1:<nonce>:<AES-256-GCM of "pulumi">."""
    salt, nonce = salt or os.urandom(8), nonce or os.urandom(12)
    key = hashlib.pbkdf2_hmac("sha256", passphrase.encode(), salt, PBKDF2_ITERATIONS, 32)
    sealed = AESGCM(key).encrypt(nonce, b"pulumi", None)
    encoded = [base64.b64encode(part).decode() for part in (salt, nonce, sealed)]
    return f"v1:{encoded[0]}:v1:{encoded[1]}:{encoded[2]}"


def unlocks(passphrase: str, state: str) -> bool:
    """True when the passphrase opens the encryptionsalt state."""
    version, salt, rest = state.split(":", 2)
    value_version, nonce, sealed = rest.split(":")
    if (version, value_version) != ("v1", "v1"):
        return False
    key = hashlib.pbkdf2_hmac(
        "sha256", passphrase.encode(), base64.b64decode(salt), PBKDF2_ITERATIONS, 32
    )
    try:
        return AESGCM(key).decrypt(base64.b64decode(nonce), base64.b64decode(sealed), None) == (
            b"pulumi"
        )
    except InvalidTag:
        return False


def check_passphrase(context: Context, state: str) -> None:
    """Refuse with `incorrect passphrase` unless the passphrase opens state (results cached)."""
    passphrase = context.passphrase()
    folder = context.environ.get("PULUMI_CONTRACT_CACHE") or context.environ["PULUMI_CONTRACT_DIR"]
    cache = Path(folder) / "unlocked.json"
    key = hashlib.sha256(f"{passphrase}\0{state}".encode()).hexdigest()
    known = json.loads(cache.read_text()) if cache.exists() else []
    if key in known:
        return
    if not unlocks(passphrase, state):
        raise CliError("incorrect passphrase")
    cache.write_text(json.dumps([*known, key]))


def load_project_stack(path: Path) -> dict[str, Any]:
    """A stack config file's content ({} when missing)."""
    loaded = yaml.safe_load(path.read_text()) if path.exists() else None
    return loaded or {}


def save_project_stack(path: Path, content: dict[str, Any]) -> None:
    """Write a stack config file the way the CLI does: re-serialised, comments gone."""
    path.write_text(yaml.safe_dump(content, sort_keys=False))


def secrets_salt(context: Context, path: Path) -> str:
    """The config file's encryptionsalt, checked against the passphrase; a new one is saved."""
    content = load_project_stack(path)
    if content.get("encryptionsalt"):
        check_passphrase(context, content["encryptionsalt"])
        return str(content["encryptionsalt"])
    content["encryptionsalt"] = salt_state(context.passphrase())
    save_project_stack(path, content)
    return str(content["encryptionsalt"])


def stack_ls(context: Context) -> str:
    """The project's stacks, as JSON with --json (the CLI's stackSummaryJSON shape)."""
    selected = context.workspace_file()
    current = json.loads(selected.read_text())["stack"] if selected.exists() else None
    summaries = []
    for name in context.stack_names():
        state = context.load_stack(name)
        summary: dict[str, Any] = {"name": name, "current": name == current}
        if state.get("lastUpdate"):
            summary["lastUpdate"] = state["lastUpdate"]
        summary["resourceCount"] = len(state["resources"])
        summaries.append(summary)
    if context.invocation.flag("json"):
        return json.dumps(summaries, indent=4)
    rows = [f"{s['name']}{'*' * s['current']}  {s['resourceCount']}" for s in summaries]
    return "\n".join(["NAME  RESOURCE COUNT", *rows])


def stack_init(context: Context) -> str:
    """Create the stack (passphrase secrets); select it unless --no-select."""
    name = context.stack_name()
    return create_stack(context, name, context.invocation.flag("secrets-provider"))


def create_stack(context: Context, name: str, secrets_provider: str | None) -> str:
    """What `stack init` and `stack select --create` share."""
    if context.stack_path(name).exists():
        raise CliError(f"stack '{name}' already exists")
    if secrets_provider not in (None, "default", "passphrase"):
        raise ContractError(f"secrets provider {secrets_provider} is outside the contract")
    salt = secrets_salt(context, context.stack_config_path(name))
    context.save_stack(name, {"secrets": {"type": "passphrase", "salt": salt}, "resources": []})
    if not context.invocation.flag("no-select"):
        context.select(name)
    return f"Created stack '{name}'"


def stack_select(context: Context) -> str:
    """Select an existing stack; create it first only with --create."""
    if not (context.invocation.args or context.invocation.flag("stack")):
        raise CliError("no stack selected; please use `pulumi stack select` to choose one")
    name = context.stack_name()
    if not context.stack_path(name).exists():
        if not context.invocation.flag("create"):
            raise CliError(f"no stack named '{name}' found")
        create_stack(context, name, context.invocation.flag("secrets-provider"))
    context.select(name)
    return ""


def stack_rm(context: Context) -> str:
    """Remove an existing stack: --yes without a terminal, --force while it has resources, and
    its detected config file too unless --preserve-config."""
    name = context.stack_name()
    state = context.load_stack(name)
    if not context.invocation.flag("yes"):
        if context.interactive:
            raise ContractError("the CLI would ask for a confirmation")
        raise CliError("non-interactive mode requires --yes flag")
    if state["resources"] and not context.invocation.flag("force"):
        raise CliError(f"'{name}' still has resources; removal rejected")
    context.stack_path(name).unlink()
    if not context.invocation.flag("preserve-config"):
        context.stack_config_path(name).unlink(missing_ok=True)
    return f"Stack '{name}' has been removed!"


def stack_output(context: Context) -> str:
    """The outputs of an existing stack."""
    outputs = context.load_stack(context.stack_name()).get("outputs", {})
    if context.invocation.flag("json"):
        return json.dumps(outputs, indent=4)
    rows = [f"    {key}  {value}" for key, value in outputs.items()]
    return "\n".join([f"Current stack outputs ({len(outputs)}):", "    OUTPUT  VALUE", *rows])


def check_runtime(context: Context) -> None:
    """The program's toolchain must be there: uv on PATH, or the virtualenv the project names."""
    runtime = context.project.get("runtime", {})
    options = runtime.get("options", {}) if isinstance(runtime, dict) else {}
    if options.get("toolchain") == "uv":
        if shutil.which("uv", path=context.environ.get("PATH")) is None:
            raise CliError("Could not find `uv` executable.")
    elif options.get("virtualenv"):
        venv = context.project_dir / options["virtualenv"]
        if not (venv / "bin" / "python").exists():
            raise CliError(f"The 'virtualenv' option in Pulumi.yaml names {venv}: not found")


def update_stack(context: Context, operation: str) -> tuple[str, dict[str, Any], Path]:
    """What `up` and `destroy` share: the stack, confirmation, config file and its secrets."""
    name = context.stack_name()
    state = context.load_stack(name)
    context.require_confirmation(
        "--yes or --skip-preview must be passed in to proceed when running in non-interactive mode"
    )
    config_path = context.config_path(name)
    secrets_salt(context, config_path)
    if context.environ.get("PULUMI_CONTRACT_FAIL") == operation:
        raise CliError(f"{operation} failed half-way (PULUMI_CONTRACT_FAIL)")
    if context.environ.get("PULUMI_CONTRACT_HANG") == operation:
        endpoints = config_endpoints(load_project_stack(config_path).get("config", {}))
        wait_for_interrupt(Path(context.environ["PULUMI_CONTRACT_DIR"]) / operation, endpoints)
    return name, state, config_path


def wait_for_interrupt(marker: Path, endpoints: list[str]) -> None:
    """Block until Ctrl-C (SIGINT), then take a while to cancel, as the CLI's first Ctrl-C does:
    the operations in flight finish, and they need the services behind the endpoints.

    marker.started appears once blocked; marker.cancelled once the cancellation is over, saying
    whether every endpoint still answered then.
    """
    try:  # entered before saying so: a Ctrl-C right after the marker is still a cancellation
        marker.with_suffix(".started").touch()
        time.sleep(60)
    except KeyboardInterrupt:
        time.sleep(1)
        answered = all(answers(url) for url in endpoints)
        marker.with_suffix(".cancelled").write_text(json.dumps({"services_answered": answered}))
        raise CliError("update canceled") from None
    raise ContractError("nobody interrupted the hanging command")


def config_endpoints(config: dict[str, Any]) -> list[str]:
    """The service URLs a stack config names (aws:endpoints and the omics endpoint)."""
    urls = [url for entry in config.get("aws:endpoints", []) for url in entry.values()]
    return [*urls, *[v for k, v in config.items() if k.endswith(":omicsEndpoint")]]


def answers(url: str) -> bool:
    """True when something accepts a connection at the http://host:port URL."""
    parsed = urlparse(url)
    try:
        socket.create_connection((parsed.hostname, parsed.port), timeout=1).close()
    except OSError:
        return False
    return True


def up(context: Context) -> str:
    """Record the resources the stack program declares (nothing is deployed)."""
    name, state, config_path = update_stack(context, "up")
    check_runtime(context)
    config = load_project_stack(config_path).get("config", {})
    batches = [batch["name"] for batch in config.get("omics-variant-import:imports", [])]
    state["resources"] = ["pulumi:pulumi:Stack", "variant-store", "import-role", *batches]
    state["outputs"] = {"storeName": config.get("omics-variant-import:storeName")}
    state["lastUpdate"] = "now"
    context.save_stack(name, state)
    context.notes["config"] = config
    return f"Updating ({name}):\nResources:\n    + {len(state['resources'])} created"


def destroy(context: Context) -> str:
    """Forget the resources of the stack (nothing is deleted anywhere)."""
    name, state, _ = update_stack(context, "destroy")
    count = len(state["resources"])
    state.update(resources=[], outputs={})
    context.save_stack(name, state)
    return f"Destroying ({name}):\nResources:\n    - {count} deleted"


def config_set(context: Context) -> str:
    """Set one key in --config-file, else the stack's detected config file (re-serialised)."""
    name = context.stack_name(from_args=False)
    context.load_stack(name)
    if len(context.invocation.args) != 2:
        raise CliError("config set takes a key and a value")
    key, value = context.invocation.args
    path = context.config_path(name)
    content = load_project_stack(path)
    config = content.setdefault("config", {})
    if context.invocation.flag("path"):
        set_path(config, key, value)
    else:
        config[key] = value
    save_project_stack(path, content)
    return ""


def set_path(config: dict[str, Any], key: str, value: str) -> None:
    """Set a `--path` key such as `aws:endpoints[0].s3` inside config."""
    parts = key.replace("]", "").replace("[", ".").split(".")
    target: Any = config
    for part, following in itertools.pairwise(parts):
        index: Any = int(part) if part.isdigit() else part
        if isinstance(target, list):
            while len(target) <= index:
                target.append({})
            target = target[index]
        else:
            target = target.setdefault(index, [] if following.isdigit() else {})
    last = parts[-1]
    if isinstance(target, list):
        target[int(last)] = value
    else:
        target[last] = value


COMMANDS: dict[tuple[str, ...], Callable[[Context], str]] = {
    ("stack", "ls"): stack_ls,
    ("stack", "init"): stack_init,
    ("stack", "select"): stack_select,
    ("stack", "rm"): stack_rm,
    ("stack", "output"): stack_output,
    ("up",): up,
    ("destroy",): destroy,
    ("config", "set"): config_set,
}


def find_project(start: Path) -> Path:
    """The nearest directory holding Pulumi.yaml, from start upwards."""
    for folder in (start, *start.parents):
        if (folder / "Pulumi.yaml").exists():
            return folder
    raise CliError("no Pulumi.yaml project file found (searching upwards from the cwd)")


def is_interactive(invocation: Invocation, environ: dict[str, str]) -> bool:
    """The CLI's test: no --non-interactive, a terminal on stdin and stdout, not dumb, not CI."""
    return (
        not invocation.flag("non-interactive")
        and sys.stdin.isatty()
        and sys.stdout.isatty()
        and environ.get("TERM", "").lower() != "dumb"
        and environ.get("CI", "").lower() not in ("1", "true")
    )


Outcome = tuple[int, str, str | None, "Context | None"]
"""Exit code, standard output, error message, and the command's context when it got that far."""


def run(argv: Sequence[str], environ: dict[str, str]) -> Outcome:
    """Run one command."""
    context = None
    try:
        invocation = parse(argv)
        if invocation.flag("cwd"):
            os.chdir(invocation.flag("cwd"))
        project_dir = find_project(Path.cwd())
        project = yaml.safe_load((project_dir / "Pulumi.yaml").read_text())
        interactive = is_interactive(invocation, environ)
        context = Context(invocation, environ, project_dir, project, interactive)
        return 0, COMMANDS[invocation.command](context), None, context
    except CliError as error:
        prefix = "contract: " if isinstance(error, ContractError) else ""
        return ERROR_EXIT, "", prefix + str(error), context


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command, print like the CLI, and append the invocation to the log."""
    arguments = list(sys.argv[1:] if argv is None else argv)
    environ = dict(os.environ)
    code, output, error, context = run(arguments, environ)
    if output:
        print(output)
    if error:
        print(f"error: {error}", file=sys.stderr)
    record = {
        "argv": arguments,
        "exit": code,
        "error": error,
        "interactive": context.interactive if context else None,
        "backend": environ.get("PULUMI_BACKEND_URL"),
        "passphrase_set": "PULUMI_CONFIG_PASSPHRASE" in environ,
        "passphrase_file_set": "PULUMI_CONFIG_PASSPHRASE_FILE" in environ,
        "aws_variables": sorted(key for key in environ if key.startswith("AWS_")),
        "cwd": str(Path.cwd()),
        **(context.notes if context else {}),
    }
    log = Path(environ["PULUMI_CONTRACT_DIR"]) / "invocations.jsonl"
    with log.open("a") as stream:
        stream.write(json.dumps(record) + "\n")
    return code


if __name__ == "__main__":
    sys.exit(main())
