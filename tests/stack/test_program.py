"""__main__.py under Pulumi's mocks, with dynamic resources handed to their real providers."""

from __future__ import annotations

import json
import logging
import runpy
import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pulumi
import pytest
from pulumi.dynamic import ConfigureRequest
from pulumi.runtime.mocks import MockMonitor, MockResourceArgs

from omics_emulator import EmulatorHandle, EmulatorSettings, start_emulator
from omics_emulator.iam_policy import is_allowed
from omics_emulator.pytest_plugin import make_omics_client
from omics_provider import VariantImportJobProvider, VariantStoreProvider
from omics_provider.core.role_policy import INLINE_POLICY_LIMIT, POLICY_BUDGET, iam_size
from omics_provider.resources.policy_settle import PolicySettleProvider, policy_digest
from omics_provider.resources.provider_base import OmicsProvider

MAIN = Path(__file__).resolve().parents[2] / "__main__.py"
NAMESPACE = "omics-variant-import"
REFERENCE = "arn:aws:omics:us-east-1:123456789012:referenceStore/1234567890/reference/1234567890"
ACCOUNT = "123456789012"
BATCHES: list[dict[str, Any]] = [
    {"name": "batch-1", "sources": ["s3://bucket-a/one.vcf", "s3://bucket-a/two.vcf.gz"]},
    {"name": "batch-2", "sources": ["s3://bucket-b/three.vcf"], "runLeftNormalization": True},
]
DYNAMIC = "pulumi-python:dynamic/omics:"
ROLE_TYPE = "aws:iam/role:Role"
SETTLE_TYPE = f"{DYNAMIC}PolicySettle"
POLICY_TYPE = "aws:iam/rolePolicy:RolePolicy"


@pytest.fixture(scope="module")
def emulator() -> Iterator[EmulatorHandle]:
    with start_emulator(EmulatorSettings(store_seconds=0.1, job_seconds=0.2)) as handle:
        yield handle


pytestmark = pytest.mark.usefixtures("pulumi_event_loop")


@dataclass
class Registration:
    """What the program registered: type, name, inputs, outputs and dependency URNs."""

    typ: str
    name: str
    inputs: dict[str, Any]
    outputs: dict[str, Any] = field(default_factory=dict)
    dependencies: set[str] = field(default_factory=set)


class EmulatorMocks(pulumi.runtime.Mocks):
    """Dynamic resources go to their real providers (on the emulator); AWS ones are faked."""

    def __init__(self, endpoint: str) -> None:
        config = {
            "aws:region": "us-east-1",
            f"{NAMESPACE}:omicsEndpoint": endpoint,
            f"{NAMESPACE}:pollInitialSeconds": "0.02",
            f"{NAMESPACE}:pollMaxSeconds": "0.1",
        }
        self.providers: dict[str, OmicsProvider | PolicySettleProvider] = {
            f"{DYNAMIC}VariantStore": VariantStoreProvider(),
            f"{DYNAMIC}VariantImportJob": VariantImportJobProvider(),
            f"{DYNAMIC}PolicySettle": PolicySettleProvider(),
        }
        for provider in self.providers.values():
            provider.configure(ConfigureRequest(_ConfigBag(config)))  # type: ignore[arg-type]
        self.registered: dict[str, Registration] = {}

    def new_resource(self, args: MockResourceArgs) -> tuple[str | None, dict[str, Any]]:
        provider = self.providers.get(args.typ)
        if provider is not None:
            inputs = {k: v for k, v in args.inputs.items() if k != "__provider"}
            checked = provider.check({}, inputs)
            assert checked.failures == [], checked.failures
            created = provider.create(checked.inputs)
            id_, outputs = created.id, dict(created.outs or {})
        elif args.typ == ROLE_TYPE:
            id_, outputs = (
                args.name,
                {**args.inputs, "arn": f"arn:aws:iam::{ACCOUNT}:role/{args.name}"},
            )
        else:
            id_, outputs = f"{args.name}-id", dict(args.inputs)
        self.registered[args.name] = Registration(args.typ, args.name, dict(args.inputs), outputs)
        return id_, outputs

    def call(self, args: pulumi.runtime.MockCallArgs) -> tuple[dict[str, Any], None]:
        return {}, None


