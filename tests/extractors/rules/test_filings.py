"""A periodic filing is read from its primary statements only: the right tables, the right column, in full units."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from docnorm.extractors.rules.financial import extract_financial
from docnorm.schemas.documents import ParsedDocument
from docnorm.schemas.financial import FinancialStatement, LineItem, StatementKind
from docnorm.validators import ValidationOptions, failures_by_document
from docnorm.validators.financial import financial_rows, financial_tables
from tests.conftest import ROOT, parse_file, parse_text

FILING = ROOT / "tests" / "fixtures" / "filing-10q.html"


@pytest.fixture(scope="module")
def filing() -> ParsedDocument:
    return parse_file(FILING)


@pytest.fixture(scope="module")
def record(filing: ParsedDocument) -> FinancialStatement:
    return extract_financial(filing)


def _line(record: FinancialStatement, kind: StatementKind, concept: str) -> LineItem:
    (line,) = [i for i in record.line_items if i.statement is kind and i.concept == concept]
    return line


def test_the_cover_page_gives_form_registrant_and_period(record: FinancialStatement) -> None:
    assert record.form is not None and record.form.value == "10-Q"
    assert record.entity is not None and record.entity.value == "EXAMPLE WIDGETS CORPORATION"
    assert record.period_end is not None and record.period_end.value == date(2025, 6, 30)
    assert record.currency is not None and record.currency.value == "USD"
    assert record.statement_kind is None  # a filing holds all three statements


def test_a_quarterly_income_statement_is_read_from_the_three_month_column(record: FinancialStatement) -> None:
    # The six-month columns come first in the table; the quarter is the third column.
    revenue = _line(record, StatementKind.INCOME, "Revenues")
    assert (revenue.label, revenue.value, revenue.period_months) == ("Total revenues", Decimal(1_250_000), 3)


def test_cash_flows_are_year_to_date_and_the_latest_year_wins_whatever_the_column_order(
    record: FinancialStatement,
) -> None:
    operating = _line(record, StatementKind.CASH_FLOW, "NetCashProvidedByUsedInOperatingActivities")
    assert (operating.value, operating.period_months) == (Decimal(630_000), 6)


def test_per_share_figures_are_not_scaled_and_parentheses_are_negative(record: FinancialStatement) -> None:
    assert _line(record, StatementKind.INCOME, "EarningsPerShareDiluted").value == Decimal("0.42")
    assert _line(record, StatementKind.INCOME, "InterestExpense").value == Decimal(-20_000)


def test_net_income_is_the_line_attributable_to_the_parent(record: FinancialStatement) -> None:
    assert _line(record, StatementKind.INCOME, "NetIncomeLoss").value == Decimal(294_000)
    assert _line(record, StatementKind.INCOME, "ProfitLoss").value == Decimal(300_000)


def test_a_balance_sheet_split_over_two_tables_is_read_whole_with_the_first_part_s_scale(
    record: FinancialStatement,
) -> None:
    assert _line(record, StatementKind.BALANCE_SHEET, "Assets").value == Decimal(3_200_000)
    assert _line(record, StatementKind.BALANCE_SHEET, "Liabilities").value == Decimal(1_750_000)
    equity = _line(record, StatementKind.BALANCE_SHEET, "StockholdersEquity")
    assert equity.label == "Total Example Widgets stockholders' equity"
    assert all(i.period_months is None for i in record.line_items if i.statement is StatementKind.BALANCE_SHEET)


def test_summaries_notes_and_parenthetical_tables_are_not_statements(record: FinancialStatement) -> None:
    labels = [i.label for i in record.line_items]
    assert labels.count("Total revenues") == 1
    assert "Total assets pledged" not in labels
    assert Decimal(9_999_000) not in [i.value for i in record.line_items]


def test_every_line_quotes_its_row_from_the_document(filing: ParsedDocument, record: FinancialStatement) -> None:
    for item in record.line_items:
        assert item.evidence is not None and item.evidence.start is not None
        assert filing.text[item.evidence.start : item.evidence.end] == item.evidence.quote
        assert item.evidence.quote.startswith(item.label)


def test_the_filing_validates_and_a_broken_subtotal_names_its_line(record: FinancialStatement) -> None:
    tables = financial_tables(ValidationOptions(balance_tolerance=0.001))

    def failures(statement: FinancialStatement) -> dict[str, list[str]]:
        rows = {name: [{**row, "doc_id": "d"} for row in rows] for name, rows in financial_rows(statement).items()}
        return {doc: [r.message for r in reasons] for doc, reasons in failures_by_document(tables, rows).items()}

    assert failures(record) == {}
    broken = [
        i.model_copy(update={"value": Decimal(1_300_000)}) if i.concept == "AssetsCurrent" else i
        for i in record.line_items
    ]
    line_no = next(n for n, i in enumerate(broken) if i.concept == "AssetsCurrent")
    assert failures(record.model_copy(update={"line_items": broken})) == {
        "d": [f"a total differs from the sum of its items (line_no {line_no})"]
    }


def test_a_filing_whose_statements_are_elsewhere_reports_no_figures(tmp_path: Path) -> None:
    cover = (
        "<html><body><p>FORM 10-K</p><p>ANNUAL REPORT PURSUANT TO SECTION 13 OR 15(d)</p>"
        "<p>For the fiscal year ended December 31, 2024</p><p>Example Holdings Inc.</p>"
        "<p>(Exact name of registrant as specified in its charter)</p>"
        "<p>Item 8. The financial statements are filed as Exhibit 13 and incorporated by reference.</p>"
        "<p>Selected data (in millions)</p><table><tr><td></td><td>2024</td><td>2023</td></tr>"
        "<tr><td>Total revenues</td><td>5,000</td><td>4,000</td></tr>"
        "<tr><td>Net income</td><td>500</td><td>400</td></tr></table></body></html>"
    )
    record = extract_financial(parse_text(tmp_path / "exhibit-10k.html", cover))
    assert record.form is not None and record.form.value == "10-K"
    assert record.entity is not None and record.entity.value == "Example Holdings Inc."
    assert record.line_items == []


def test_titles_inside_the_table_and_other_customary_titles_are_found(tmp_path: Path) -> None:
    def table(title: str, rows: str) -> str:
        return (
            f"<table><tr><td>{title}</td></tr><tr><td>(In millions)</td><td>2024</td><td>2023</td></tr>{rows}</table>"
        )

    income = "<tr><td>Total revenues</td><td>50</td><td>40</td></tr><tr><td>Income taxes</td><td>1</td><td>1</td></tr>"
    income += "<tr><td>Net income</td><td>5</td><td>4</td></tr>"
    income += "<tr><td>Other comprehensive loss</td><td>(1)</td><td>(2)</td></tr>"
    income += "<tr><td>Comprehensive income</td><td>4</td><td>2</td></tr>"
    condition = "<tr><td>Cash and due from banks</td><td>10</td><td>9</td></tr>"
    condition += (
        "<tr><td>Loans, net</td><td>90</td><td>80</td></tr><tr><td>Total assets</td><td>100</td><td>89</td></tr>"
    )
    condition += "<tr><td>Total liabilities</td><td>70</td><td>60</td></tr>"
    condition += "<tr><td>Total shareholders' equity</td><td>30</td><td>29</td></tr>"
    page = (
        "<html><body><p>FORM 10-K</p><p>For the fiscal year ended December 31, 2024</p>"
        + table("Consolidated Statements of Comprehensive Income", income)
        + table("Consolidated Statements of Condition", condition)
        + "</body></html>"
    )
    record = extract_financial(parse_text(tmp_path / "bank-10k.html", page))
    figures = {(i.statement, i.concept): i.value for i in record.line_items if i.concept}
    assert figures[(StatementKind.INCOME, "Revenues")] == Decimal(50_000_000)
    assert figures[(StatementKind.INCOME, "NetIncomeLoss")] == Decimal(5_000_000)
    assert figures[(StatementKind.BALANCE_SHEET, "Assets")] == Decimal(100_000_000)
