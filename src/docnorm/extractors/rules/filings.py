"""Periodic filings (10-K, 10-Q and kin): the primary statements among all tables (the cover is in cover.py).

A filing holds hundreds of tables; the primary income statement, balance sheet
and cash-flow statement are the ones captioned as such (a short title just
above the table, not a sentence that mentions one) whose rows speak that
statement's vocabulary. The reporting period's column is chosen from the
header: the fiscal year for a 10-K, the three months ending at the period end
for a 10-Q income statement, year to date for its cash flows.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from pydantic import BaseModel

from docnorm.extractors.base import Excerpt
from docnorm.extractors.concepts import concept_of, normalise_label
from docnorm.extractors.rules.statement_tables import StatementLayout, TableRow, layout, pick_column, scale_of
from docnorm.extractors.text import DATE, Span, currency_code, extracted_date, parse_amount
from docnorm.schemas.documents import Element, ParsedDocument
from docnorm.schemas.evidence import Evidence, Extracted
from docnorm.schemas.financial import FinancialStatement, LineItem, StatementKind, UnitScale

_TITLES = {
    StatementKind.INCOME: re.compile(
        r"\bstatements? of (?:consolidated )?(?:operations|income|earnings)\b|\bincome statements?\b", re.IGNORECASE
    ),
    StatementKind.BALANCE_SHEET: re.compile(
        r"\bbalance sheets?\b|\bstatements? of (?:consolidated )?(?:financial )?(?:position|condition)\b",
        re.IGNORECASE,
    ),
    StatementKind.CASH_FLOW: re.compile(
        r"\bstatements? of (?:consolidated )?cash flows?\b|\bcash flows? statements?\b", re.IGNORECASE
    ),
}
# Filers who print one combined statement may title it after comprehensive income; such a title
# counts only when no table carries a plain income-statement title.
_COMBINED_INCOME = re.compile(r"\bstatements? of (?:consolidated )?comprehensive (?:income|loss|earnings)\b", re.I)
_NOT_PRIMARY = re.compile(
    r"\b(?:notes? to|selected|summary|supplemental|schedule|parent company|index|parenthetical|consolidating)\b", re.I
)
# Section headings that only one statement has.
_HEADINGS = {
    StatementKind.INCOME: re.compile(r"^(?:revenues?|net sales|costs? and expenses|operating expenses)\b", re.I),
    StatementKind.BALANCE_SHEET: re.compile(r"^(?:current |non-?current )?(?:assets|liabilities)\b|equity:?$", re.I),
    StatementKind.CASH_FLOW: re.compile(r"\b(?:operating|investing|financing) activities\b", re.I),
}
_CONTINUED = re.compile(r"\bcontinued\b", re.IGNORECASE)
_CURRENCY_WORD = re.compile(r"\b(?:of|in) (?P<v>U\.S\. dollars|dollars|euros|pounds sterling)\b", re.IGNORECASE)
_CURRENCY_SIGN = re.compile(r"(?P<v>US\$|C\$|[$€£¥])")
# Per-share amounts are printed in units whatever the table's scale; share counts have a scale of their
# own. Par and stated values in an equity line's label ("$0.01 par value per share") are neither.
_PER_SHARE = re.compile(
    r"\b(?:earnings|income|loss|dividends?|distributions?)\b[^$]*?\bper (?:common |ordinary )?share\b", re.IGNORECASE
)
_SHARES = re.compile(r"(?:^|: )(?:weighted[- ]average|average|shares|number of)\b", re.IGNORECASE)
_SHARE_SCALE = re.compile(r"\bshares?\b[^)]*?\b(?P<v>thousands|millions)\b", re.IGNORECASE)
_TOTAL = re.compile(r"^total\b", re.IGNORECASE)
_LOOKBACK = 5
_TITLE_WORDS = 16
_CONTINUATION_GAP = 12
_MIN_VOCABULARY = 3


@dataclass(frozen=True)
class Statement:
    """One located primary statement: its kind, the table elements it spans and how to read them."""

    kind: StatementKind
    elements: tuple[int, ...]
    layout: StatementLayout
    caption: str
    column: int


def column_date(doc: ParsedDocument, statement: Statement) -> Extracted[date] | None:
    """The date heading the reporting column ("December 31, 2024"), when the header dates each column."""
    element = doc.elements[statement.elements[0]]
    dates = list(re.finditer(DATE, doc.text[element.start : element.end], re.IGNORECASE))
    if len(dates) != len(statement.layout.columns):
        return None
    match = dates[statement.column]
    start = element.start + match.start()
    return extracted_date(doc, Span(match.group(0), start, start + len(match.group(0)), "statement_header"))


def scale_of_statement(doc: ParsedDocument, statement: Statement) -> Extracted[UnitScale]:
    """The scale the statement's caption or header states, quoted where it is printed; units when none is."""
    scale, word = scale_of(f"{statement.caption} | {statement.layout.header_text}")
    if word is None:
        return Extracted[UnitScale](value=scale)
    start = doc.elements[max(0, statement.elements[0] - 2 * _LOOKBACK)].start
    at = doc.text.find(word, start, doc.elements[statement.elements[-1]].end)
    evidence = doc.evidence(at, at + len(word), "statement_caption") if at >= 0 else None
    return Extracted[UnitScale](value=scale, evidence=evidence)