class _ConfigBag:
    """The `config` of a ConfigureRequest: full keys (`aws:region`) to values."""

    def __init__(self, values: dict[str, str]) -> None:
        self.values = values

    def get(self, key: str) -> str | None:
        return self.values.get(key)


class RecordingMonitor(MockMonitor):
    """The mock monitor, also recording each resource's dependencies (by name)."""

    def __init__(self, mocks: EmulatorMocks) -> None:
        super().__init__(mocks)
        self.recorder = mocks

    def RegisterResource(self, request: Any) -> Any:
        response = super().RegisterResource(request)  # type: ignore[no-untyped-call]
        if request.name in self.recorder.registered:
            names = {urn.rsplit("::", 1)[-1] for urn in request.dependencies}
            self.recorder.registered[request.name].dependencies = names
        return response


@dataclass
class ProgramRun:
    """The resources the program registered and the values it exported."""

    resources: dict[str, Registration]
    exports: dict[str, Any]

    def of_type(self, typ: str) -> list[Registration]:
        return [r for r in self.resources.values() if r.typ == typ]


def engine_sets_config(monkeypatch: pytest.MonkeyPatch, values: dict[str, Any]) -> None:
    """Hand the namespace's values to the program the way the engine does.

    The language host puts the stack's configuration in PULUMI_CONFIG (every value as text:
    booleans and numbers as written, objects as JSON), and the language executor loads it with
    set_all_config before it runs __main__.py.
    """
    engine = {
        f"{NAMESPACE}:{key}": value if isinstance(value, str) else json.dumps(value)
        for key, value in values.items()
    }
    monkeypatch.setenv("PULUMI_CONFIG", json.dumps(engine))
    monkeypatch.setenv("PULUMI_CONFIG_SECRET_KEYS", "[]")
    pulumi.runtime.set_all_config(
        pulumi.runtime.get_config_env(), pulumi.runtime.get_config_secret_keys_env()
    )


def run_program(
    emulator: EmulatorHandle,
    monkeypatch: pytest.MonkeyPatch,
    project: Path | None = None,
    **config: Any,
) -> ProgramRun:
    """Run __main__.py under the mocks with the namespace's config values; wait for the outputs.

    With project, the program runs from a copy in that folder (its manifests are read there).
    """
    main = MAIN if project is None else Path(shutil.copy(MAIN, project / "__main__.py"))
    if project is not None:
        monkeypatch.chdir(project)  # the engine starts the program in its project folder
    mocks = EmulatorMocks(emulator.url)
    pulumi.runtime.set_mocks(
        mocks, "omics-variant-import", "test", False, monitor=RecordingMonitor(mocks)
    )
    engine_sets_config(monkeypatch, config)
    exported: dict[str, Any] = {}
    resolved: dict[str, Any] = {}
    monkeypatch.setattr(pulumi, "export", exported.__setitem__)

    @pulumi.runtime.test  # type: ignore[untyped-decorator]
    def program() -> pulumi.Output[None]:
        runpy.run_path(str(main))
        return pulumi.Output.all(**exported).apply(resolved.update)

    program()
    return ProgramRun(mocks.registered, resolved)


def base_config(**extra: Any) -> dict[str, Any]:
    return {
        "storeName": "program_store",
        "referenceArn": REFERENCE,
        "imports": BATCHES,
        "rolePropagationSeconds": 0.01,
        **extra,
    }


def test_program_declares_store_role_policy_and_one_job_per_batch(
    emulator: EmulatorHandle, monkeypatch: pytest.MonkeyPatch
) -> None:
    run = run_program(emulator, monkeypatch, **base_config())

    assert len(run.of_type(f"{DYNAMIC}VariantStore")) == 1
    assert len(run.of_type(ROLE_TYPE)) == len(run.of_type(POLICY_TYPE)) == 1
    assert len(run.of_type("omics-variant-import:index:VariantImportRole")) == 1
    jobs = run.of_type(f"{DYNAMIC}VariantImportJob")
    assert sorted(job.name for job in jobs) == ["batch-1", "batch-2"]
    batch_2 = run.resources["batch-2"].inputs
    assert batch_2["items"] == ["s3://bucket-b/three.vcf"]
    assert batch_2["runLeftNormalization"] is True
    assert batch_2["allowReimport"] is False
    assert run.of_type(f"{DYNAMIC}VariantStore")[0].inputs["forceDestroy"] is False


