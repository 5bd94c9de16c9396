"""One Parquet file of a curated table, written with the table's Arrow schema, atomically and owner-only."""

from __future__ import annotations

import os
from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from docnorm.files import PRIVATE_FILE, private_folder
from docnorm.schemas.tables import Row, TableSpec


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


def _fit(row: Row, schema: pa.Schema) -> Row:
    """Round Decimals to their column's scale so Arrow never rejects an exact value."""
    fitted = dict(row)
    for field in schema:
        value = fitted.get(field.name)
        if isinstance(value, Decimal) and pa.types.is_decimal(field.type):
            fitted[field.name] = value.quantize(Decimal(1).scaleb(-field.type.scale))
    return fitted
