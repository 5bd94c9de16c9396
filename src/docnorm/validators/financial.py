"""Financial statements as rows of financial_statements and financial_line_items."""

from __future__ import annotations

import re
from decimal import Decimal

import pandas as pd
import pandera.pandas as pa_checks
import pyarrow as pa

from docnorm.schemas.financial import FinancialStatement, LineItem, StatementKind
from docnorm.schemas.tables import MONEY, Column, Row, TableSpec, quote_of, value_of
from docnorm.validators import checks
from docnorm.validators.options import ValidationOptions

_TOTALS = {
    "total_assets": "Assets",
    "total_liabilities": "Liabilities",
    "total_equity": "StockholdersEquity",
    "total_equity_with_noncontrolling": "StockholdersEquityIncludingPortionAttributableToNoncontrollingInterest",
    "total_liabilities_and_equity": "LiabilitiesAndStockholdersEquity",
    "revenue": "Revenues",
    "net_income": "NetIncomeLoss",
    "eps_diluted": "EarningsPerShareDiluted",
    "operating_cash_flow": "NetCashProvidedByUsedInOperatingActivities",
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
                Column("form", pa.string()),
                Column("statement_kind", pa.string()),
                Column("period_start", pa.date32()),
                Column("period_start_text", pa.string()),
                Column("period_end", pa.date32()),
                Column("period_end_text", pa.string()),
                Column("currency", pa.string(), [checks.iso4217()]),
                Column("unit_scale", pa.string()),
                *(Column(name, MONEY) for name in _TOTALS),
                Column("line_item_count", pa.int32()),
                Column("unmapped_line_count", pa.int32()),
            ],
            checks=[
                checks.date_parses("period_start"),
                checks.date_parses("period_end"),
                checks.ordered("period_start", "period_end"),
                _balances(tolerance),
                _eps_sign(),
            ],
        ),
        TableSpec(
            "financial_line_items",
            [
                Column("line_no", pa.int32()),
                Column("statement_kind", pa.string()),
                Column("label", pa.string()),
                Column("concept", pa.string()),
                Column("section", pa.string()),
                Column("is_total", pa.bool_()),
                Column("value", MONEY),
                Column("period_end", pa.date32()),
                Column("period_months", pa.int32()),
            ],
            checks=[_totals_match(tolerance)],
        ),
    ]


def _balances(tolerance: float) -> pa_checks.Check:
    """Assets = liabilities + equity (noncontrolling interests included) or = the grand total line."""

    def check(df: pd.DataFrame) -> pd.Series:
        is_balance_sheet = df["statement_kind"] == StatementKind.BALANCE_SHEET.value
        assets = df["total_assets"].astype(float)
        equity = df["total_equity_with_noncontrolling"].astype(float).fillna(df["total_equity"].astype(float))
        by_parts = checks.within(tolerance, assets, df["total_liabilities"].astype(float) + equity)
        by_total = checks.within(tolerance, assets, df["total_liabilities_and_equity"].astype(float))
        return ~is_balance_sheet | (by_parts & by_total)

    return pa_checks.Check(
        check, name="balance_sheet_balances", error="total assets differ from liabilities plus equity"
    )


def _eps_sign() -> pa_checks.Check:
    """Diluted earnings per share carry the sign of net income (a loss is a loss per share)."""

    def check(df: pd.DataFrame) -> pd.Series:
        income, eps = df["net_income"].astype(float), df["eps_diluted"].astype(float)
        both = income.notna() & eps.notna() & (income != 0) & (eps != 0)
        return ~both | ((income > 0) == (eps > 0))

    return pa_checks.Check(check, name="eps_sign_matches_net_income", error="diluted EPS and net income differ in sign")


def _totals_match(tolerance: float) -> pa_checks.Check:
    """A total line named after its section ("Total current assets" under "Current assets") equals
    the sum of the section's lines; other totals are left to the statement-level checks."""

    def check(df: pd.DataFrame) -> pd.Series:
        expected = pd.Series(float("nan"), index=df.index)
        keys = ["doc_id", "statement_kind", "section"]
        for (_, _, section), group in df.sort_values("line_no").groupby(keys, dropna=False, sort=False):
            if not isinstance(section, str):
                continue
            open_values: list[float] = []
            for index, row in group.iterrows():
                value = float(row["value"]) if pd.notna(row["value"]) else 0.0
                if not row["is_total"]:
                    open_values.append(value)
                    continue
                if _closes(str(row["label"]), section) and open_values:
                    expected[index] = sum(open_values)
                open_values = [value]  # a subtotal stands for the lines above it
        return checks.within(tolerance, expected, df["value"].astype(float))

    return pa_checks.Check(check, name="totals_match_items", error="a total differs from the sum of its items")


def _closes(label: str, section: str) -> bool:
    """True when a total's label names its (innermost) heading: "Total current assets" closes
    "Current assets"; "Total assets" does not close "Assets: Current assets"."""
    words = _words(label) - {"total"}
    return bool(words) and words == _words(section.rsplit(": ", 1)[-1])


def _words(text: str) -> set[str]:
    return {
        w
        for w in re.sub(r"[^a-z ]", " ", text.lower().replace("’", "'").replace("'", "")).split()
        if w not in {"and", "of", "the", "net"}
    }


def _kind_name(kind: StatementKind | None) -> str | None:
    return kind.value if kind else None


def _headline(lines: list[LineItem], concept: str) -> Decimal | None:
    """The value of the line carrying ``concept``, a total line first."""
    matching = [i for i in lines if i.concept == concept]
    best = next((i for i in matching if i.is_total), matching[0] if matching else None)
    return best.value if best else None


def financial_rows(record: FinancialStatement) -> dict[str, list[Row]]:
    """Flatten one document into its tables' rows (without lineage): a row per statement it holds."""
    record_kind = value_of(record.statement_kind)
    kinds = list(dict.fromkeys(item.statement or record_kind for item in record.line_items)) or [record_kind]
    scale = value_of(record.unit_scale)
    statements = []
    for kind in kinds:
        lines = [i for i in record.line_items if (i.statement or record_kind) == kind]
        totals = {name: _headline(lines, concept) for name, concept in _TOTALS.items()}
        statements.append(
            {
                "entity": value_of(record.entity),
                "form": value_of(record.form),
                "statement_kind": _kind_name(kind),
                "period_start": value_of(record.period_start),
                "period_start_text": quote_of(record.period_start),
                "period_end": value_of(record.period_end),
                "period_end_text": quote_of(record.period_end),
                "currency": value_of(record.currency),
                "unit_scale": scale.value if scale else None,
                **totals,
                "line_item_count": len(lines),
                "unmapped_line_count": sum(1 for i in lines if i.concept is None),
            }
        )
    return {
        "financial_statements": statements,
        "financial_line_items": [
            {
                "line_no": n,
                "statement_kind": _kind_name(item.statement or record_kind),
                "label": item.label,
                "concept": item.concept,
                "section": item.section,
                "is_total": item.is_total,
                "value": item.value,
                "period_end": item.period_end,
                "period_months": item.period_months,
            }
            for n, item in enumerate(record.line_items)
        ],
    }