def test_program_passes_allow_reimport_and_force_destroy_store(
    emulator: EmulatorHandle, monkeypatch: pytest.MonkeyPatch
) -> None:
    imports = [{**BATCHES[0], "allowReimport": True}, BATCHES[1]]
    config = base_config(storeName="flags_store", imports=imports, forceDestroyStore=True)
    run = run_program(emulator, monkeypatch, **config)

    assert run.resources["batch-1"].inputs["allowReimport"] is True
    assert run.resources["batch-2"].inputs["allowReimport"] is False
    assert run.of_type(f"{DYNAMIC}VariantStore")[0].inputs["forceDestroy"] is True


def test_program_jobs_depend_on_store_role_policy_and_settle_wait(
    emulator: EmulatorHandle, monkeypatch: pytest.MonkeyPatch
) -> None:
    run = run_program(emulator, monkeypatch, **base_config(storeName="dependent_store"))

    policy = run.of_type(POLICY_TYPE)[0]
    (settle,) = run.of_type(SETTLE_TYPE)
    assert policy.name in settle.dependencies
    assert settle.inputs["seconds"] == 0.01
    assert settle.inputs["policyDigest"] == policy_digest(policy.inputs["policy"])
    for job in run.of_type(f"{DYNAMIC}VariantImportJob"):
        assert {"variant-store", policy.name, settle.name} <= job.dependencies
        assert job.inputs["destinationName"] == "dependent_store"
        assert job.inputs["roleArn"] == run.of_type(ROLE_TYPE)[0].outputs["arn"]


def test_program_exports_store_role_and_job_ids(
    emulator: EmulatorHandle, monkeypatch: pytest.MonkeyPatch
) -> None:
    run = run_program(emulator, monkeypatch, **base_config(storeName="exported_store"))

    client = make_omics_client(emulator.url)
    store = client.get_variant_store(name="exported_store")
    assert run.exports["storeArn"] == store["storeArn"]
    assert run.exports["roleArn"] == run.of_type(ROLE_TYPE)[0].outputs["arn"]
    assert set(run.exports["jobIds"]) == {"batch-1", "batch-2"}
    for name, job_id in run.exports["jobIds"].items():
        job = client.get_variant_import_job(jobId=job_id)
        assert job["destinationName"] == "exported_store"
        assert job["status"] == run.exports["jobStatuses"][name] == "COMPLETED"


def test_program_policy_grants_nothing_beyond_configured_sources(
    emulator: EmulatorHandle, monkeypatch: pytest.MonkeyPatch
) -> None:
    run = run_program(emulator, monkeypatch, **base_config(storeName="policy_store"))

    document = json.loads(run.of_type(POLICY_TYPE)[0].inputs["policy"])
    sources = {s.removeprefix("s3://") for batch in BATCHES for s in batch["sources"]}
    granted: dict[str, set[str]] = {}
    for statement in document["Statement"]:
        assert statement["Effect"] == "Allow"
        for action in statement["Action"]:
            granted.setdefault(action, set()).update(statement["Resource"])
    assert granted == {
        "s3:GetObject": {f"arn:aws:s3:::{s}" for s in sources},
        "s3:GetBucketLocation": {"arn:aws:s3:::bucket-a", "arn:aws:s3:::bucket-b"},
        "s3:ListBucket": {"arn:aws:s3:::bucket-a", "arn:aws:s3:::bucket-b"},
        "omics:GetReference": {REFERENCE},
        "omics:GetReferenceMetadata": {REFERENCE},
    }
    trust = json.loads(run.of_type(ROLE_TYPE)[0].inputs["assumeRolePolicy"])
    assert trust["Statement"][0]["Principal"] == {"Service": "omics.amazonaws.com"}


def test_program_with_existing_role_declares_no_role(
    emulator: EmulatorHandle, monkeypatch: pytest.MonkeyPatch
) -> None:
    role = f"arn:aws:iam::{ACCOUNT}:role/existing-import-role"

    run = run_program(
        emulator, monkeypatch, **base_config(storeName="existing_role_store", existingRoleArn=role)
    )

    assert run.of_type(ROLE_TYPE) == run.of_type(POLICY_TYPE) == []
    assert {job.inputs["roleArn"] for job in run.of_type(f"{DYNAMIC}VariantImportJob")} == {role}
    assert run.exports["roleArn"] == role


