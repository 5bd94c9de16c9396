"""Table specs: one definition gives both the Arrow schema of a curated table and its pandera model."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any, TypeVar

import pandas as pd
import pandera.pandas as pa_checks
import pyarrow as pa

from docnorm.schemas.evidence import Extracted

MONEY = pa.decimal128(24, 4)
"""Money and statement figures: exact, 20 integer digits and 4 decimals."""

LINEAGE_COLUMNS: tuple[tuple[str, pa.DataType], ...] = (
    ("doc_id", pa.string()),
    ("source_uri", pa.string()),
    ("run_id", pa.string()),
    ("extractor", pa.string()),
    ("model", pa.string()),
    ("schema_version", pa.string()),
    ("prompt_version", pa.string()),
    ("extracted_at", pa.timestamp("us", tz="UTC")),
    ("llm_prompt_tokens", pa.int64()),
    ("llm_completion_tokens", pa.int64()),
    ("llm_cost_usd", pa.float64()),
    ("review_resolution", pa.string()),
    ("reviewer", pa.string()),
    ("reviewed_at", pa.timestamp("us", tz="UTC")),
    ("calibrator_version", pa.string()),
)

Row = dict[str, Any]
T = TypeVar("T")


def value_of(field: Extracted[T] | None) -> T | None:
    """The normalised value of an optional extracted field."""
    return field.value if field is not None else None


def quote_of(field: Extracted[Any] | None) -> str | None:
    """The source text of an optional extracted field (kept next to dates to check they parse)."""
    return field.quote if field is not None else None


@dataclass(frozen=True)
class Column:
    """A business column: its Arrow type and the pandera checks on its values."""

    name: str
    type: pa.DataType
    checks: Sequence[pa_checks.Check] = ()
    required: bool = False
    """A row without a value here fails the ``required`` check (the model's required fields)."""


@dataclass(frozen=True)
class TableSpec:
    """A curated table: columns, row-level and table-level checks. Lineage columns are added."""

    name: str
    columns: Sequence[Column]
    checks: Sequence[pa_checks.Check] = field(default_factory=tuple)
    source: str | None = None
    """The record's list field (dotted path) whose items are this table's rows; None for the main table
    or when the name says it (``contract_parties`` holds ``parties``)."""

    @property
    def arrow_schema(self) -> pa.Schema:
        """The stable Arrow schema written to Parquet: lineage first, then business columns."""
        fields = [pa.field(name, kind, nullable=name not in ("doc_id", "run_id")) for name, kind in LINEAGE_COLUMNS]
        return pa.schema(fields + [pa.field(c.name, c.type) for c in self.columns])

    @property
    def pandera_schema(self) -> pa_checks.DataFrameSchema:
        """The pandera model the table's rows are validated against (all failures collected)."""
        return pa_checks.DataFrameSchema(
            {
                "doc_id": pa_checks.Column(str, nullable=False),
                **{c.name: pa_checks.Column(checks=list(c.checks), nullable=not c.required) for c in self.columns},
            },
            checks=list(self.checks),
            name=self.name,
            strict=True,
        )

    def frame(self, rows: Sequence[Row]) -> pd.DataFrame:
        """Rows as a frame for the checks: Decimals as floats, dates as timestamps (tolerances apply)."""
        columns = ["doc_id", *(c.name for c in self.columns)]
        return pd.DataFrame([{k: _checkable(row.get(k)) for k in columns} for row in rows], columns=columns)


def _checkable(value: Any) -> Any:
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, date) and not isinstance(value, datetime):
        return pd.Timestamp(value)
    return value
