"""Appending batches to stack files of every layout, byte for byte, or refusing in one line."""

from __future__ import annotations

from pathlib import Path

import pytest

from omics_stack.errors import CommandError
from omics_stack.stack_file import append_batches, locate, read_stack
from tests.stack.conftest import STACK, stack_file

NEW = [{"name": "in-001", "manifest": "stacks/manifests/test/in-001.txt"}]
ADDED = "    - name: in-001\n      manifest: stacks/manifests/test/in-001.txt\n"


def appended(project: Path, text: str) -> str:
    stack_file(project).write_bytes(text.encode())
    return append_batches(read_stack(locate(STACK, None, project)), NEW)


@pytest.mark.parametrize(
    ("before", "after"),
    [
        pytest.param(
            "config:\n  k:v: 1\n  omics-variant-import:imports: []  # none yet\n  z:z: 2\n",
            "config:\n  k:v: 1\n  omics-variant-import:imports:   # none yet\n"
            + ADDED
            + "  z:z: 2\n",
            id="empty-flow-list",
        ),
        pytest.param(
            "config:\n  omics-variant-import:imports:\n",
            "config:\n  omics-variant-import:imports:\n" + ADDED,
            id="key-without-value",
        ),
        pytest.param(
            "config:\r\n  omics-variant-import:imports:\r\n    - name: a\r\n"
            "      sources: [s3://bucket-a/x.vcf]\r\n",
            "config:\r\n  omics-variant-import:imports:\r\n    - name: a\r\n"
            "      sources: [s3://bucket-a/x.vcf]\r\n" + ADDED.replace("\n", "\r\n"),
            id="crlf",
        ),
        pytest.param(
            "config:\n  omics-variant-import:imports:\n  - name: a\n    sources:\n"
            "    - s3://bucket-a/x.vcf\n    # - s3://bucket-a/y.vcf (held back)\n# end\n",
            "config:\n  omics-variant-import:imports:\n  - name: a\n    sources:\n"
            "    - s3://bucket-a/x.vcf\n    # - s3://bucket-a/y.vcf (held back)\n"
            + ADDED.replace("    ", "  ", 1).replace("      ", "    ")
            + "# end\n",
            id="unindented-list-and-comments",
        ),
        pytest.param(
            "config:\n  a:b: 1",
            "config:\n  a:b: 1\n  omics-variant-import:imports:\n" + ADDED,
            id="no-final-newline",
        ),
    ],
)
def test_append_batches_changes_nothing_but_the_added_lines(
    project: Path, before: str, after: str
) -> None:
    assert appended(project, before) == after


def test_append_batches_refuses_a_flow_list_of_batches(project: Path) -> None:
    text = "config:\n  omics-variant-import:imports: [{name: a, sources: [s3://bucket-a/x.vcf]}]\n"

    with pytest.raises(CommandError, match="write omics-variant-import:imports as a block list"):
        appended(project, text)
