"""Rules for financial statements: header facts and every line with a figure, from tables or text lines."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from docnorm.extractors.classify import Cue
from docnorm.extractors.concepts import concept_for, is_known_label
from docnorm.extractors.rules import cover, filings
from docnorm.extractors.rules.statement_tables import scale_of
from docnorm.extractors.text import (
    DATE,
    NUMBER,
    currency_code,
    extracted_date,
    extracted_text,
    field_value,
    find,
    parse_amount,
)
from docnorm.schemas.documents import ParsedDocument
from docnorm.schemas.evidence import Extracted
from docnorm.schemas.financial import FinancialStatement, LineItem, StatementKind, UnitScale

_TITLE_LINE = r"(?m)^[^\S\n]*(?:[\w&.,'’ -]{{0,60}}\s)?(?:consolidated |condensed |combined )*(?:{})\b[^\n.;:]{{0,60}}$"
CUES = [
    Cue("periodic_report", r"\bform\s+10-[KQ]\b|\b(?:annual|quarterly) report pursuant to section 13", 6.0),
    # A statement's title stands on a line of its own; a contract that lists the reports it expects
    # ("a balance sheet; a cash flow statement") only mentions them.
    Cue("balance_sheet", rf"{_TITLE_LINE.format(r'balance sheets?|statements? of financial position')}", 3.0),
    Cue(
        "income_statement",
        rf"{_TITLE_LINE.format(r'income statements?|statements? of (?:operations|income|earnings)|profit and loss')}",
        3.0,
    ),
    Cue("cash_flow", rf"{_TITLE_LINE.format(r'statements? of cash flows?')}", 3.0),
    Cue("statement_mentions", r"\bbalance sheets?\b|statements? of (?:operations|income|earnings|cash flows?)", 0.5),
    Cue("totals", r"\btotal (assets|liabilities|revenues?|equity|current)\b", 1.0),
    Cue("net_income", r"\bnet (income|loss|earnings)\b", 1.0),
    Cue("scale", r"\bin (thousands|millions)\b", 1.5),
    Cue("fiscal_period", r"\b(fiscal )?(year|quarter|months) ended\b", 1.0),
]

_KINDS = [
    (StatementKind.BALANCE_SHEET, r"(?P<v>balance sheets?|statements? of financial position)"),
    (StatementKind.CASH_FLOW, r"(?P<v>statements? of cash flows?)"),
    (StatementKind.INCOME, r"(?P<v>income statements?|statements? of (?:operations|income|earnings)|profit and loss)"),
]
_COMPANY = r"(?:Inc\.?|LLC|Ltd\.?|Limited|Corporation|Corp\.?|Company|plc|GmbH|S\.A\.)"
_VALUE = re.compile(rf"(?:[$€£]\s?)?(?:{NUMBER}|—|–)")
_PAIR = re.compile(
    # Labels are bounded: an unbounded lazy label backtracks quadratically over long prose lines.
    rf"(?P<label>[A-Za-z][A-Za-z0-9 ,'’&/\-]{{0,80}}?(?:\([A-Za-z ]{{1,40}}\))?[A-Za-z)])[\s.:]+"
    rf"(?P<figure>{_VALUE.pattern})(?:\s+{_VALUE.pattern})*(?=\s|$)"
)


@dataclass(frozen=True)
class _Row:
    label: str
    figure: str | None
    start: int
    end: int


def extract_financial(doc: ParsedDocument) -> FinancialStatement:
    """Read the primary statements with their header facts and every line item.

    A periodic filing (its cover names the form) is read from its statement tables
    only, so a filing whose statements sit in an exhibit yields no figures rather
    than figures from the notes. A statement captioned above a table (HTML, DOCX,
    a ruled PDF table) is read from the table; otherwise line by line.
    """
    form = cover.form_of(doc)
    statements = filings.locate(doc, form.value if form else None)
    if form is not None or statements:
        return _from_tables(doc, form, statements)
    scale = _scale(doc)
    period_end = _period_end(doc)
    period_start = extracted_date(doc, field_value(doc, r"period start", DATE))
    factor = scale.value.factor if scale and scale.value else Decimal(1)
    end_value = period_end.value if period_end else None
    kind = _kind(doc)
    lines = list(_line_items(doc, factor, end_value, kind.value if kind else None))
    return FinancialStatement(
        entity=_entity(doc),
        statement_kind=kind,
        period_start=period_start,
        period_end=period_end,
        currency=_currency(doc),
        unit_scale=scale,
        line_items=filings.resolve_repeats(lines),
    )


def _from_tables(
    doc: ParsedDocument, form: Extracted[str] | None, statements: list[filings.Statement]
) -> FinancialStatement:
    period_end = cover.period_of(doc)
    if period_end is None and form is None:
        period_end = _period_end(doc) or (filings.column_date(doc, statements[0]) if statements else None)
    end_value = period_end.value if period_end else None
    kinds = {s.kind for s in statements}
    only = next(iter(kinds)) if len(kinds) == 1 else None
    first = statements[0] if statements else None
    scale = filings.scale_of_statement(doc, first) if first else None
    return FinancialStatement(
        entity=cover.registrant_of(doc) or _entity(doc),
        form=form,
        statement_kind=Extracted[StatementKind](value=only) if only else None,
        period_end=period_end,
        # A filing's cover is full of three-letter words; only a bare statement may name its currency in prose.
        currency=filings.currency_of(doc, statements)
        if form
        else _currency(doc) or filings.currency_of(doc, statements),
        unit_scale=scale,
        line_items=[item for s in statements for item in filings.line_items(doc, s, end_value)],
    )


def _period_end(doc: ParsedDocument) -> Extracted[date] | None:
    return extracted_date(
        doc,
        field_value(doc, r"period end(?:ing)?|as of", DATE)
        or find(doc, rf"(?:as of|as at|ended|ending)\s+(?P<v>{DATE})"),
    )


def _entity(doc: ParsedDocument) -> Extracted[str] | None:
    span = field_value(doc, r"company|entity|registrant")
    if span is None:
        span = find(doc, rf"(?P<v>[A-Z][\w&.,' -]{{1,80}}?\b{_COMPANY})", flags=0)
    return extracted_text(doc, span)


def _kind(doc: ParsedDocument) -> Extracted[StatementKind] | None:
    found = [(span, kind) for kind, pattern in _KINDS if (span := find(doc, pattern)) is not None]
    if not found:
        return None
    span, kind = min(found, key=lambda item: item[0].start)
    return Extracted[StatementKind](value=kind, evidence=doc.evidence(span.start, span.end))


def _scale(doc: ParsedDocument) -> Extracted[UnitScale]:
    span = find(doc, r"in (?P<v>thousands|millions)\b")
    if span is None:
        return Extracted[UnitScale](value=UnitScale.UNITS)
    return Extracted[UnitScale](value=scale_of(span.text)[0], evidence=doc.evidence(span.start, span.end))


def _currency(doc: ParsedDocument) -> Extracted[str] | None:
    span = field_value(doc, r"currency", r"[A-Za-z]{3}") or find(
        doc, r"in (?:thousands |millions )?(?:of )?(?P<v>U\.S\. dollars|dollars|euros|pounds sterling|[A-Z]{3})\b"
    )
    if span is None:
        span = find(doc, r"(?P<v>[$€£])\s?\d")
    if span is None:
        return None
    return Extracted[str](value=currency_code(span.text), evidence=doc.evidence(span.start, span.end))


def _rows(doc: ParsedDocument) -> Iterator[_Row]:
    for element in doc.elements:
        if element.cells:
            yield from _table_rows(doc, element.cells, element.start, element.end)
            continue
        offset = element.start
        for line in element.text.split("\n"):
            yield from _text_rows(line, offset)
            offset += len(line) + 1


def _table_rows(doc: ParsedDocument, cells: list[list[str]], start: int, end: int) -> Iterator[_Row]:
    cursor = start
    for row in cells:
        label = next((c for c in row if c and not _VALUE.fullmatch(c)), "")
        figures = [c for c in row[1:] if c and _VALUE.fullmatch(c)]
        position = doc.text.find(label, cursor, end) if label else -1
        if position < 0:
            continue
        cursor = position + len(label)
        figure = figures[0] if figures else None
        figure_at = doc.text.find(figure, cursor, end) if figure else -1
        if figure and figure_at >= 0:
            yield _Row(label, figure, position, figure_at + len(figure))
        else:
            yield _Row(label, None, position, cursor)


def _text_rows(line: str, offset: int) -> Iterator[_Row]:
    """Label-figure pairs of a text line (a flattened PDF line may hold several), else the bare line."""
    found = False
    matches = _PAIR.finditer(line) if any(c.isdigit() for c in line) else iter(())
    for match in matches:
        found = True
        figure = match.group("figure")
        at = offset + match.start("figure")
        label = match.group("label").rstrip(" :.")
        heading, label = _split_heading(label)
        start = offset + match.start("label")
        if heading:
            yield _Row(heading, None, start, start + len(heading))
            start = offset + line.find(label, match.start("label"))
        yield _Row(label, figure, start, at + len(figure))
    if not found and line.strip():
        lead = len(line) - len(line.lstrip())
        yield _Row(line.strip(), None, offset + lead, offset + len(line.rstrip()))


def _split_heading(label: str) -> tuple[str | None, str]:
    """Split "Operating expenses Research and development" (a heading run into a line) in two."""
    if is_known_label(label):
        return None, label
    words = label.split()
    for cut in range(1, min(len(words), 5)):
        head, tail = " ".join(words[:cut]), " ".join(words[cut:])
        if is_known_label(tail) and _is_heading(head):
            return head, tail
    return None, label


def _line_items(
    doc: ParsedDocument, factor: Decimal, period_end: date | None, kind: StatementKind | None
) -> Iterator[LineItem]:
    section: str | None = None
    for row in _rows(doc):
        if row.figure is None:
            if _is_heading(row.label):
                section = row.label.rstrip(":").strip()
            continue
        if re.fullmatch(r"(?:19|20)\d\d", row.figure.strip("() ")) or re.search(DATE, row.label):
            continue  # a column header such as "2025  2024"
        reported = parse_amount(row.figure)
        yield LineItem(
            label=row.label,
            concept=concept_for(row.label, statement=kind),
            section=section,
            is_total=bool(re.match(r"total\b", row.label, re.IGNORECASE)),
            value=None if reported is None else reported * factor,
            period_end=period_end,
            evidence=doc.evidence(row.start, row.end, "statement_row"),
        )


def _is_heading(label: str) -> bool:
    words = label.split()
    return 0 < len(words) <= 6 and not label.endswith(".") and not re.search(r"[\d:]", label)
