"""The unstructured adapter: every format parses offline into elements laid over one canonical text."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from reportlab.pdfgen import canvas

from docnorm.parsers import check_parser_environment
from docnorm.parsers.tables import html_table_cells
from docnorm.schemas.documents import ParsedDocument
from docnorm.schemas.errors import ParseError
from tests.conftest import parse_file


def test_the_spacy_model_unstructured_needs_is_installed() -> None:
    check_parser_environment()


@pytest.mark.parametrize(
    "name",
    [
        "master-services-agreement.pdf",
        "non-disclosure-agreement.docx",
        "supply-agreement.html",
        "lease-agreement.eml",
        "consulting-agreement.txt",
    ],
)
def test_element_offsets_index_the_canonical_text(parsed_examples: dict[str, ParsedDocument], name: str) -> None:
    doc = parsed_examples[name]
    assert len(doc.elements) >= 5
    for element in doc.elements:
        assert doc.text[element.start : element.end] == element.text
    assert "AGREEMENT" in doc.elements[0].text


def test_pdf_elements_have_page_numbers(parsed_examples: dict[str, ParsedDocument]) -> None:
    assert {e.page for e in parsed_examples["master-services-agreement.pdf"].elements} == {1}


@pytest.mark.parametrize(("name", "rows"), [("balance-sheet-acme-2024.html", 19), ("cash-flow-initech-2024.docx", 11)])
def test_tables_keep_their_cells(parsed_examples: dict[str, ParsedDocument], name: str, rows: int) -> None:
    table = next(e for e in parsed_examples[name].elements if e.cells)
    assert len(table.cells or []) == rows
    assert ["Total assets", "5,600"] in (table.cells or []) or ["Capital expenditures", "(450)"] in (table.cells or [])


def test_a_pdf_without_a_text_layer_is_an_error_never_an_empty_result(tmp_path: Path) -> None:
    buffer = io.BytesIO()
    page = canvas.Canvas(buffer)
    page.rect(50, 50, 100, 100, fill=1)
    page.showPage()
    page.save()
    path = tmp_path / "scan.pdf"
    path.write_bytes(buffer.getvalue())
    with pytest.raises(ParseError) as caught:
        parse_file(path)
    assert caught.value.reason == "no_text_layer"


def test_html_table_cells_skip_empty_rows_and_collapse_whitespace() -> None:
    html = "<table><tr><td> Total\n assets </td><td>1,000</td></tr><tr></tr></table>"
    assert html_table_cells(html) == [["Total assets", "1,000"]]


def test_a_megabyte_without_line_breaks_is_folded_without_losing_words() -> None:
    from docnorm.parsers.unstructured_adapter import fold_long_lines

    text = "word " * 200_000 + "\n" + "x" * 4_500
    folded = fold_long_lines(text, width=2000)
    assert max(len(line) for line in folded.splitlines()) <= 2000
    assert folded.split() == text.split()[:-1] + ["x" * 2000, "x" * 2000, "x" * 500]
