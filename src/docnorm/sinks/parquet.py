"""Curated rows as Arrow tables of their table's schema, and one Parquet file written atomically, owner-only."""

from __future__ import annotations

import os
from collections.abc import Sequence
from decimal import Context, Decimal, Inexact
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from docnorm.files import PRIVATE_FILE, private_folder
from docnorm.schemas.tables import Row, TableSpec

UNWRITABLE: tuple[type[Exception], ...] = (pa.ArrowException, ArithmeticError, ValueError, TypeError)
"""What converting a document's rows can raise when a value does not fit its column: the document's fault,
never the run's (an OSError writing the file is the run's)."""


def arrow_table(spec: TableSpec, rows: Sequence[Row]) -> pa.Table:
    """``rows`` under ``spec``'s Arrow schema; raises one of :data:`UNWRITABLE` for a value that does not fit."""
    schema = spec.arrow_schema
    return pa.Table.from_pylist([_fit(row, schema) for row in rows], schema=schema)


def write_file(target: Path, table: pa.Table) -> Path:
    """Write ``table`` as ``target``: a temp file renamed, owner-only."""
    private_folder(target.parent)
    temporary = target.with_name(f".{target.name}.tmp")
    pq.write_table(table, temporary, compression="zstd")
    temporary.chmod(PRIVATE_FILE)
    os.replace(temporary, target)
    return target


def _fit(row: Row, schema: pa.Schema) -> Row:
    """Decimals at their column's scale, exactly: a value that would have to be rounded raises ``Inexact``
    (validation refuses those first; the writer never changes a value either)."""
    fitted = dict(row)
    for field in schema:
        value = fitted.get(field.name)
        if isinstance(value, Decimal) and pa.types.is_decimal(field.type):
            exact = Context(prec=max(28, field.type.precision), traps=[Inexact])
            fitted[field.name] = value.quantize(Decimal(1).scaleb(-field.type.scale), context=exact)
    return fitted