def currency_of(doc: ParsedDocument, statements: Sequence[Statement]) -> Extracted[str] | None:
    """The statements' currency: a currency named in their captions ("in millions of euros"),
    else the first currency sign printed in their cells."""
    for statement in statements:
        start, end = doc.elements[statement.elements[0]].start, doc.elements[statement.elements[-1]].end
        caption_start = doc.elements[max(0, statement.elements[0] - _LOOKBACK)].start
        match = _CURRENCY_WORD.search(doc.text, caption_start, end) or _CURRENCY_SIGN.search(doc.text, start, end)
        if match:
            return Extracted[str](
                value=currency_code(match.group("v")), evidence=doc.evidence(match.start("v"), match.end("v"))
            )
    return None


def locate(doc: ParsedDocument, form: str | None) -> list[Statement]:
    """The primary statements of ``doc``, at most one per kind, in document order."""
    found: list[Statement] = []
    for kind in StatementKind:
        candidates = list(_candidates(doc, kind, form))
        if not candidates:
            continue
        best_score = max(score for score, _, _ in candidates)
        # Among the well-scored tables, the one with a column of the period the form reports wins
        # (a 10-Q may print three-month and six-month income statements as separate tables).
        score, fits, statement = max(
            (c for c in candidates if c[0] >= 0.6 * best_score), key=lambda c: (c[1], c[0], -c[2].elements[0])
        )
        found.append(_with_continuations(doc, statement))
    return sorted(found, key=lambda s: s.elements[0])


def _candidates(doc: ParsedDocument, kind: StatementKind, form: str | None) -> Iterator[tuple[int, bool, Statement]]:
    found = list(_titled(doc, kind, form, _TITLES[kind]))
    if not found and kind is StatementKind.INCOME:
        found = list(_titled(doc, kind, form, _COMBINED_INCOME))
    yield from found


def _titled(
    doc: ParsedDocument, kind: StatementKind, form: str | None, title: re.Pattern[str]
) -> Iterator[tuple[int, bool, Statement]]:
    prefer, longest = _preferred_period(kind, form)
    for index, element in enumerate(doc.elements):
        if not element.cells:
            continue
        # The title sits above the table, or in a row of its own at the top of it.
        caption = _caption(doc.elements, index) + [" ".join(c for c in row if c) for row in element.cells[:2]]
        if not any(_is_title(line, title) for line in caption):
            continue
        shape = layout(element.cells)
        if shape is None:
            continue
        vocabulary = sum(1 for row in _rows_with_sections(shape.body) if _kind_of(*row) is kind) + sum(
            1 for row in shape.body if not row.figures and _HEADINGS[kind].search(row.label)
        )
        if vocabulary < _MIN_VOCABULARY:
            continue
        column = pick_column(shape.columns, prefer, longest)
        fits = prefer is None or shape.columns[column].months == prefer or longest
        yield vocabulary, fits, Statement(kind, (index,), shape, " | ".join(caption), column)


def _preferred_period(kind: StatementKind, form: str | None) -> tuple[int | None, bool]:
    """Period length in months wanted for ``kind``, and whether the longest available is wanted instead."""
    if kind is StatementKind.BALANCE_SHEET:
        return None, False
    if kind is StatementKind.CASH_FLOW:
        return None, True  # cash flows are reported year to date
    quarterly = form is not None and form.upper().startswith("10-Q")
    return (3 if quarterly else 12), False


def _caption(elements: Sequence[Element], index: int) -> list[str]:
    """Up to five text elements just above a table, nearest last, stopping at the previous table."""
    lines: list[str] = []
    for element in reversed(elements[max(0, index - 2 * _LOOKBACK) : index]):
        if element.cells or len(lines) == _LOOKBACK:
            break
        lines.insert(0, element.text)
    return lines


def _is_title(line: str, title: re.Pattern[str]) -> bool:
    """A caption line that is a statement's title, not a sentence that mentions one."""
    text = line.strip()
    return (
        bool(title.search(text))
        and len(text.split()) <= _TITLE_WORDS
        and not text.endswith((".", ":"))
        and not _NOT_PRIMARY.search(text)
    )


