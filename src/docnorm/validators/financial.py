"""Financial statements as rows of financial_statements and financial_line_items."""

from __future__ import annotations

from decimal import Decimal

import pandas as pd
import pandera.pandas as pa_checks
import pyarrow as pa

from docnorm.schemas.financial import FinancialStatement, StatementKind
from docnorm.validators import checks
from docnorm.validators.options import ValidationOptions
from docnorm.validators.tables import MONEY, Column, Row, TableSpec, quote_of, value_of

_TOTALS = {
    "total_assets": "Assets",
    "total_liabilities": "Liabilities",
    "total_equity": "StockholdersEquity",
    "total_liabilities_and_equity": "LiabilitiesAndStockholdersEquity",
}
_GRAND_TOTALS = {"LiabilitiesAndStockholdersEquity"}


def financial_tables(options: ValidationOptions) -> list[TableSpec]:
    """The curated tables of the financial statement doc type and their checks."""
    tolerance = options.balance_tolerance
    return [
        TableSpec(
            "financial_statements",
            [
                Column("entity", pa.string()),
                Column("statement_kind", pa.string()),
                Column("period_start", pa.date32()),
                Column("period_start_text", pa.string()),
                Column("period_end", pa.date32()),
                Column("period_end_text", pa.string()),
                Column("currency", pa.string(), [checks.iso4217()]),
                Column("unit_scale", pa.string()),
                *(Column(name, MONEY) for name in _TOTALS),
                Column("line_item_count", pa.int32()),
            ],
            checks=[
                checks.date_parses("period_start"),
                checks.date_parses("period_end"),
                checks.ordered("period_start", "period_end"),
                _balances(tolerance),
            ],
        ),
        TableSpec(
            "financial_line_items",
            [
                Column("line_no", pa.int32()),
                Column("label", pa.string()),
                Column("concept", pa.string()),
                Column("section", pa.string()),
                Column("is_total", pa.bool_()),
                Column("value", MONEY),
                Column("period_end", pa.date32()),
            ],
            checks=[_totals_match(tolerance)],
        ),
    ]


def _balances(tolerance: float) -> pa_checks.Check:
    """assets = liabilities + equity (or = the grand total line) on balance sheets."""

    def check(df: pd.DataFrame) -> pd.Series:
        is_balance_sheet = df["statement_kind"] == StatementKind.BALANCE_SHEET.value
        assets = df["total_assets"].astype(float)
        by_parts = checks.within(
            tolerance, assets, df["total_liabilities"].astype(float) + df["total_equity"].astype(float)
        )
        by_total = checks.within(tolerance, assets, df["total_liabilities_and_equity"].astype(float))
        return ~is_balance_sheet | (by_parts & by_total)

    return pa_checks.Check(
        check, name="balance_sheet_balances", error="total assets differ from liabilities plus equity"
    )


def _totals_match(tolerance: float) -> pa_checks.Check:
    """Each total line equals the lines it closes: the items (and earlier subtotals) of its section."""

    def check(df: pd.DataFrame) -> pd.Series:
        expected = pd.Series(float("nan"), index=df.index)
        for _, group in df.sort_values("line_no").groupby(["doc_id", "section"], dropna=False, sort=False):
            open_values: list[float] = []
            for index, row in group.iterrows():
                value = float(row["value"]) if pd.notna(row["value"]) else 0.0
                if row["is_total"] and row["concept"] not in _GRAND_TOTALS and open_values:
                    expected[index] = sum(open_values)
                    open_values = [value]
                else:
                    open_values.append(value)
        return checks.within(tolerance, expected, df["value"].astype(float))

    return pa_checks.Check(check, name="totals_match_items", error="a total differs from the sum of its items")


def financial_rows(record: FinancialStatement) -> dict[str, list[Row]]:
    """Flatten one statement into its tables' rows (without lineage)."""
    totals: dict[str, Decimal | None] = {
        name: next((i.value for i in record.line_items if i.concept == concept), None)
        for name, concept in _TOTALS.items()
    }
    kind = value_of(record.statement_kind)
    scale = value_of(record.unit_scale)
    return {
        "financial_statements": [
            {
                "entity": value_of(record.entity),
                "statement_kind": kind.value if kind else None,
                "period_start": value_of(record.period_start),
                "period_start_text": quote_of(record.period_start),
                "period_end": value_of(record.period_end),
                "period_end_text": quote_of(record.period_end),
                "currency": value_of(record.currency),
                "unit_scale": scale.value if scale else None,
                **totals,
                "line_item_count": len(record.line_items),
            }
        ],
        "financial_line_items": [
            {
                "line_no": n,
                "label": item.label,
                "concept": item.concept,
                "section": item.section,
                "is_total": item.is_total,
                "value": item.value,
                "period_end": item.period_end,
            }
            for n, item in enumerate(record.line_items)
        ],
    }
