"""Value finders and normalisers shared by the rules extractors."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from docnorm.extractors.text import field_value, is_iso_currency, money_spans, parse_amount, parse_date
from docnorm.schemas.documents import Element, FileKind, ParsedDocument, SourceDocument


def _doc(text: str) -> ParsedDocument:
    source = SourceDocument(doc_id="0" * 64, source_uri="file:///x.txt", kind=FileKind.TXT, size_bytes=len(text))
    return ParsedDocument(source=source, text=text, elements=[Element(type="Text", text=text, start=0, end=len(text))])


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("January 5th, 2025", date(2025, 1, 5)),
        ("5 March 2024", date(2024, 3, 5)),
        ("2025-02-11", date(2025, 2, 11)),
        ("03/14/1961", date(1961, 3, 14)),
        ("February 30, 2025", None),
    ],
)
def test_dates_normalise_to_iso_or_none_when_not_a_real_day(text: str, expected: date | None) -> None:
    assert parse_date(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1,234.50", Decimal("1234.50")),
        ("(450)", Decimal(-450)),
        ("-12", Decimal(-12)),
        ("—", Decimal(0)),
        ("n/a", None),
    ],
)
def test_statement_figures_parse_with_their_sign(text: str, expected: Decimal | None) -> None:
    assert parse_amount(text) == expected


def test_money_is_found_with_its_iso_currency() -> None:
    doc = _doc("pay USD 120,000 now, then $5,000.50, €2 million, and 30 LLC shares")
    assert [(code, amount) for _, code, amount in money_spans(doc)] == [
        ("USD", Decimal(120000)),
        ("USD", Decimal("5000.50")),
        ("EUR", Decimal(2_000_000)),
    ]
    assert is_iso_currency("USD") and not is_iso_currency("XYZ")


def test_a_field_value_ends_where_the_next_label_starts_on_a_flattened_line() -> None:
    doc = _doc("Patient Name: Jane Q Public DOB: 01/02/1990 MRN: MRN-1 Date of Service: May 1, 2025")
    name = field_value(doc, "patient name")
    assert name is not None and name.text == "Jane Q Public"
    assert doc.text[name.start : name.end] == "Jane Q Public"
