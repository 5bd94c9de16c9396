"""The Parquet sink writes stable Arrow types that pyarrow and DuckDB read back exactly."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

from docnorm.sinks.curated import curated_path
from docnorm.sinks.parquet import arrow_table, write_file
from docnorm.validators import ValidationOptions
from docnorm.validators.financial import financial_tables

LINEAGE = {
    "doc_id": "d1",
    "source_uri": "file:///x",
    "run_id": "r1",
    "extractor": "rules",
    "model": None,
    "schema_version": "1",
    "extracted_at": datetime(2025, 1, 1, tzinfo=UTC),
}


def test_money_is_decimal_and_dates_are_date32_when_read_back(tmp_path: Path) -> None:
    spec = financial_tables(ValidationOptions())[1]
    row = {**LINEAGE, "line_no": 0, "label": "Cash", "concept": "Cash", "section": "Assets", "is_total": False,
           "value": Decimal("1234.5678"), "period_end": date(2024, 12, 31)}  # fmt: skip
    path = write_file(curated_path(tmp_path, spec, part="r1-00000", day=date(2025, 1, 2)), arrow_table(spec, [row]))
    assert path == tmp_path / "curated" / "financial_line_items" / "extracted_date=2025-01-02" / "part-r1-00000.parquet"
    table = pq.read_table(path)
    assert table.schema.field("value").type == pa.decimal128(24, 4)
    assert table.schema.field("period_end").type == pa.date32()
    assert table.column("value")[0].as_py() == Decimal("1234.5678")
    assert not list(path.parent.glob(".*"))  # no temporary file left behind
    with duckdb.connect() as con:
        [(value, day)] = con.execute(
            f"select value, extracted_date from read_parquet('{tmp_path}/curated/financial_line_items/**/*.parquet', "
            "hive_partitioning=true)"
        ).fetchall()
    assert value == Decimal("1234.5678") and str(day) == "2025-01-02"
