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


class ParquetSink:
    """Writes each micro-batch of a table as one Parquet file, atomically (temp file, then rename)."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def write(self, spec: TableSpec, rows: Sequence[Row], *, part: str, day: date) -> Path | None:
        """Write ``rows`` to ``<root>/<table>/extracted_date=<day>/part-<part>.parquet``."""
        if not rows:
            return None
        schema = spec.arrow_schema
        table = pa.Table.from_pylist([_fit(row, schema) for row in rows], schema=schema)
        folder = self.root / spec.name / f"extracted_date={day.isoformat()}"
        folder.mkdir(parents=True, exist_ok=True)
        target = folder / f"part-{part}.parquet"
        temporary = folder / f".part-{part}.parquet.tmp"
        pq.write_table(table, temporary, compression="zstd")
        os.replace(temporary, target)
        return target


def _fit(row: Row, schema: pa.Schema) -> Row:
    """Round Decimals to their column's scale so Arrow never rejects an exact value."""
    fitted = dict(row)
    for field in schema:
        value = fitted.get(field.name)
        if isinstance(value, Decimal) and pa.types.is_decimal(field.type):
            fitted[field.name] = value.quantize(Decimal(1).scaleb(-field.type.scale))
    return fitted
