"""Rules for contracts: the phrasing most agreements use for parties, dates, term, law and notice."""

from __future__ import annotations

import re
from collections.abc import Iterator

from docnorm.extractors.classify import Cue
from docnorm.extractors.text import (
    DATE,
    Span,
    extracted_date,
    extracted_text,
    field_value,
    find,
    find_all,
    money_spans,
    number_word,
)
from docnorm.schemas.contract import Contract
from docnorm.schemas.documents import ParsedDocument
from docnorm.schemas.evidence import Extracted
from docnorm.schemas.values import Money, Party, Signatory

CUES = [
    Cue("agreement_title", r"\b(agreement|contract)\b", 1.0),
    Cue("by_and_between", r"\bby and between\b", 2.0),
    Cue("whereas", r"\bwhereas\b", 1.5),
    Cue("governing_law", r"\bgoverned by\b.{0,40}\blaws?\b", 2.0),
    Cue("parties", r"\bthe parties\b|\bparty\b", 1.0),
    Cue("termination", r"\bterminat(e|ion)\b", 1.0),
    Cue("in_witness", r"\bin witness whereof\b", 2.0),
    Cue("effective_date", r"\beffective date\b", 1.0),
]

_NAME = (
    r"(?:[A-Z][\w&'\-.]*,?\s+){0,6}"
    r"(?:Inc\.|LLC|L\.L\.C\.|Ltd\.?|Limited|Corp\.|Corporation|Company|GmbH|S\.A\.|LLP|plc|Co\.)"
)
_PARTY = re.compile(rf"(?P<v>{_NAME})(?:,? an? [^(]{{0,80}}?)?\s*\(\s*(?:the\s+)?[\"“](?P<role>[A-Za-z ]+)[\"”]\s*\)")
_SIGNATORY = re.compile(r"Name:\s*(?P<v>[A-Z][^\n:]+?)\s+Title:\s*(?P<title>[^\n]+?)(?=[ \t]+By:|[ \t]*\n|[ \t]*$)")


def extract_contract(doc: ParsedDocument) -> Contract:
    """Read a contract with regular phrasing; fields not found stay empty."""
    parties = _parties(doc)
    return Contract(
        title=_title(doc),
        parties=parties,
        effective_date=extracted_date(
            doc,
            field_value(doc, r"effective date", DATE)
            or find(doc, rf"(?:effective|dated|entered into)(?: as)?(?: of)?\s+(?P<v>{DATE})"),
        ),
        end_date=extracted_date(
            doc,
            field_value(doc, r"end date|expiration date", DATE)
            or find(doc, rf"(?:expire|terminate|end)s?\s+on\s+(?P<v>{DATE})"),
        ),
        term_months=_term_months(doc),
        governing_law=extracted_text(
            doc,
            find(
                doc,
                r"governed by[^.]{0,60}?laws? of (?:the )?(?:State of |Commonwealth of )?(?P<v>[A-Z][A-Za-z ]+?)[,.(]",
                flags=0,
            ),
        ),
        auto_renewal=_auto_renewal(doc),
        termination_notice_days=_notice_days(doc),
        amounts=[
            Money(amount=amount, currency=code, evidence=doc.evidence(span.start, span.end))
            for span, code, amount in money_spans(doc)
        ],
        signatories=list(_signatories(doc, parties)),
    )


def _signatories(doc: ParsedDocument, parties: list[Party]) -> Iterator[Signatory]:
    for match in find_all(doc, _SIGNATORY):
        title = match.group("title").strip()
        # A flattened signature block runs the next party's name into this title.
        for party in parties:
            if title.endswith(" " + party.name):
                title = title[: -len(party.name)].strip()
        name = match.group("v").strip()
        yield Signatory(name=name, title=title, evidence=doc.evidence(match.start("v"), match.start("v") + len(name)))


def _title(doc: ParsedDocument) -> Extracted[str] | None:
    for element in doc.elements[:5]:
        if re.search(r"\b(agreement|contract)\b", element.text, re.IGNORECASE) and len(element.text) <= 120:
            return extracted_text(doc, Span(element.text, element.start, element.end))
    return None


def _parties(doc: ParsedDocument) -> list[Party]:
    parties: list[Party] = []
    for match in _PARTY.finditer(doc.text[:5000]):
        name = re.sub(r"^(?:by and )?between\s+|^and\s+", "", match.group("v").strip(), flags=re.IGNORECASE)
        start = match.start("v") + match.group("v").find(name)
        if any(p.name == name for p in parties):
            continue
        parties.append(
            Party(name=name, role=match.group("role").strip(), evidence=doc.evidence(start, start + len(name)))
        )
    return parties


def _term_months(doc: ParsedDocument) -> Extracted[int] | None:
    span = find(
        doc,
        r"(?:initial )?term of (?P<v>(?:[a-z\-]+ )?\(?\d*\)?\s*(?:years?|months?))",
    )
    if span is None:
        return None
    number = re.search(r"\((\d+)\)|(\d+)|([a-z\-]+)", span.text, re.IGNORECASE)
    count = number_word(next(g for g in number.groups() if g)) if number else None
    months = None if count is None else count * (12 if "year" in span.text.lower() else 1)
    return Extracted[int](value=months, evidence=doc.evidence(span.start, span.end))


def _auto_renewal(doc: ParsedDocument) -> Extracted[bool] | None:
    span = find(doc, r"(?P<v>(?:shall|will)(?P<neg> not)? (?:be )?(?:automatically renew|renew automatically)\w*)")
    if span is None:
        return None
    return Extracted[bool](value=" not " not in span.text, evidence=doc.evidence(span.start, span.end))


def _notice_days(doc: ParsedDocument) -> Extracted[int] | None:
    span = find(doc, r"(?P<v>(?:[a-z\-]+ )?\(?\d*\)?\s*days'?)\s+(?:prior )?(?:written )?notice")
    if span is None:
        return None
    number = re.search(r"\((\d+)\)|(\d+)|([a-z\-]+)", span.text, re.IGNORECASE)
    days = number_word(next(g for g in number.groups() if g)) if number else None
    return Extracted[int](value=days, evidence=doc.evidence(span.start, span.end))
