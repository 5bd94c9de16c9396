"""The curated Parquet dataset: one folder per table, hive-partitioned by extraction date."""

from __future__ import annotations

import os
from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from docnorm.validators.tables import Row, TableSpec

PRIVATE_FILE = 0o600
PRIVATE_FOLDER = 0o700
"""Curated rows hold PHI and contract terms: owner-only, like the review queue."""


class ParquetSink:
    """Writes each micro-batch of a table as one Parquet file, atomically (temp file, then rename)."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def path(self, spec: TableSpec, *, part: str, day: date) -> Path:
        """Where a part of ``spec`` goes: ``<root>/<table>/extracted_date=<day>/part-<part>.parquet``."""
        return self.root / spec.name / f"extracted_date={day.isoformat()}" / f"part-{part}.parquet"

    def write(self, spec: TableSpec, rows: Sequence[Row], *, part: str, day: date) -> Path | None:
        """Write ``rows`` straight to their place in the dataset (None when there are none)."""
        if not rows:
            return None
        return write_file(self.path(spec, part=part, day=day), spec, rows)


def write_file(target: Path, spec: TableSpec, rows: Sequence[Row]) -> Path:
    """Write ``rows`` as ``target`` with ``spec``'s Arrow schema: a temp file renamed, owner-only."""
    schema = spec.arrow_schema
    table = pa.Table.from_pylist([_fit(row, schema) for row in rows], schema=schema)
    private_folder(target.parent)
    temporary = target.with_name(f".{target.name}.tmp")
    pq.write_table(table, temporary, compression="zstd")
    temporary.chmod(PRIVATE_FILE)
    os.replace(temporary, target)
    return target


def private_folder(folder: Path) -> None:
    """Create ``folder`` and each missing parent owner-only (``mkdir(parents=True)`` would not)."""
    missing = [p for p in (folder, *folder.parents) if not p.exists()]
    for path in reversed(missing):
        path.mkdir(mode=PRIVATE_FOLDER, exist_ok=True)


def _fit(row: Row, schema: pa.Schema) -> Row:
    """Round Decimals to their column's scale so Arrow never rejects an exact value."""
    fitted = dict(row)
    for field in schema:
        value = fitted.get(field.name)
        if isinstance(value, Decimal) and pa.types.is_decimal(field.type):
            fitted[field.name] = value.quantize(Decimal(1).scaleb(-field.type.scale))
    return fitted