def test_program_rejects_duplicate_batch_names(
    emulator: EmulatorHandle, monkeypatch: pytest.MonkeyPatch
) -> None:
    imports = [BATCHES[0], {**BATCHES[1], "name": "batch-1"}]

    with pytest.raises(Exception, match=r"imports\[1\]\.name: 'batch-1' names two batches"):
        run_program(emulator, monkeypatch, **base_config(storeName="dup_store", imports=imports))


@pytest.mark.parametrize(
    ("extra", "key", "store"),
    [
        ({"waitForCompletio": False}, "waitForCompletio", "typo_wait"),
        ({"storName": "x"}, "storName", "typo_store"),
        ({"adoptExistingStore": "maybe"}, "adoptExistingStore", "typo_adopt"),
        ({"timeoutSeconds": "soon"}, "timeoutSeconds", "typo_soon"),
        ({"timeoutSeconds": "nan"}, "timeoutSeconds", "typo_nan"),
        ({"timeoutSeconds": "5_0"}, "timeoutSeconds", "typo_underscore"),
        ({"timeoutSeconds": "\uff160"}, "timeoutSeconds", "typo_full_width"),
        ({"timeoutSeconds": True}, "timeoutSeconds", "typo_boolean"),
    ],
)
def test_program_rejects_bad_key_from_engine_config_before_any_resource(
    emulator: EmulatorHandle,
    monkeypatch: pytest.MonkeyPatch,
    extra: dict[str, Any],
    key: str,
    store: str,
) -> None:
    with pytest.raises(Exception, match=f"{NAMESPACE}:{key}: ") as error:
        run_program(emulator, monkeypatch, **base_config(storeName=store, **extra))

    assert type(error.value).__name__ == "StackConfigError"
    client = make_omics_client(emulator.url)
    assert store not in {s["name"] for s in client.list_variant_stores()["variantStores"]}


def test_program_reads_engine_config_through_the_getters(
    emulator: EmulatorHandle, monkeypatch: pytest.MonkeyPatch
) -> None:
    run = run_program(
        emulator,
        monkeypatch,
        **base_config(
            storeName="typed_store",
            waitForCompletion=False,
            timeoutSeconds=90,
            pollInitialSeconds=0.5,
            omicsEndpoint=emulator.url,
        ),
    )

    job = run.resources["batch-1"].inputs
    assert (job["waitForCompletion"], job["timeoutSeconds"]) == (False, 90.0)


def test_program_rejects_a_file_in_two_batches_before_any_resource(
    emulator: EmulatorHandle, monkeypatch: pytest.MonkeyPatch
) -> None:
    imports = [BATCHES[0], {"name": "batch-3", "sources": ["s3://bucket-a/one.vcf"]}]

    with pytest.raises(Exception, match=r"imports\[1\]\.sources: batch 'batch-3' lists ") as error:
        run_program(emulator, monkeypatch, **base_config(storeName="overlap", imports=imports))

    assert "'batch-1' (imports[0])" in str(error.value)
    assert "s3://bucket-a/one.vcf" in str(error.value)


def write_manifest(project: Path, name: str, sources: list[str]) -> str:
    """A manifest under project/stacks/manifests; its path relative to the project."""
    path = project / "stacks" / "manifests" / f"{name}.txt"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("# a manifest\n" + "".join(f"{s}\n" for s in sources))
    return path.relative_to(project).as_posix()


