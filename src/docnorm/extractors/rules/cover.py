"""The cover page of a periodic filing: its form, the registrant's name and the period it reports on."""

from __future__ import annotations

import re
from datetime import date

from docnorm.extractors.text import DATE, Span, extracted_date, extracted_text
from docnorm.schemas.documents import Element, ParsedDocument
from docnorm.schemas.evidence import Extracted

_FORM = re.compile(r"\bform\s+(?P<v>10-K|10-Q|20-F|40-F|10-KT|10-QT)\b", re.IGNORECASE)
_PERIOD = re.compile(
    rf"\bfor the (?:fiscal )?(?:year|quarterly period|quarter|period|fiscal quarter) ended:?\s+(?P<v>{DATE})",
    re.IGNORECASE,
)
_REGISTRANT = re.compile(r"\(?\s*exact name of (?:the )?registrant", re.IGNORECASE)
_COMPANY = re.compile(
    r"^(?P<v>(?:the )?[A-Z][\w&.,'’ -]{1,80}?\b(?:inc|corp|corporation|company|co|ltd|llc|plc|n\.v|s\.a|l\.?p)\b\.?)",
    re.IGNORECASE,
)
_HEAD_CHARS = 20_000


def form_of(doc: ParsedDocument) -> Extracted[str] | None:
    """The filing form named on the cover ("FORM 10-K"), upper-cased."""
    match = _FORM.search(doc.text, 0, _HEAD_CHARS)
    if match is None:
        return None
    return Extracted[str](
        value=match.group("v").upper(), evidence=doc.evidence(match.start("v"), match.end("v"), "cover_page")
    )


def period_of(doc: ParsedDocument) -> Extracted[date] | None:
    """The reporting period's end as the cover states it ("For the fiscal year ended ...")."""
    match = _PERIOD.search(doc.text, 0, _HEAD_CHARS)
    if match is None:
        return None
    return extracted_date(doc, Span(match.group("v"), match.start("v"), match.end("v"), "cover_page"))


def registrant_of(doc: ParsedDocument) -> Extracted[str] | None:
    """The registrant's name: the line above "(Exact name of registrant as specified in its charter)",
    else the company name that follows the commission file number."""
    head = [e for e in doc.elements if e.start < _HEAD_CHARS]
    for index, element in enumerate(head):
        marker = _REGISTRANT.search(element.text)
        if marker is None:
            continue
        before = element.text[: marker.start()].strip()
        if before:
            return _name_span(doc, element, before)
        previous = next((e for e in reversed(head[:index]) if len(e.text) <= 120), None)
        return _name_span(doc, previous, previous.text) if previous else None
    for index, element in enumerate(head[:-1]):
        if re.search(r"commission file (?:number|no)", element.text, re.IGNORECASE):
            following = head[index + 1]
            match = _COMPANY.match(following.text)
            if match:
                return _name_span(doc, following, match.group("v"))
    return None


def _name_span(doc: ParsedDocument, element: Element, text: str) -> Extracted[str] | None:
    name = text.strip().rstrip(",")
    at = doc.text.find(name, element.start, element.end)
    if not name or at < 0 or len(name) > 120:
        return None
    return extracted_text(doc, Span(name, at, at + len(name), "cover_page"))