def _with_continuations(doc: ParsedDocument, statement: Statement) -> Statement:
    """Join the tables that continue ``statement`` on either side: a statement split over pages
    repeats its title (or says "continued") above a table with the same columns."""
    before: list[tuple[int, StatementLayout]] = []
    index = statement.elements[0]
    while (previous := _neighbour(doc, statement, index, -1)) is not None:
        before.insert(0, previous)
        index = previous[0]
    after: list[tuple[int, StatementLayout]] = []
    index = statement.elements[-1]
    while (following := _neighbour(doc, statement, index, +1)) is not None:
        after.append(following)
        index = following[0]
    parts = [*before, (statement.elements[0], statement.layout), *after]
    merged = StatementLayout(
        statement.layout.columns,
        statement.layout.header_text,
        tuple(row for _, shape in parts for row in shape.body),
    )
    # The first part carries the caption with the scale ("In thousands"); continuations often do not.
    caption = " | ".join(" | ".join(_caption(doc.elements, i)) for i, _ in parts)
    return Statement(statement.kind, tuple(i for i, _ in parts), merged, caption, statement.column)


def _neighbour(doc: ParsedDocument, statement: Statement, index: int, step: int) -> tuple[int, StatementLayout] | None:
    """The next table element ``step``-wards of ``index`` if it continues ``statement``."""
    stop = index + step * (_CONTINUATION_GAP + 1)
    for candidate in range(index + step, stop, step):
        if not 0 <= candidate < len(doc.elements):
            return None
        element = doc.elements[candidate]
        if not element.cells:
            continue
        later, earlier = (candidate, index) if step > 0 else (index, candidate)
        title = _TITLES[statement.kind]
        continues = any(_is_title(line, title) or _CONTINUED.search(line) for line in _caption(doc.elements, later))
        titled = any(_is_title(line, title) for line in _caption(doc.elements, earlier))
        shape = layout(element.cells)
        if continues and titled and shape is not None and len(shape.columns) == len(statement.layout.columns):
            return candidate, shape
        return None
    return None


def _rows_with_sections(body: Sequence[TableRow]) -> Iterator[tuple[TableRow, str | None]]:
    """Body rows with figures and the heading they sit under; a heading right under another
    ("Earnings per share:" then "Assuming dilution:") extends it."""
    section: str | None = None
    after_heading = False
    for row in body:
        if not row.figures:
            heading = row.label.rstrip(":").strip()
            if heading:
                section = f"{section}: {heading}" if after_heading and section else heading
                after_heading = True
            continue
        after_heading = False
        yield row, section


def _kind_of(row: TableRow, section: str | None) -> StatementKind | None:
    concept = concept_of(row.label, section)
    return concept.statement if concept else None


@dataclass(frozen=True)
class _Repeat:
    """How to read a concept that several lines of one statement map to: which line keeps it,
    and what the lines before and after that one mean instead (None: unmapped)."""

    concept: str
    keeps: Callable[[LineItem], bool]
    before: str | None
    after: str | None


_REPEATS = (
    # "Net income", then "Net income attributable to <parent>", then "... to common shareholders".
    _Repeat(
        "NetIncomeLoss",
        lambda item: "attributable to parent" in normalise_label(item.label),
        "ProfitLoss",
        "NetIncomeLossAvailableToCommonStockholdersBasic",
    ),
    # "Total <parent> shareholders' equity", then noncontrolling interests, then the equity including them.
    _Repeat(
        "StockholdersEquity",
        lambda item: item.is_total,
        None,
        "StockholdersEquityIncludingPortionAttributableToNoncontrollingInterest",
    ),
    # Revenue lines above "Total revenues" are its components.
    _Repeat("Revenues", lambda item: item.is_total, None, None),
)


# A concept that stands alone means the headline concept: "Total equity" with no noncontrolling
# interests is the shareholders' equity; "Consolidated net income" with none is the net income.
_ALONE = (
    ("StockholdersEquityIncludingPortionAttributableToNoncontrollingInterest", "StockholdersEquity"),
    ("ProfitLoss", "NetIncomeLoss"),
)
_NONCONTROLLING = re.compile(r"non-?controlling|minority", re.IGNORECASE)


def resolve_repeats(items: list[LineItem]) -> list[LineItem]:
    """One line per headline concept within a statement; the other lines get the concept they mean."""
    for rule in _REPEATS:
        same = [i for i, item in enumerate(items) if item.concept == rule.concept]
        if len(same) < 2:
            continue
        kept = next((i for i in same if rule.keeps(items[i])), same[0])
        for i in same:
            if i != kept:
                items[i] = items[i].model_copy(update={"concept": rule.before if i < kept else rule.after})
    concepts = {item.concept for item in items}
    if not any(_NONCONTROLLING.search(item.label) for item in items):
        for broad, headline in _ALONE:
            if headline not in concepts:
                items = [i.model_copy(update={"concept": headline}) if i.concept == broad else i for i in items]
    return items


