"""The emulator's view of IAM (moto): items fail while the role's policy change is not visible."""

from __future__ import annotations

import json
import socket
import time
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from omics_emulator import EmulatorHandle, EmulatorSettings
from omics_emulator.cli import build_parser, settings_from
from omics_emulator.iam_view import IamView
from tests.emulator.conftest import FakeClock
from tests.support.waiting import wait_until

TRUST = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Principal": {"Service": "omics.amazonaws.com"},
            "Action": "sts:AssumeRole",
        }
    ],
}
PROPAGATION = 10.0


@pytest.fixture
def make_role(iam: Any) -> Callable[..., str]:
    """A new role (unique name) reading the given keys of bucket genomes; returns its ARN."""

    def make(*keys: str) -> str:
        name = f"import-{uuid.uuid4().hex[:8]}"
        arn = str(
            iam.create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(TRUST))["Role"][
                "Arn"
            ]
        )
        if keys:
            grant(iam, arn, *keys)
        return arn

    return make


def reads(*keys: str) -> str:
    resources = [f"arn:aws:s3:::genomes/{key}" for key in keys]
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": resources}],
        }
    )


def grant(iam: Any, role_arn: str, *keys: str) -> None:
    """Replace the role's inline policy by one reading exactly keys."""
    iam.put_role_policy(
        RoleName=role_arn.rsplit("/", 1)[1], PolicyName="read", PolicyDocument=reads(*keys)
    )


@pytest.fixture
def view(moto_url: str, clock: FakeClock) -> IamView:
    return IamView(moto_url, propagation_seconds=PROPAGATION, clock=clock)


def test_refusal_of_a_role_without_the_grant_says_access_denied(
    view: IamView, make_role: Callable[..., str], clock: FakeClock
) -> None:
    role = make_role("a.vcf")
    view.refresh()
    clock.advance(PROPAGATION)

    assert view.refusal(role, "s3://genomes/a.vcf", clock()) is None
    refused = view.refusal(role, "s3://genomes/b.vcf", clock())
    assert refused == (
        f"s3://genomes/b.vcf: access denied: role {role} may not s3:GetObject "
        "arn:aws:s3:::genomes/b.vcf"
    )


def test_refusal_of_a_changed_policy_lasts_until_it_has_propagated(
    view: IamView, iam: Any, make_role: Callable[..., str], clock: FakeClock
) -> None:
    role = make_role("a.vcf")
    view.refresh()
    clock.advance(PROPAGATION)
    grant(iam, role, "a.vcf", "b.vcf")
    view.refresh()
    changed_at = clock()

    clock.advance(PROPAGATION - 0.5)
    assert view.refusal(role, "s3://genomes/a.vcf", clock()) is None
    refused = view.refusal(role, "s3://genomes/b.vcf", clock())
    assert refused is not None and "a policy change allowing it was not visible yet" in refused
    assert view.refusal(role, "s3://genomes/b.vcf", changed_at + PROPAGATION) is None


def test_refusal_of_a_new_role_lasts_until_its_first_policy_has_propagated(
    view: IamView, make_role: Callable[..., str], clock: FakeClock
) -> None:
    role = make_role("a.vcf")
    view.refresh()

    assert view.refusal(role, "s3://genomes/a.vcf", clock()) is not None
    assert view.refusal(role, "s3://genomes/a.vcf", clock() + PROPAGATION) is None


def test_refusal_reads_attached_managed_policies_too(
    view: IamView, iam: Any, make_role: Callable[..., str], clock: FakeClock
) -> None:
    role = make_role()
    name = f"managed-{uuid.uuid4().hex[:8]}"
    arn = iam.create_policy(PolicyName=name, PolicyDocument=reads("m.vcf"))["Policy"]["Arn"]
    iam.attach_role_policy(RoleName=role.rsplit("/", 1)[1], PolicyArn=arn)
    view.refresh()

    assert view.refusal(role, "s3://genomes/m.vcf", clock() + PROPAGATION) is None


def test_refusal_of_an_unknown_role_says_it_does_not_exist(view: IamView, clock: FakeClock) -> None:
    role = "arn:aws:iam::123456789012:role/never-created"
    view.refresh()

    assert view.refusal(role, "s3://genomes/a.vcf", clock()) == (
        f"s3://genomes/a.vcf: access denied: role {role} does not exist in IAM"
    )


