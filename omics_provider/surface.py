"""The declared surface of omics_provider for this project's other packages (omics_stack).

omics_stack (the stack program, `plan` and `verify`) imports omics_provider's resources from
the package itself, its exceptions from `omics_provider.errors`, and everything else from here:
the service's rules and hints, the input checker, the AWS helpers. Nothing else of the layers;
`tests/architecture/test_layers.py` keeps it so. A name is added here when another package needs
it, never imported around it.
"""

from omics_provider.aws.calls import CallContext
from omics_provider.aws.clients import AwsSettings, build_omics_client, is_aws_endpoint
from omics_provider.aws.errors import error_code, error_message
from omics_provider.aws.iceberg_catalog import s3_tables_catalog
from omics_provider.aws.omics_api import OmicsApi
from omics_provider.core.errors import ProviderError
from omics_provider.core.kinds import ANNOTATION_IMPORT, VARIANT_IMPORT, JobKind
from omics_provider.core.namespace import CONFIG_NAMESPACE
from omics_provider.core.progress import Progress
from omics_provider.core.redaction import redact
from omics_provider.core.role_policy import check_kms_key_arns
from omics_provider.core.service import (
    JOB_ACTIVE,
    MAX_ITEMS_PER_JOB,
    REFERENCE_HINT,
    ROLE_ARN_HINT,
    SOURCE_HINT,
    STORE_NAME_HINT,
    string_rule,
)
from omics_provider.core.timing import SYSTEM_CLOCK, Deadline
from omics_provider.core.validation import (
    QUOTED_CHARACTERS,
    Checker,
    endpoint_problem,
    has_control_character,
    number_from_text,
    quoted,
)
from omics_provider.flows.store_history import Holdings, read_store
from omics_provider.resources.annotation_store import VERSION_NAME_HINT
from omics_provider.resources.import_job import check_format_options
from omics_provider.resources.policy_settle import DEFAULT_SETTLE_SECONDS, MAX_SETTLE_SECONDS
from omics_provider.resources.table_inputs import check_catalog, check_table, check_table_bucket

__all__ = [
    "ANNOTATION_IMPORT",
    "CONFIG_NAMESPACE",
    "DEFAULT_SETTLE_SECONDS",
    "JOB_ACTIVE",
    "MAX_ITEMS_PER_JOB",
    "MAX_SETTLE_SECONDS",
    "QUOTED_CHARACTERS",
    "REFERENCE_HINT",
    "ROLE_ARN_HINT",
    "SOURCE_HINT",
    "STORE_NAME_HINT",
    "SYSTEM_CLOCK",
    "VARIANT_IMPORT",
    "VERSION_NAME_HINT",
    "AwsSettings",
    "CallContext",
    "Checker",
    "Deadline",
    "Holdings",
    "JobKind",
    "OmicsApi",
    "Progress",
    "ProviderError",
    "build_omics_client",
    "check_catalog",
    "check_format_options",
    "check_kms_key_arns",
    "check_table",
    "check_table_bucket",
    "endpoint_problem",
    "error_code",
    "error_message",
    "has_control_character",
    "is_aws_endpoint",
    "number_from_text",
    "quoted",
    "read_store",
    "redact",
    "s3_tables_catalog",
    "string_rule",
]
