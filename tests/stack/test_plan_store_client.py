"""plan --store builds its omics client by the provider's one rule: endpoint and host prefix."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from omics_emulator import EmulatorHandle
from omics_stack.cli import main
from tests.stack.conftest import STACK, put, stack_file


def use_endpoint(project: Path, url: str) -> None:
    """Give the test stack an omicsEndpoint (a first key in config)."""
    text = stack_file(project).read_text()
    line = f"config:\n  omics-variant-import:omicsEndpoint: {url}\n"
    stack_file(project).write_text(text.replace("config:\n", line))


def plan_errors(capsys: pytest.CaptureFixture[str], *argv: str) -> list[str]:
    """Run plan (it must fail with status 2) and return its error lines."""
    assert main(["plan", "--stack", STACK, *argv]) == 2
    return [line for line in capsys.readouterr().err.splitlines() if ": error: " in line]


@pytest.mark.parametrize("how", ["AWS_ENDPOINT_URL_OMICS", "config file"])
def test_plan_store_reaches_boto3s_own_omics_endpoint_without_the_host_prefix(
    project: Path,
    s3: Any,
    bucket: str,
    omics_emulator: EmulatorHandle,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    how: str,
) -> None:
    if how == "AWS_ENDPOINT_URL_OMICS":
        monkeypatch.setenv("AWS_ENDPOINT_URL_OMICS", omics_emulator.url)
    else:
        config = project / "aws-config"
        config.write_text(
            "[default]\nservices = local\n[services local]\n"
            f"omics =\n  endpoint_url = {omics_emulator.url}\n"
        )
        monkeypatch.setenv("AWS_CONFIG_FILE", str(config))
    put(s3, bucket, "in/a.vcf")

    errors = plan_errors(capsys, "--store", "no_such_store", f"s3://{bucket}/in/")

    # The emulator answered (no `analytics-127.0.0.1` host): the store is named as missing.
    assert len(errors) == 1 and "variant store 'no_such_store' does not exist" in errors[0]
    assert omics_emulator.backend.requests_by_operation() == {"GetVariantStore": 1}


def test_plan_store_refuses_an_endpoint_with_a_password_without_printing_it(
    project: Path, s3: Any, bucket: str, capsys: pytest.CaptureFixture[str]
) -> None:
    use_endpoint(project, "http://svc:s3cr/et#q9z@127.0.0.1:9")
    before = stack_file(project).read_bytes()
    put(s3, bucket, "in/a.vcf")

    [error] = plan_errors(capsys, "--store", "cohort_store", f"s3://{bucket}/in/")

    assert "omics-variant-import:omicsEndpoint must be an http(s) URL" in error
    assert "s3cr" not in error and "q9z" not in error
    assert stack_file(project).read_bytes() == before