def line_items(doc: ParsedDocument, statement: Statement, period_end: date | None) -> list[LineItem]:
    """Every line of ``statement`` with a figure in the reporting period's column, in full units."""
    return resolve_repeats(list(_line_items(doc, statement, period_end)))


def _line_items(doc: ParsedDocument, statement: Statement, period_end: date | None) -> Iterator[LineItem]:
    scale, _ = scale_of(f"{statement.caption} | {statement.layout.header_text}")
    share_word = _SHARE_SCALE.search(statement.caption)
    share_scale = scale_of(share_word.group("v"))[0] if share_word else scale
    column = statement.layout.columns[statement.column]
    width = len(statement.layout.columns)
    spans = _Locator(doc, statement.elements)
    for row, section in _rows_with_sections(statement.layout.body):
        if len(row.figures) != width:
            continue
        figure = row.figures[statement.column]
        reported = parse_amount(figure)
        context = f"{section}: {row.label}" if section else row.label
        factor = _factor(context, scale, share_scale)
        concept = concept_of(row.label, section, statement.kind)
        yield LineItem(
            label=row.label,
            concept=concept.name if concept else None,
            section=section,
            is_total=bool(_TOTAL.match(row.label)),
            value=None if reported is None else reported * factor,
            statement=statement.kind,
            period_end=period_end,
            period_months=column.months if statement.kind is not StatementKind.BALANCE_SHEET else None,
            evidence=spans.evidence(row, statement.column),
        )


def _factor(context: str, scale: UnitScale, share_scale: UnitScale) -> Decimal:
    if _PER_SHARE.search(context):
        return Decimal(1)
    if _SHARES.search(context):
        return share_scale.factor
    return scale.factor


class _Locator:
    """Finds each row's label and chosen figure in the canonical text, moving forward through the tables."""

    def __init__(self, doc: ParsedDocument, elements: Sequence[int]) -> None:
        self._doc = doc
        self._spans = [(doc.elements[i].start, doc.elements[i].end) for i in elements]
        self._part = 0
        self._cursor = self._spans[0][0]

    def evidence(self, row: TableRow, column: int) -> Evidence | None:
        doc = self._doc
        for part in range(self._part, len(self._spans)):
            start, end = self._spans[part]
            cursor = max(self._cursor, start)
            at = doc.text.find(row.label, cursor, end)
            if at < 0:
                continue
            position = at + len(row.label)
            for figure in row.figures[: column + 1]:
                digits = figure.strip("()")
                found = doc.text.find(digits, position, end)
                if found < 0:
                    break
                position = found + len(digits)
            else:
                if position < end and doc.text[position] == ")":
                    position += 1
                self._part, self._cursor = part, position
                return doc.evidence(at, position, "statement_row")
        return None


class _StatementReread:
    """A filing's statements the rules saw titled but could not read, re-read by a model one table at a
    time: the table and its caption alone, so the model reads what the rules missed and nothing else."""

    def excerpts(self, doc: ParsedDocument, record: BaseModel) -> list[Excerpt]:
        if not isinstance(record, FinancialStatement) or record.form is None:
            return []
        read = {item.statement for item in record.line_items}
        out = []
        for kind in StatementKind:
            index = None if kind in read else _first_titled_table(doc, kind)
            if index is not None:  # no titled table: the statement is not in this document
                first = index - len(_caption(doc.elements, index))
                out.append(Excerpt(first, index, frozenset({"line_items"}), kind.value))
        return out

    def absorb(self, record: BaseModel, part: BaseModel, excerpt: Excerpt, doc: ParsedDocument) -> BaseModel:
        assert isinstance(record, FinancialStatement) and isinstance(part, FinancialStatement)
        kind = StatementKind(excerpt.label)
        end = record.period_end.value if record.period_end else None
        items = [
            item.model_copy(update={"statement": kind, "period_end": item.period_end or end})
            for item in part.line_items
        ]
        return record.model_copy(update={"line_items": [*record.line_items, *resolve_repeats(items)]})


def _first_titled_table(doc: ParsedDocument, kind: StatementKind) -> int | None:
    for index, element in enumerate(doc.elements):
        if element.cells:
            caption = _caption(doc.elements, index) + [" ".join(c for c in row if c) for row in element.cells[:2]]
            if any(_is_title(line, _TITLES[kind]) for line in caption):
                return index
    return None


STATEMENT_REREAD = _StatementReread()
"""The financial doc type's Reread: statements a filing titles but the rules could not read."""
