"""Rules for contracts: the phrasing most agreements use for parties, dates, term, law and notice."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date

from docnorm.extractors.classify import Cue
from docnorm.extractors.jurisdictions import jurisdiction_pattern
from docnorm.extractors.rules.clauses import detect_clauses
from docnorm.extractors.text import (
    DATE,
    Span,
    duration_count,
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
    dated = _effective_date(doc)
    effective = extracted_date(doc, _defined_effective_date(doc) or dated)
    term = _term_months(doc)
    return Contract(
        title=_title(doc),
        parties=parties,
        agreement_date=extracted_date(doc, dated),
        effective_date=effective,
        end_date=_end_date(doc),
        perpetual=_perpetual(doc),
        term_months=term,
        governing_law=_governing_law(doc),
        auto_renewal=_auto_renewal(doc),
        termination_notice_days=_notice_days(doc),
        renewal_term=_renewal_term(doc),
        renewal_notice=_renewal_notice(doc),
        clauses=detect_clauses(doc),
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


_CAPS_TITLE = re.compile(
    r"(?<![A-Za-z])(?P<v>(?:[A-Z][A-Z&/'\-]+\s+){0,5}(?:AGREEMENT|CONTRACT)(?:\s*\((?:[^()]{1,40})\))?)(?![a-z])"
)
_NOT_TITLE_WORDS = re.compile(r"^(?:(?:EXHIBIT|EXECUTION|COPY|CONFIDENTIAL|FINAL|FORM|OF|THIS|THE)\s+)+")
_TITLE_HEAD = 600


def _title(doc: ParsedDocument) -> Extracted[str] | None:
    """The agreement's title: an upper-case title near the top ("SUPPLY AGREEMENT"), else a short
    heading that names an agreement, cut after the word "Agreement"."""
    for match in _CAPS_TITLE.finditer(doc.text, 0, _TITLE_HEAD):
        lead = _NOT_TITLE_WORDS.match(match.group("v"))
        start = match.start("v") + (lead.end() if lead else 0)
        if doc.text[start : match.end("v")].split()[0] not in ("AGREEMENT", "CONTRACT"):
            return extracted_text(doc, Span(doc.text[start : match.end("v")], start, match.end("v"), "title"))
    for element in doc.elements[:5]:
        heading = len(element.text.split()) <= 12 and not element.text.rstrip().endswith(".")
        found = re.search(r"\b(?:agreement|contract)\b(?:\s*\([^()]{1,40}\))?", element.text, re.IGNORECASE)
        if heading and found:
            text = element.text[: found.end()]
            return extracted_text(doc, Span(text, element.start, element.start + len(text), "title"))
    return None


_PREAMBLE = re.compile(
    r"\b(?:by\s+and\s+)?between\b|\bamong\b|\bPARTIES\s*:|\b(?:entered\s+into|made)\b[^.;]{0,120}?\bby\s+(?!and\b)",
    re.IGNORECASE,
)
_SIGNATURE_COMPANY = re.compile(
    r"(?:^|\n|\s{2,})(?P<name>[A-Z][\w.&'’\-]*(?:\s+(?:[A-Z][\w.&'’\-]*|&|and|of))*,?\s+"
    r"(?:Inc\.?|INC\.?|LLC|L\.L\.C\.|Ltd\.?|LTD\.?|Corp\.?|CORP\.?|Corporation|CORPORATION|Co\.|CO\.|Company|COMPANY|"
    r"L\.P\.|LP))\s*,?\s*(?:\n\s*)?By\s*:"
)
_SUFFIX = (
    r"(?i:Inc\.?|Incorporated|L\.?L\.?C\.?|Ltd\.?|Limited|Corp\.?|Corporation|Co\.|Company|L\.?P\.?|"
    r"L\.?L\.?P\.?|plc|ASA|AG|GmbH|N\.V\.|S\.A\.|B\.V\.|N\.A\.|Pte\.?|Pty\.?|SA)"
)
_TOKEN = r"(?:[A-Z0-9][\w.&'’¢\-]*|&)"
_JOINER = r"(?:and|of|the|de|du|von|van|der)"
_LEADING_NAME = re.compile(
    rf"\s*(?::\s*)?(?:\(\d{{1,2}}\)\s*)?(?:the\s+)?[“\"]?(?P<name>{_TOKEN}(?:\s+(?:{_TOKEN}|{_JOINER}(?=\s+[A-Z])))*?(?:,?\s+{_SUFFIX}){{0,2}})"
    r"(?=\s*[,(“\"]|\s*\)|\s+and\b|\s+an?\b|\s+d/b/a\b|\s+f/k/a\b|\s+hereinafter\b|\s*\.\s|\s*;|\s*$"
    r"|\s+(?:having|with|whose|dated|effective|to|for|on|regarding|concerning|relating|who|which|that)\b"
    r"|\.?\s+(?i:collectively|together|jointly|individually)\b)"
)
# Where the next party's slot starts: right after the name ("A Inc. and B LLC"), after a description
# ("A Inc., a Delaware corporation, and B LLC"), or after a defined term ("A Inc. (the "Company") and B").
_AND_NEXT = re.compile(r"(?:,?\s+an?\s+[^()“\".;]{1,120}?)?,?\s+(?i:and|&):?\s+(?:\(\d{1,2}\)\s*)?(?=[“\"]?[A-Z0-9])")
_AFTER_TERM = re.compile(r"[)”\"]\s*[;,]?\s*(?:(?i:and):?\s+|&\s+)?(?:\(\d{1,2}\)\s*)?(?=[“\"]?[A-Z0-9])")
_ROLE_WORDS = re.compile(
    r"^(?:the\s+)?(?:undersigned|company|employee|employer|executive|consultant|contractor|recipient|discloser|"
    r"party|parties|you|buyer|seller|purchaser|director|agreement|effective date|[A-Z]+|party\s+[a-z0-9]{1,2}|"
    r"(?:company|party|parties)\.?\s*\d+|confidential\s+information|proprietary\s+information|"
    r"(?:disclosing|receiving)\s+party|"
    r"(?:[\w-]+\s+){0,3}(?:service\s+)?(?:provider|customer|supplier|distributor|licensee|licensor|franchisee|"
    r"franchisor|shipper|transporter|client|vendor|manufacturer)|\d+\s+.*\b(?:avenue|street|road|suite|blvd)\b.*)$",
    re.IGNORECASE,
)
# The defined term right after a party's name and description: ... ("Supplier") / (the "Company").
_DEFINED_TERM = re.compile(r"[^()]{0,250}?\(\s*(?:the\s+|each\s+a\s+)?[“\"](?P<role>[^”\"]{1,40})[”\"]")
_MAX_PARTIES = 4
_PREAMBLE_WINDOW = 4000


def _parties(doc: ParsedDocument) -> list[Party]:
    """The parties named in the preamble ("between A, a ... ("A") and B ..."), in order.

    A party's name is the run of capitalised words (with a company suffix such as
    ", Inc.") that starts each party's slot; the slots are separated by "and" or by
    the closing of a defined term such as (the "Company"). Defined terms and role
    words ("the undersigned", "Employee") are not names.
    """
    parties: list[Party] = []
    for trigger in _PREAMBLE.finditer(doc.text[:_PREAMBLE_WINDOW]):
        parties = list(_parties_after(doc, trigger.end()))
        if parties:
            break
    if len(parties) < 2:
        parties += [p for p in _signature_parties(doc) if _key(p.name) not in {_key(q.name) for q in parties}]
    return parties[:_MAX_PARTIES]


_SIGNATURE_NOISE = re.compile(
    r"\b(?:Director|President|Officer|Title|Name|Signature|Page)\b|^(?:The\s+)?Company\b", re.IGNORECASE
)


def _signature_parties(doc: ParsedDocument) -> Iterator[Party]:
    """Companies named right above a "By:" signature line (letter agreements have no preamble)."""
    seen: set[str] = set()
    for match in _SIGNATURE_COMPANY.finditer(doc.text):
        name = re.sub(r"^(?:and|&)\s+", "", " ".join(match.group("name").split()), flags=re.IGNORECASE)
        if _SIGNATURE_NOISE.search(name) or len(name.split()) < 2:
            continue
        if _key(name) not in seen:
            seen.add(_key(name))
            yield Party(
                name=name, role=None, evidence=doc.evidence(match.start("name"), match.end("name"), "signature_block")
            )


def _key(name: str) -> str:
    return re.sub(r"[^a-z0-9]", "", name.lower())


def _parties_after(doc: ParsedDocument, position: int) -> Iterator[Party]:
    end = min(len(doc.text), position + 1200)
    found: list[str] = []
    while position < end and len(found) < _MAX_PARTIES:
        match = _LEADING_NAME.match(doc.text, position, end)
        if match is None:
            return
        name = re.sub(r"^(?:and|&)\s+", "", " ".join(match.group("name").split()), flags=re.IGNORECASE)
        following = _next_slot(doc.text, match.end("name"), min(end, match.end("name") + 600))
        if not _ROLE_WORDS.match(name) and len(name) > 2 and name not in found:
            found.append(name)
            start = match.start("name")
            role = _DEFINED_TERM.match(doc.text, match.end("name"), match.end("name") + 300)
            yield Party(
                name=name,
                role=role.group("role").strip() if role else None,
                evidence=doc.evidence(start, match.end("name"), "preamble"),
            )
        if following is None or _sentence_ends(doc.text[match.end("name") : following.start()]):
            return
        position = following.end()


def _next_slot(text: str, after: int, end: int) -> re.Match[str] | None:
    return _AND_NEXT.match(text, after, end) or _AFTER_TERM.search(text, after, end)


def _sentence_ends(text: str) -> bool:
    return bool(re.search(r"[a-z)”\"]\.\s+[A-Z]", text))


_DATED = re.compile(
    rf"\b(?:effective|dated|entered|made|executed|signed|as\s+of)\b[^.;()]{{0,40}}?(?P<v>{DATE})", re.IGNORECASE
)
_WITNESS_DATE = re.compile(rf"IN WITNESS WHEREOF[^.]{{0,200}}?(?P<v>{DATE})", re.IGNORECASE)


def _effective_date(doc: ParsedDocument) -> Span | None:
    """The date the preamble says the agreement is made, dated or effective.

    In order: a date right after "dated / effective / entered into / made ... as of"
    near the top; an "Effective Date:" label; the first date at the very top (a
    letter's date); the date of the IN WITNESS WHEREOF sentence.
    """
    head = doc.text[:2500]
    match = _DATED.search(head)
    if match:
        return Span(match.group("v"), match.start("v"), match.end("v"), "dated_phrase")
    labelled = field_value(doc, r"effective date", DATE)
    if labelled:
        return labelled
    top = re.search(DATE, doc.text[:800], re.IGNORECASE)
    if top:
        return Span(top.group(), top.start(), top.end(), "top_of_document")
    witness = _WITNESS_DATE.search(doc.text)
    return Span(witness.group("v"), witness.start("v"), witness.end("v"), "witness_clause") if witness else None


_LAW_CONTEXT = re.compile(r"govern|constru|interpret|applicable law|choice of law", re.IGNORECASE)
_LAWS_OF = re.compile(r"\blaws?\b[^.;]{0,40}?\bof\s+(?:the\s+)?(?:(?:state|commonwealth)\s+of\s+)?$", re.IGNORECASE)


def _governing_law(doc: ParsedDocument) -> Extracted[str] | None:
    """The jurisdiction named as "the laws of X" in a governing-law sentence.

    Every mention of a known jurisdiction is scored by what precedes it: "laws of
    (the State of)" right before it, and governing-law words in the same stretch of
    text. A name with no law context is never reported.
    """
    best: tuple[int, int, int] | None = None
    for match in jurisdiction_pattern().finditer(doc.text):
        before = doc.text[max(0, match.start() - 160) : match.start()]
        score = (
            2 * bool(_LAWS_OF.search(before))
            + bool(_LAW_CONTEXT.search(before))
            + bool(re.search(r"\b(?:state|commonwealth) of\s+$", before, re.IGNORECASE))
        )
        if score >= 2 and (best is None or score > best[0]):
            best = (score, match.start(), match.end())
    if best is None:
        return None
    method = f"law_context_{best[0]}"
    return Extracted[str](value=doc.text[best[1] : best[2]], evidence=doc.evidence(best[1], best[2], method))


_DURATION = r"(?P<v>(?:(?:[a-z]+(?:-[a-z]+)?)\s+)?(?:\(\d+\)\s*)?(?:\d+\s*)?(?:years?|months?|days?))(?!\s*(?:’|')s)"
_MIN_TERM_WEIGHT = 3
_TERM_PATTERNS = (
    # "the term of this Agreement shall be three (3) years", "an initial term of 24 months"
    (
        3,
        re.compile(
            rf"\b(?:(?:initial|original)\s+term\s+of|term\s+of\s+(?:this|the)\s+agreement\s+(?:shall|will)\s+be(?:\s+for)?|(?:has|have|for)\s+a\s+term\s+of)\s+{_DURATION}",
            re.IGNORECASE,
        ),
    ),
    # "this Agreement shall terminate / expire ... two (2) years from the date hereof"
    (
        3,
        re.compile(
            rf"\b(?:agreement|obligations)\b[^.;]{{0,80}}?\b(?:terminate|expire|end|remain in (?:full force and )?effect|continue)\w*\b[^.;]{{0,80}}?{_DURATION}\s+(?:from|after|following)",
            re.IGNORECASE,
        ),
    ),
    # "for a period of two (2) years from the effective date"
    (
        1,
        re.compile(
            rf"\bfor a period of\s+{_DURATION}\s+(?:from|after|following)\s+the\s+(?:effective\s+)?date", re.IGNORECASE
        ),
    ),
)


def _term_months(doc: ParsedDocument) -> Extracted[int] | None:
    """How long the agreement runs, from the clause that says so; None when no clause does.

    Restrictive covenants ("for one year thereafter") are not the agreement's term, so only
    phrasings tied to the agreement's own term, expiry or effective date count.
    """
    for number, (weight, pattern) in enumerate(_TERM_PATTERNS):
        if weight < _MIN_TERM_WEIGHT:
            continue
        for match in pattern.finditer(doc.text):
            months = _months(match.group("v"))
            if months is not None:
                method = "term_clause" if number == 0 else "expiry_clause"
                return Extracted[int](value=months, evidence=doc.evidence(match.start("v"), match.end("v"), method))
    return None


def _months(duration: str) -> int | None:
    count = duration_count(duration)
    if count is None:
        return None
    unit = duration.lower()
    return count * 12 if "year" in unit else count if "month" in unit else None


def _auto_renewal(doc: ParsedDocument) -> Extracted[bool] | None:
    span = find(doc, r"(?P<v>(?:shall|will)(?P<neg> not)? (?:be )?(?:automatically renew|renew automatically)\w*)")
    if span is None:
        return None
    return Extracted[bool](value=" not " not in span.text, evidence=doc.evidence(span.start, span.end))


_DEFINED_EFFECTIVE = re.compile(
    rf"(?:deemed\s+effective|commenc\w*)\s+(?:as\s+of|on|from)\s+(?P<v>{DATE})"
    rf"|(?P<w>{DATE})\s*\(\s*(?:the\s+)?[\"“]Effective Date[\"”]\s*\)",
    re.IGNORECASE,
)


_ENDS_ON = re.compile(
    rf"(?:expire|terminate|end|continue|remain in (?:full )?(?:force|effect)[^.;]{{0,30}}?)s?\s+(?:on|until|through)\s+"
    rf"(?P<v>{DATE})",
    re.IGNORECASE,
)
_PERPETUAL = re.compile(
    r"\bin perpetuity\b|\bperpetual(?:ly)?\b(?! license)|(?:remain|continue)[^.;]{0,60}\buntil terminated\b",
    re.IGNORECASE,
)


def _end_date(doc: ParsedDocument) -> Extracted[date] | None:
    """The end date the agreement states."""
    stated = field_value(doc, r"end date|expiration date", DATE)
    if stated is None and (match := _ENDS_ON.search(doc.text)):
        stated = Span(match.group("v"), match.start("v"), match.end("v"), "end_phrase")
    return extracted_date(doc, stated)


def _perpetual(doc: ParsedDocument) -> Extracted[bool] | None:
    match = _PERPETUAL.search(doc.text)
    if match is None:
        return None
    return Extracted[bool](value=True, evidence=doc.evidence(match.start(), match.end(), "perpetual_phrase"))


def _defined_effective_date(doc: ParsedDocument) -> Span | None:
    """A date the agreement says it takes effect on, when that differs from the date it is made."""
    for match in _DEFINED_EFFECTIVE.finditer(doc.text, 0, _PREAMBLE_WINDOW):
        group = "v" if match.group("v") else "w"
        return Span(match.group(group), match.start(group), match.end(group), "effective_phrase")
    return None


_AMOUNT = r"(?P<n>\d+|[a-z]+(?:-[a-z]+)?)\s*(?:\(\d+\)\s*)?"
_RENEWAL = re.compile(
    rf"renew\w*[^.;]{{0,120}}?\b(?P<succ>successive|consecutive|additional|further)?\s*(?:periods?\s+of\s+)?"
    rf"{_AMOUNT}[- ]?(?P<unit>year|month)s?\b(?![^.;]{{0,12}}\b(?:notice|prior))(?P<rest>[^.;]{{0,40}})",
    re.IGNORECASE,
)
# Renewals that repeat: "additional one-year terms", "for further periods of one year each", "thereafter".
_REPEATS = re.compile(r"successive|consecutive|additional|further|each|thereafter|periods|terms", re.IGNORECASE)
_DURATION_WORDS = re.compile(rf"{_AMOUNT}(?P<unit>day|month)s?\b", re.IGNORECASE)
_SENTENCE = re.compile(r"[^.;]*\brenew[^.;]*", re.IGNORECASE)


def _renewal_term(doc: ParsedDocument) -> Extracted[str] | None:
    """Each renewal's length as "successive 1 year" when renewals repeat, else "1 year"."""
    for match in _RENEWAL.finditer(doc.text):
        count = number_word(match.group("n"))
        if count:
            unit = match.group("unit").lower() + ("s" if count != 1 else "")
            repeats = _REPEATS.search(match.group(0))
            return Extracted[str](
                value=f"{'successive ' if repeats else ''}{count} {unit}",
                evidence=doc.evidence(match.start(), match.end(), "renewal_phrase"),
            )
    return None


def _renewal_notice(doc: ParsedDocument) -> Extracted[str] | None:
    """Notice needed to stop the agreement renewing, as "90 days": the duration next to "notice" in a
    sentence about renewal."""
    for sentence in _SENTENCE.finditer(doc.text):
        if "notice" not in sentence.group(0).lower():
            continue
        for match in _DURATION_WORDS.finditer(doc.text, sentence.start(), sentence.end()):
            near = doc.text[max(sentence.start(), match.start() - 40) : min(sentence.end(), match.end() + 40)]
            count = number_word(match.group("n"))
            if count and re.search(r"notice|prior|before|advance", near, re.IGNORECASE):
                return Extracted[str](
                    value=f"{count} {match.group('unit').lower()}{'s' if count != 1 else ''}",
                    evidence=doc.evidence(match.start(), match.end(), "renewal_notice_phrase"),
                )
    return None


def _notice_days(doc: ParsedDocument) -> Extracted[int] | None:
    span = find(doc, r"(?P<v>(?:[a-z\-]+ )?\(?\d*\)?\s*days'?)\s+(?:prior )?(?:written )?notice")
    if span is None:
        return None
    return Extracted[int](value=duration_count(span.text), evidence=doc.evidence(span.start, span.end))
