"""Finding and normalising values in parsed text: dates, amounts, currencies, labelled fields.

Every finder returns the span it matched so the caller can attach evidence.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

import pycountry
from dateutil import parser as date_parser

from docnorm.schemas.documents import ParsedDocument
from docnorm.schemas.evidence import Extracted

_MONTH = (
    r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|"
    r"Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\.?"
)
DATE = (
    rf"(?:{_MONTH}\s+\d{{1,2}}(?:st|nd|rd|th)?\s*,?\s*\d{{4}}"
    rf"|\d{{1,2}}(?:st|nd|rd|th)?\s+(?:day\s+of\s+|of\s+)?{_MONTH},?\s*\d{{4}}"
    r"|\d{4}-\d{2}-\d{2}"
    r"|\d{1,2}/\d{1,2}/\d{4})"
)
_SYMBOLS = {"$": "USD", "US$": "USD", "€": "EUR", "£": "GBP", "¥": "JPY", "C$": "CAD"}
_WORDS = {"dollars": "USD", "u.s. dollars": "USD", "euros": "EUR", "euro": "EUR", "pounds sterling": "GBP"}
NUMBER = r"\(?-?\s?\d{1,3}(?:,\d{3})*(?:\.\d+)?\)?|\(?-?\s?\d+(?:\.\d+)?\)?"
MONEY = re.compile(
    r"(?P<cur>US\$|C\$|[$€£¥]|\b[A-Z]{3}\b)\s?(?P<num>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)"
    r"(?:\s?(?P<mult>million|billion|thousand)\b)?"
)
_MULTIPLIERS = {"thousand": Decimal(1000), "million": Decimal(10**6), "billion": Decimal(10**9)}
_NOT_CURRENCY = {"LLC", "INC", "LTD", "THE", "AND", "NDA", "CEO", "CFO", "MRN", "DOB", "USA", "ICD"}


@dataclass(frozen=True)
class Span:
    """A match in the canonical text."""

    text: str
    start: int
    end: int
    method: str = "pattern"


def parse_date(text: str) -> date | None:
    """A calendar date from a date-like string, or None when it names no real date."""
    cleaned = re.sub(r"(\d)(st|nd|rd|th)\b", r"\1", text)
    cleaned = re.sub(r"\b(?:day\s+)?of\b", " ", cleaned)
    cleaned = re.sub(r",(?=\d)", ", ", cleaned)
    try:
        parsed: datetime = date_parser.parse(cleaned, dayfirst=False, fuzzy=False)
        return parsed.date()
    except (ValueError, OverflowError):
        return None


def parse_amount(text: str) -> Decimal | None:
    """A figure as printed in statements: commas, parentheses or a minus for negatives, dashes for zero."""
    raw = text.strip().replace("$", "").replace("€", "").replace("£", "").replace(",", "").replace(" ", "")
    if raw in {"-", "—", "–"}:
        return Decimal(0)
    negative = raw.startswith("(") and raw.endswith(")") or raw.startswith("-")
    raw = raw.strip("()-")
    try:
        value = Decimal(raw)
    except InvalidOperation:
        return None
    return -value if negative else value


def currency_code(token: str) -> str:
    """ISO-4217 code for a symbol, a word or a code as written (codes are returned as written)."""
    return _SYMBOLS.get(token) or _WORDS.get(token.lower()) or token.upper()


def is_iso_currency(code: str) -> bool:
    """True when ``code`` is an active ISO-4217 currency code."""
    return pycountry.currencies.get(alpha_3=code) is not None


def find(doc: ParsedDocument, pattern: str, group: str = "v", flags: int = re.IGNORECASE) -> Span | None:
    """The first match of ``pattern``'s named group ``group`` in the document."""
    match = re.search(pattern, doc.text, flags)
    if not match or match.group(group) is None:
        return None
    return _span(doc, match.start(group), match.end(group))


def find_all(doc: ParsedDocument, pattern: str | re.Pattern[str], group: str = "v") -> Iterator[re.Match[str]]:
    """Every match of ``pattern`` in the document."""
    compiled = pattern if isinstance(pattern, re.Pattern) else re.compile(pattern, re.IGNORECASE)
    yield from (m for m in compiled.finditer(doc.text) if m.group(group) is not None)