def test_refresh_of_an_unreachable_iam_keeps_the_view_and_says_why(clock: FakeClock) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        url = f"http://127.0.0.1:{sock.getsockname()[1]}"
    view = IamView(url, clock=clock)

    view.refresh()

    assert view.last_error is not None and url in view.last_error


def test_start_polls_iam_in_the_background_until_stopped(
    moto_url: str, iam: Any, make_role: Callable[..., str]
) -> None:
    view = IamView(moto_url, propagation_seconds=0.0)
    role = make_role()
    view.start(interval=0.05)
    assert view.polling
    try:
        grant(iam, role, "a.vcf")
        wait_until(
            lambda: view.refusal(role, "s3://genomes/a.vcf", time.time()) is None,
            "the background refresh to see the policy",
        )
    finally:
        view.stop()
    assert not view.polling


@pytest.fixture
def iam_emulator(omics_emulator: EmulatorHandle, moto_url: str) -> Iterator[EmulatorHandle]:
    """The fake-clock emulator judging item reads by moto's IAM, changes visible after 10 s."""
    settings: EmulatorSettings = omics_emulator.backend.settings
    settings.iam_endpoint = moto_url
    settings.iam_propagation_seconds = PROPAGATION
    yield omics_emulator
    omics_emulator.backend.close()


def test_import_job_items_fail_while_the_role_policy_change_is_not_visible(
    iam_emulator: EmulatorHandle,
    omics_client: Any,
    iam: Any,
    make_role: Callable[..., str],
    make_store: Callable[..., str],
    clock: FakeClock,
) -> None:
    store = make_store()
    role = make_role("a.vcf")
    view = iam_emulator.backend.iam_view()
    assert view is not None
    view.refresh()
    clock.advance(PROPAGATION)
    grant(iam, role, "a.vcf", "b.vcf")
    view.refresh()

    early = start(omics_client, store, role, "a.vcf", "b.vcf")
    clock.advance(4.0)
    clock.advance(PROPAGATION)
    late = start(omics_client, store, role, "b.vcf")
    clock.advance(4.0)

    items = item_statuses(omics_client, early)
    assert items["s3://genomes/a.vcf"] == ("COMPLETED", "")
    status, message = items["s3://genomes/b.vcf"]
    assert status == "FAILED" and "access denied" in message and "not visible yet" in message
    assert item_statuses(omics_client, late) == {"s3://genomes/b.vcf": ("COMPLETED", "")}


def test_import_job_without_iam_endpoint_lets_every_role_read(
    omics_client: Any, make_store: Callable[..., str], clock: FakeClock
) -> None:
    store = make_store()

    job = start(omics_client, store, "arn:aws:iam::123456789012:role/anything", "x.vcf")
    clock.advance(4.0)

    assert item_statuses(omics_client, job) == {"s3://genomes/x.vcf": ("COMPLETED", "")}


def start(client: Any, store: str, role: str, *keys: str) -> str:
    items = [{"source": f"s3://genomes/{key}"} for key in keys]
    return str(
        client.start_variant_import_job(destinationName=store, roleArn=role, items=items)["jobId"]
    )


def item_statuses(client: Any, job_id: str) -> dict[str, tuple[str, str]]:
    job = client.get_variant_import_job(jobId=job_id)
    return {i["source"]: (i["jobStatus"], i["statusMessage"]) for i in job["items"]}


def test_cli_iam_options_reach_the_emulator_settings() -> None:
    args = build_parser().parse_args(
        ["--iam-endpoint", "http://127.0.0.1:5000", "--iam-propagation-seconds", "12.5"]
    )

    settings = settings_from(args)

    assert (settings.iam_endpoint, settings.iam_propagation_seconds) == (
        "http://127.0.0.1:5000",
        12.5,
    )


def test_settings_refuse_a_negative_propagation() -> None:
    with pytest.raises(
        ValueError, match="iam_propagation_seconds must be a finite number of seconds >= 0"
    ):
        EmulatorSettings(iam_propagation_seconds=-1)
