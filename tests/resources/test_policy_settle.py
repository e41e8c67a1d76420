"""PolicySettle: the wait after a change of the import role's policy, before jobs start."""

from __future__ import annotations

import math
from typing import Any

import pytest
from pulumi.dynamic.dynamic import serialize_provider

from omics_provider.core.properties import UNKNOWN
from omics_provider.resources.policy_settle import (
    DEFAULT_SETTLE_SECONDS,
    PolicySettleProvider,
    check_inputs,
    create_settled,
    diff_inputs,
    policy_digest,
    update_settled,
)

OLD = policy_digest('{"Version":"2012-10-17","Statement":[]}')
NEW = policy_digest('{"Version":"2012-10-17","Statement":[{}]}')


class RecordingSleep:
    """A sleep that only records how long it was asked to sleep."""

    def __init__(self) -> None:
        self.calls: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.calls.append(seconds)


def inputs(digest: str = NEW, **extra: Any) -> dict[str, Any]:
    return {"resourceName": "import-role-settle", "policyDigest": digest, **extra}


@pytest.mark.parametrize(
    ("props", "failing"),
    [
        (inputs(), []),
        (inputs(seconds=0), []),
        (inputs(seconds=900), []),
        (inputs(UNKNOWN, seconds=UNKNOWN), []),
        (inputs("abc"), ["policyDigest"]),
        (inputs(seconds=-1), ["seconds"]),
        (inputs(seconds=math.nan), ["seconds"]),
        (inputs(seconds=901), ["seconds"]),
        (inputs(seconds="30"), ["seconds"]),
        (inputs(seconds=True), ["seconds"]),
    ],
)
def test_check_inputs_accepts_a_digest_and_0_to_900_seconds(
    props: dict[str, Any], failing: list[str]
) -> None:
    result = check_inputs({}, props)

    assert [failure.property for failure in result.failures] == failing


@pytest.mark.parametrize(
    ("olds", "news", "changes"),
    [
        (inputs(OLD, seconds=30), inputs(OLD, seconds=30.0), False),
        (inputs(OLD, seconds=30), inputs(NEW, seconds=30), True),
        (inputs(OLD, seconds=30), inputs(OLD, seconds=60), True),
    ],
)
def test_diff_inputs_updates_in_place_on_a_new_digest_or_seconds(
    olds: dict[str, Any], news: dict[str, Any], changes: bool
) -> None:
    result = diff_inputs(olds, news)

    assert result.changes is changes
    assert result.replaces == []


def test_create_settled_waits_then_records_the_digest(capsys: pytest.CaptureFixture[str]) -> None:
    sleep = RecordingSleep()

    result = create_settled(inputs(seconds=12), sleep)

    assert sleep.calls == [12.0]
    assert result.outs == inputs(seconds=12)
    assert result.id == f"settle-{NEW[:16]}"
    assert "[PolicySettle import-role-settle] the import role's policy changed: waiting 12 s" in (
        capsys.readouterr().err
    )


def test_create_settled_waits_the_default_when_no_seconds_given() -> None:
    sleep = RecordingSleep()

    create_settled(inputs(), sleep)

    assert sleep.calls == [DEFAULT_SETTLE_SECONDS]


def test_create_settled_with_zero_seconds_does_not_wait(capsys: pytest.CaptureFixture[str]) -> None:
    sleep = RecordingSleep()

    create_settled(inputs(seconds=0), sleep)

    assert sleep.calls == []
    assert capsys.readouterr().err == ""


@pytest.mark.parametrize(
    ("olds", "news", "waits"),
    [
        (inputs(OLD, seconds=30), inputs(NEW, seconds=30), [30.0]),
        (inputs(OLD, seconds=30), inputs(OLD, seconds=45), []),
        (inputs(OLD, seconds=30), inputs(NEW, seconds=45), [45.0]),
    ],
    ids=["policy-changed", "seconds-changed", "both-changed"],
)
def test_update_settled_waits_only_when_the_policy_changed(
    olds: dict[str, Any], news: dict[str, Any], waits: list[float]
) -> None:
    sleep = RecordingSleep()

    result = update_settled(olds, news, sleep)

    assert sleep.calls == waits
    assert result.outs == news


def test_provider_is_pickled_by_reference_to_its_stable_path() -> None:
    text = serialize_provider(PolicySettleProvider())

    assert len(text) < 200
    assert PolicySettleProvider.__module__ == "omics_provider.resources.policy_settle"
