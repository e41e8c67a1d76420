"""What HealthOmics defines: the model's string rules, statuses, quotas; input hints."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from typing import Any

import botocore.session
from botocore.model import ServiceModel

SERVICE_NAME = "omics"

# --- statuses (JobStatus and StoreStatus of the model) -------------------------------------------
JOB_ACTIVE = frozenset({"SUBMITTED", "IN_PROGRESS"})
"""Job (and item) statuses that end by themselves."""
JOB_SUCCEEDED = frozenset({"COMPLETED", "COMPLETED_WITH_FAILURES"})
"""Final job statuses in which (some) data was imported."""
JOB_UNSUCCESSFUL = frozenset({"FAILED", "CANCELLED"})
"""Final statuses in which nothing was imported (of a job, or of an item)."""
STORE_TRANSITIONAL = frozenset({"CREATING", "UPDATING"})
"""Store statuses that end by themselves (in ACTIVE or FAILED)."""

# --- quotas and API limits -----------------------------------------------------------------------
MAX_ITEMS_PER_JOB = 1000
"""HealthOmics quota: files per variant import job."""
LIST_IDS_LIMIT = 20
"""ListVariantImportJobs accepts at most this many job ids per call."""

# --- what a valid value looks like, for messages --------------------------------------------------
STORE_NAME_HINT = (
    "a variant store name is 3 to 255 characters: a lowercase letter, then lowercase letters, "
    "digits or underscores (e.g. my_variant_store)"
)
ROLE_ARN_HINT = "an IAM role ARN looks like arn:aws:iam::123456789012:role/omics-import"
SOURCE_HINT = "each source is an S3 URI s3://bucket/key, e.g. s3://my-bucket/vcf/sample1.vcf.gz"
REFERENCE_HINT = (
    "a HealthOmics reference ARN looks like "
    "arn:aws:omics:us-east-1:123456789012:referenceStore/1234567890/reference/1234567890"
)
KEY_ARN_HINT = "a KMS key ARN looks like arn:aws:kms:us-east-1:123456789012:key/1234abcd-..."


@dataclass(frozen=True)
class StringRule:
    """Length bounds and full-match pattern of one string shape."""

    min_length: int
    max_length: int | None
    pattern: re.Pattern[str] | None

    def violation(self, value: str) -> str | None:
        """Why value breaks this rule, or None when it satisfies it."""
        if len(value) < self.min_length:
            return f"is {len(value)} characters long; at least {self.min_length} are required"
        if self.max_length is not None and len(value) > self.max_length:
            return f"is {len(value)} characters long; at most {self.max_length} are allowed"
        if self.pattern is not None and not self.pattern.fullmatch(value):
            return f"does not match the pattern {self.pattern.pattern}"
        return None


REGION_RULE = StringRule(1, 64, re.compile(r"[a-z]{2}(-[a-z]+)+-\d{1,2}"))
"""AWS region names such as us-east-1 (not part of the omics model: a client setting)."""


@cache
def omics_model() -> ServiceModel:
    """botocore's service model for omics (loaded once per process)."""
    model: ServiceModel = botocore.session.get_session().get_service_model(SERVICE_NAME)
    return model


@cache
def string_rule(shape_name: str) -> StringRule:
    """The StringRule of the named string shape of the omics model."""
    return _rule_of(omics_model().shape_for(shape_name).metadata)


@cache
def map_rules(shape_name: str) -> tuple[StringRule, StringRule]:
    """The key and value StringRules of the named map shape of the omics model."""
    shape: Any = omics_model().shape_for(shape_name)
    return _rule_of(shape.key.metadata), _rule_of(shape.value.metadata)


def _rule_of(meta: dict[str, Any]) -> StringRule:
    pattern = re.compile(meta["pattern"]) if "pattern" in meta else None
    return StringRule(int(meta.get("min", 0)), meta.get("max"), pattern)
