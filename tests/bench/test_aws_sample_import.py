"""The bench's baseline does the work ours does: every row, in chunked appends (one each)."""

from __future__ import annotations

from pathlib import Path

import pytest
from pyiceberg.table import Table

from bench import aws_sample_import
from tests.support.vcf_files import cohort


def test_import_lines_appends_every_row_in_chunks(
    table: Table, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(aws_sample_import, "CHUNK_ROWS", 100)
    path = tmp_path / "c.vcf.gz"
    path.write_bytes(cohort(3, 120).encoded("gzip"))
    rows = aws_sample_import.import_lines(table, str(path), "s3://b/c.vcf.gz", "b")
    table.refresh()
    assert rows == table.scan().to_arrow().num_rows == 360
    assert len(table.snapshots()) == 4  # 100 + 100 + 100 + 60 rows: a half-done file is possible