def test_program_declares_a_job_per_manifest_batch_with_its_files(
    emulator: EmulatorHandle, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    manifest = write_manifest(tmp_path, "listed", ["s3://bucket-c/a.vcf", "s3://bucket-c/b.vcf"])
    imports = [BATCHES[0], {"name": "listed", "manifest": manifest}]

    run = run_program(
        emulator, monkeypatch, tmp_path, **base_config(storeName="manifest_store", imports=imports)
    )

    assert run.resources["listed"].inputs["items"] == ["s3://bucket-c/a.vcf", "s3://bucket-c/b.vcf"]
    assert run.exports["jobStatuses"]["listed"] == "COMPLETED"


def test_program_rejects_manifests_sharing_a_file_before_any_resource(
    emulator: EmulatorHandle, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    first = write_manifest(tmp_path, "first", ["s3://bucket-c/a.vcf"])
    second = write_manifest(tmp_path, "second", ["s3://bucket-c/b.vcf", "s3://bucket-c/a.vcf"])
    imports = [{"name": "first", "manifest": first}, {"name": "second", "manifest": second}]

    with pytest.raises(Exception, match=r"imports\[1\]\.manifest: batch 'second' lists "):
        run_program(
            emulator, monkeypatch, tmp_path, **base_config(storeName="m_overlap", imports=imports)
        )


def cohort_batches(files: int, per_batch: int = 1_000) -> list[dict[str, Any]]:
    """files sources over 3 buckets and 4 folders each, in batches of per_batch (the job quota)."""
    sources = [f"s3://cohort-{i % 3}/run-{i // 3 % 4}/sample-{i:05d}.vcf.gz" for i in range(files)]
    return [
        {"name": f"batch-{n:02d}", "sources": sources[start : start + per_batch]}
        for n, start in enumerate(range(0, files, per_batch))
    ]


def test_program_with_10000_files_declares_one_role_policy_that_fits_iam(
    emulator: EmulatorHandle, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    batches = cohort_batches(10_000)
    config = base_config(storeName="cohort_store", imports=batches, waitForCompletion=False)
    monkeypatch.setattr(emulator.backend.settings, "max_concurrent_jobs", len(batches))

    with caplog.at_level(logging.INFO):
        run = run_program(emulator, monkeypatch, **config)

    (policy,) = run.of_type(POLICY_TYPE)
    assert {r.typ for r in run.resources.values() if r.typ.startswith("aws:iam/")} == {
        ROLE_TYPE,
        POLICY_TYPE,
    }
    document = json.loads(policy.inputs["policy"])
    assert iam_size(document) <= POLICY_BUDGET < INLINE_POLICY_LIMIT
    sources = [s.removeprefix("s3://").partition("/") for b in batches for s in b["sources"]]
    unreadable = [
        f"{bucket}/{key}"
        for bucket, _, key in sources
        if not is_allowed([document], "s3:GetObject", f"arn:aws:s3:::{bucket}/{key}")
    ]
    assert unreadable == []
    assert not is_allowed([document], "s3:GetObject", "arn:aws:s3:::cohort-0/run-9/x.vcf")
    prefixes = run.exports["roleGrantedPrefixes"]
    assert sorted(prefixes) == sorted(
        f"s3://cohort-{b}/run-{r}/" for b in range(3) for r in range(4)
    )
    assert len(run.of_type(f"{DYNAMIC}VariantImportJob")) == 10
    summary = [r.message for r in caplog.records if "VariantImportRole import-role:" in r.message]
    assert summary == [
        f"VariantImportRole import-role: 10,000 of 10,000 files granted through 12 prefixes "
        f"(not file by file, to fit IAM's size limit), 0 exactly; policy {iam_size(document):,} "
        "of 10,240 characters"
    ]


MANY_BUCKETS = [
    {"name": f"b{n}", "sources": [f"s3://bucket-{n:02d}-{i:02d}/x.vcf" for i in range(30)]}
    for n in range(70)
]


@pytest.mark.parametrize(
    ("config", "message"),
    [
        (
            {
                "storeName": "wildcard_store",
                "referenceArn": REFERENCE.replace("arn:aws:", "arn:*:"),
            },
            r"VariantImportRole import-role: reference_arn: 'arn:\*:omics:.*' holds a wildcard",
        ),
        (
            {"storeName": "many_buckets_store", "imports": MANY_BUCKETS},
            r"import role's policy needs [\d,]+ characters .* 2,100 buckets.* limit of 10,240 ",
        ),
    ],
    ids=["wildcard-reference", "too-many-buckets"],
)
def test_program_with_a_role_no_policy_can_grant_fails_naming_why(
    emulator: EmulatorHandle, monkeypatch: pytest.MonkeyPatch, config: dict[str, Any], message: str
) -> None:
    with pytest.raises(Exception, match=message):
        run_program(emulator, monkeypatch, **base_config(**config))
