"""A ruled statement table in a PDF is read whole by pdfplumber, in place of the scattered cells of the fast strategy."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal
from pathlib import Path

from reportlab.lib import colors
from reportlab.lib.pagesizes import LETTER
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.platypus import Paragraph, SimpleDocTemplate, Table, TableStyle

from docnorm.extractors.rules.financial import extract_financial
from docnorm.schemas.financial import StatementKind
from tests.conftest import parse_file

ROWS = [
    ["", "December 31, 2024", "December 31, 2023"],
    ["Current assets:", "", ""],
    ["Cash and cash equivalents", "$ 1,000", "$ 900"],
    ["Accounts receivable", "500", "450"],
    ["Total current assets", "1,500", "1,350"],
    ["Property and equipment, net", "3,500", "3,150"],
    ["Total assets", "$ 5,000", "$ 4,500"],
    ["Total liabilities", "2,000", "1,900"],
    ["Total stockholders' equity", "3,000", "2,600"],
    ["Total liabilities and stockholders' equity", "$ 5,000", "$ 4,500"],
]


def _ruled_statement(path: Path, ruled: bool = True) -> Path:
    styles = getSampleStyleSheet()
    table = Table(ROWS)
    if ruled:
        table.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.5, colors.black)]))
    buffer = io.BytesIO()
    story = [
        Paragraph("Example Ledger Inc.", styles["Title"]),
        Paragraph("Consolidated Balance Sheets", styles["Heading2"]),
        Paragraph("(In thousands of U.S. dollars)", styles["Normal"]),
        table,
        Paragraph("See accompanying notes.", styles["Normal"]),
    ]
    SimpleDocTemplate(buffer, pagesize=LETTER, invariant=1).build(story)
    path.write_bytes(buffer.getvalue())
    return path


def test_a_ruled_statement_becomes_one_table_element_where_it_stands(tmp_path: Path) -> None:
    doc = parse_file(_ruled_statement(tmp_path / "ruled.pdf"))
    tables = [e for e in doc.elements if e.cells]
    assert len(tables) == 1
    assert tables[0].cells == [row if any(row) else row for row in ROWS]
    texts = [e.text for e in doc.elements]
    # The caption stays above the table, the note below it; no cell is left behind as loose text.
    assert (
        texts.index("Consolidated Balance Sheets")
        < texts.index(tables[0].text)
        < texts.index("See accompanying notes.")
    )
    assert "Total assets" not in [e.text for e in doc.elements if not e.cells]


def test_a_pdf_balance_sheet_takes_the_statement_table_path(tmp_path: Path) -> None:
    record = extract_financial(parse_file(_ruled_statement(tmp_path / "ruled.pdf")))
    assert record.statement_kind is not None and record.statement_kind.value is StatementKind.BALANCE_SHEET
    assert record.currency is not None and record.currency.value == "USD"
    totals = {i.concept: i.value for i in record.line_items if i.concept}
    assert totals["Assets"] == Decimal(5_000_000)
    assert totals["StockholdersEquity"] == Decimal(3_000_000)
    assert record.period_end is not None and record.period_end.value == date(2024, 12, 31)


def test_unruled_pdfs_are_left_to_the_fast_strategy(tmp_path: Path) -> None:
    doc = parse_file(_ruled_statement(tmp_path / "plain.pdf", ruled=False))
    assert not any(e.cells for e in doc.elements)
