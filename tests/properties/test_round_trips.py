"""Property-based tests for the pieces that are easy to get subtly wrong.

Offsets ↔ evidence spans, money and date normalisation, and rows ↔ Parquet for every table.
"""

from __future__ import annotations

import tempfile
from datetime import UTC, date
from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from docnorm.doctypes.builtin import REGISTRY
from docnorm.extractors.text import parse_amount, parse_date
from docnorm.parsers.intake import Intake
from docnorm.parsers.unstructured_adapter import assemble
from docnorm.schemas.documents import FileKind, ParsedDocument, SourceDocument
from docnorm.schemas.tables import TableSpec
from docnorm.sinks.parquet import arrow_table, write_file
from docnorm.validators.options import ValidationOptions
from docnorm.validators.provenance import PROVENANCE

# ---- offsets and evidence -------------------------------------------------------------------

_SOURCE = SourceDocument(doc_id="0" * 64, source_uri="file:///x.txt", kind=FileKind.TXT, size_bytes=1)
element_texts = st.lists(
    st.text(min_size=1, max_size=40).filter(lambda t: t.strip() == t and t), min_size=1, max_size=12
)


def _document(texts: list[str]) -> ParsedDocument:
    raw = [SimpleNamespace(text=t, category="NarrativeText", metadata=SimpleNamespace(page_number=i // 3 + 1))
           for i, t in enumerate(texts)]  # fmt: skip
    return assemble(Intake(_SOURCE, b"", None), raw)


@given(element_texts)
def test_every_element_span_reads_back_its_text(texts: list[str]) -> None:
    doc = _document(texts)
    assert [doc.text[e.start : e.end] for e in doc.elements] == texts


@given(element_texts, st.data())
def test_evidence_of_an_excerpt_placed_back_equals_evidence_in_the_whole(texts: list[str], data: st.DataObject) -> None:
    doc = _document(texts)
    first = data.draw(st.integers(0, len(texts) - 1))
    last = data.draw(st.integers(first, len(texts) - 1))
    excerpt = doc.excerpt(first, last)
    start = data.draw(st.integers(0, len(excerpt.text)))
    end = data.draw(st.integers(start, len(excerpt.text)))
    local = excerpt.evidence(start, end)
    placed = local.shifted(doc.elements[first].start, first)
    whole = doc.evidence(start + doc.elements[first].start, end + doc.elements[first].start)
    assert local.quote == excerpt.text[start:end] == whole.quote
    assert (placed.start, placed.end, placed.page) == (whole.start, whole.end, whole.page)
    if start < end:  # an empty span sits between elements: which one it names is a convention
        assert placed.element == whole.element


# ---- money and dates ------------------------------------------------------------------------

amounts = st.decimals(min_value=Decimal("-1e12"), max_value=Decimal("1e12"), places=2, allow_nan=False)


@given(amounts, st.booleans(), st.booleans())
def test_a_printed_amount_parses_back_to_its_value(value: Decimal, symbol: bool, parentheses: bool) -> None:
    printed = f"{abs(value):,.2f}"
    if symbol:
        printed = "$" + printed
    if value < 0:
        printed = f"({printed})" if parentheses else f"-{printed}"
    assert parse_amount(printed) == value


@pytest.mark.parametrize("form", ["%B %d, %Y", "%b %d, %Y", "%Y-%m-%d", "%m/%d/%Y", "%d %B %Y", "%dth day of %B, %Y"])
@given(day=st.dates(min_value=date(1900, 1, 1), max_value=date(2100, 12, 31)))
def test_a_written_date_parses_back_to_its_day(form: str, day: date) -> None:
    assert parse_date(day.strftime(form)) == day


# ---- rows and Parquet -----------------------------------------------------------------------


def _values(kind: pa.DataType) -> st.SearchStrategy[object]:
    if pa.types.is_string(kind):
        return st.text(max_size=30)
    if pa.types.is_decimal(kind):
        bound = Decimal(10) ** (kind.precision - kind.scale) - 1
        return st.decimals(min_value=-bound, max_value=bound, places=kind.scale, allow_nan=False)
    if pa.types.is_date(kind):
        return st.dates()
    if pa.types.is_timestamp(kind):
        return st.datetimes(timezones=st.just(UTC))
    if pa.types.is_integer(kind):
        bits = kind.bit_width - 1
        return st.integers(-(2**bits), 2**bits - 1)
    if pa.types.is_floating(kind):
        return st.floats(allow_nan=False, allow_infinity=False)
    if pa.types.is_boolean(kind):
        return st.booleans()
    if pa.types.is_list(kind):
        return st.lists(_values(kind.value_type), max_size=3)
    raise AssertionError(f"no strategy for {kind}")


def _rows(spec: TableSpec) -> st.SearchStrategy[list[dict[str, object]]]:
    columns = {f.name: (st.none() | _values(f.type)) if f.nullable else _values(f.type) for f in spec.arrow_schema}
    return st.lists(st.fixed_dictionaries(columns), min_size=1, max_size=5)


TABLES = [t for spec in REGISTRY for t in spec.tables(ValidationOptions())] + [PROVENANCE]


@pytest.mark.parametrize("spec", TABLES, ids=lambda t: t.name)
@settings(max_examples=25, deadline=None)
@given(data=st.data())
def test_rows_read_back_from_parquet_unchanged(spec: TableSpec, data: st.DataObject) -> None:
    rows = data.draw(_rows(spec))
    with tempfile.TemporaryDirectory() as folder:
        target = write_file(Path(folder) / f"{spec.name}.parquet", arrow_table(spec, rows))
        assert pq.read_table(target).to_pylist() == rows