_ABBREVIATION_END = re.compile(r"\b(?:Inc|Corp|Ltd|Co|Jr|Sr|Dr|L\.L\.C|S\.A|N\.A)\.$")


def _span(doc: ParsedDocument, start: int, end: int) -> Span:
    text = doc.text[start:end]
    stripped = text.rstrip(" ;,")
    if stripped.endswith(".") and not _ABBREVIATION_END.search(stripped):
        stripped = stripped.rstrip(".")
    return Span(stripped, start, start + len(stripped))


FIELD_LABELS = (
    r"[A-Z]{2,6}|Patient(?: Name)?|Name|Date of (?:Birth|Service|Visit)|Visit Date|Encounter Date|Provider|"
    r"Attending(?: Physician)?|Physician|Chief Complaint|Medical Record (?:Number|No\.?)|Title|Currency|Company|Entity|Effective Date|End Date|"
    r"Expiration Date|Period (?:Start|End)"
)
"""Labels that commonly follow one another on a flattened line; a value ends where one starts."""
_NEXT_LABEL = rf"(?=\s+(?:{FIELD_LABELS})\s?:\s|\s*\n|\s*$|\s*;|\s{{2,}})"


def field_value(doc: ParsedDocument, labels: str, value: str = r"[^\n]+?") -> Span | None:
    """The value after a label such as ``Patient Name:``, up to the line's end or the next label.

    Parsers often flatten ``Name: X<br>DOB: Y`` into one line, so a value also ends where
    the next ``Label:`` starts.
    """
    span = find(doc, rf"(?:^|\n|\b)(?:{labels})\s*[:#]\s*(?P<v>{value}){_NEXT_LABEL}")
    return Span(span.text, span.start, span.end, "label") if span else None


def extracted_text(doc: ParsedDocument, span: Span | None) -> Extracted[str] | None:
    """A string field with its evidence."""
    if span is None:
        return None
    return Extracted[str](value=span.text, evidence=doc.evidence(span.start, span.end, span.method))


def extracted_date(doc: ParsedDocument, span: Span | None) -> Extracted[date] | None:
    """A date field with its evidence; value None when the quote names no real date."""
    if span is None:
        return None
    return Extracted[date](value=parse_date(span.text), evidence=doc.evidence(span.start, span.end, span.method))


def money_spans(doc: ParsedDocument) -> Iterator[tuple[Span, str, Decimal]]:
    """Every amount of money in the text: the span, its currency code as written, the amount."""
    for match in MONEY.finditer(doc.text):
        token = match.group("cur")
        if token.isalpha() and (token in _NOT_CURRENCY or not token.isupper()):
            continue
        amount = Decimal(match.group("num").replace(",", ""))
        if match.group("mult"):
            amount *= _MULTIPLIERS[match.group("mult").lower()]
        yield _span(doc, match.start(), match.end()), currency_code(token), amount


_UNITS = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve",
          "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen"]  # fmt: skip
_TENS = {"twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90}


def number_word(text: str) -> int | None:
    """An integer written as digits or in English words up to 99 ("twenty-four", "forty five")."""
    text = text.strip().lower()
    if text.isdigit():
        return int(text)
    if text in _UNITS:
        return _UNITS.index(text)
    tens, _, unit = text.replace("-", " ").partition(" ")
    if tens in _TENS and (not unit or unit in _UNITS[1:10]):
        return _TENS[tens] + (_UNITS.index(unit) if unit else 0)
    return None


def duration_count(text: str) -> int | None:
    """The number in a duration as written: "(18)" first, then digits, then a number word."""
    for pattern in (r"\((\d+)\)", r"\b(\d+)\b", r"\b([a-z]+(?:[- ][a-z]+)?)\s+(?:\(|years?|months?|weeks?|days?)"):
        match = re.search(pattern, text, re.IGNORECASE)
        if match and (count := number_word(match.group(1))) is not None:
            return count
    return None
