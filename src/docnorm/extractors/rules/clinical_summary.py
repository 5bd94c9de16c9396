"""EHR clinical summaries (a C-CDA's narrative rendered as HTML): a header table, then titled sections
whose problems, medications, allergies and immunizations sit in tables or lists that differ per vendor.

The item of a table row is read from the column whose header names it ("Medication", "Substance",
"Vaccine Name", "Condition"), never from dates, codes or statuses; a list item is read as written,
less the labelled detail lines vendors put under it ("Code: 59621000", "Start Date: ..."). A section
that says "none", "no known ..." or "no information" yields an empty list, never an invented item.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date

from docnorm.extractors.text import Span, extracted_date, extracted_text
from docnorm.schemas.documents import Element, ParsedDocument
from docnorm.schemas.evidence import Evidence, Extracted
from docnorm.schemas.medical import Diagnosis, Immunization, Medication

# Every section title C-CDA documents use, so that one section ends where the next begins.
_ANY_SECTION = re.compile(
    r"^(?:social history|problems?|procedures?|vital signs|medications?|immuni[sz]ations?|health concerns|"
    r"assessments?|reason for (?:referral|visit)|goals|encounters?|mental status|(?:treatment )?plan|results|"
    r"functional|allerg|discharge|implants|interventions|hospital|medical equipment|admission|outcomes|"
    r"family history|lab|instructions|chief complaint|history of|advance directives?|payers|insurance|"
    r"relevant diagnostic|diagnostic|overall plan|care team|notes?|review of systems|physical exam|"
    r"past medical|surgical history|(?:active |current |home )?(?:problems?|medications?))",
    re.IGNORECASE,
)
_NONE = re.compile(
    r"^\W*(?:none|no\b.*\b(?:known|information|data|active|recorded|reported|documented)\b|"
    r"not (?:available|applicable|on file)|n/?a|unknown|drug treatment unknown|patient has no)|\bunknown$",
    re.IGNORECASE,
)
_DETAIL_LINE = re.compile(r"^[A-Za-z][\w ()/-]{0,30}:\s|^(?:problem|item|allergy|medication) #\s?\d+$", re.I)
_TRAILING_DATES = re.compile(r"\s*\((?:onset|started?|since|date)\b[^)]*\)\s*$", re.IGNORECASE)
_STRENGTH = re.compile(
    r"\b\d+(?:\.\d+)?\s*(?:mg|mcg|g|gm|gram|ml|units?|iu|%|meq)(?:\s*/\s*\d*(?:\.\d+)?\s*(?:ml|l|hr|actuat\w*))?(?!\w)",
    re.IGNORECASE,
)
_FORM = re.compile(
    r"\b(?:(?:oral|injectable|topical|ophthalmic|extended[- ]release|delayed[- ]release|chewable|prefilled)\s+)*"
    r"(?:tablets?|capsules?|solution|suspension|injection|syringe|cream|ointment|patch|inhaler|spray|drops|"
    r"powder|solr|tabs?|caps?)\b",
    re.IGNORECASE,
)
_CODE_SYSTEMS = (("icd", "ICD-10-CM"), ("snomed", "SNOMED CT"), ("rxnorm", "RxNorm"), ("cvx", "CVX"))
_DOCUMENT_TYPES = (
    ("care_plan", re.compile(r"care plan|plan of care", re.IGNORECASE)),
    ("discharge_summary", re.compile(r"discharge", re.IGNORECASE)),
    ("referral_note", re.compile(r"referral", re.IGNORECASE)),
    (
        "continuity_of_care_document",
        re.compile(
            r"continuity of care|summary of care|transition of care|patient (?:health )?summary|"
            r"summarization of episode|clinical summary|health summary|\bccd\b|transitions? of care|"
            r"consolidated cda|\bc-?cda\b",
            re.IGNORECASE,
        ),
    ),
)
_HEADER_ELEMENTS = 6
_NEGATED = re.compile(r"cancel|refus|declin|not (?:given|administered|done)|rejected|deferred|entered in error", re.I)
_SEX = {"f": "F", "female": "F", "m": "M", "male": "M", "u": "U", "unknown": "U", "undifferentiated": "U"}


@dataclass(frozen=True)
class _List:
    """One list section: the titles it goes by and the table column that names its items."""

    heading: re.Pattern[str]
    column: re.Pattern[str]


_LISTS = {
    "problems": _List(
        re.compile(r"^(?:active |current )?problems?(?: list)?(?: section)?$", re.IGNORECASE),
        re.compile(r"problem(?! (?:status|code))|condition(?! (?:category|details|status))|diagnos|^name$|"
                   r"description", re.IGNORECASE),
    ),
    "medications": _List(
        re.compile(r"^(?:current |active |home )?medications?(?: list)?(?: section)?$", re.IGNORECASE),
        re.compile(r"medication(?! ?status)|^name$|drug|product", re.IGNORECASE),
    ),
    "allergies": _List(
        re.compile(r"^allerg", re.IGNORECASE),
        re.compile(r"substance|allergen|allergy name|^allergy$|^name$|agent", re.IGNORECASE),
    ),
    "immunizations": _List(
        re.compile(r"^immuni[sz]ations?", re.IGNORECASE),
        re.compile(r"vaccine|immuni[sz]ation(?! (?:date|status))|^name$", re.IGNORECASE),
    ),
}  # fmt: skip
_NOT_ITEM_COLUMN = re.compile(r"code|date|status|filled|brand|type|reaction|reason|system|information|comment", re.I)
_CODE_COLUMN = re.compile(r"^code$|icd|snomed|problem code|^code system$", re.IGNORECASE)


@dataclass
class _Item:
    text: str
    evidence: Evidence | None
    cells: dict[str, str] = field(default_factory=dict)
    code: str | None = None
    code_system: str | None = None


@dataclass
class Summary:
    """What the clinical-summary reading found; a list is None when its section is absent."""

    document_type: Extracted[str] | None = None
    name: Extracted[str] | None = None
    birth_date: Extracted[date] | None = None
    sex: Extracted[str] | None = None
    problems: list[Diagnosis] | None = None
    medications: list[Medication] | None = None
    allergies: list[Extracted[str]] | None = None
    immunizations: list[Immunization] | None = None


def read_summary(doc: ParsedDocument) -> Summary:
    """The header facts and the four lists of a clinical summary (lists None where no section is)."""
    header = _header(doc)
    found = {name: _section_list(doc, spec) for name, spec in _LISTS.items()}
    return Summary(
        document_type=_document_type(doc),
        name=header.get("name"),
        birth_date=_as_date(doc, header.get("birth_date")),
        sex=_as_sex(header.get("sex")),
        problems=None if found["problems"] is None else [_diagnosis(i) for i in found["problems"]],
        medications=None if found["medications"] is None else [_medication(i) for i in found["medications"]],
        allergies=None
        if found["allergies"] is None
        else [Extracted[str](value=_substance(i.text), evidence=i.evidence) for i in found["allergies"]],
        immunizations=None
        if found["immunizations"] is None
        else [Immunization(vaccine=i.text, evidence=i.evidence) for i in found["immunizations"]],
    )


def _substance(text: str) -> str:
    """The allergy's substance: "Penicillin G allergy" is an allergy to penicillin G."""
    return re.sub(r"\s+\(?allergy\)?$", "", text, flags=re.IGNORECASE)


def _document_type(doc: ParsedDocument) -> Extracted[str] | None:
    title = next((e for e in doc.elements[:5] if e.type == "Title"), None)
    if title is None:
        return None
    for kind, pattern in _DOCUMENT_TYPES:
        if pattern.search(title.text):
            return Extracted[str](value=kind, evidence=doc.evidence(title.start, title.end, "title"))
    return None


_HEADER_LABELS = {
    "name": re.compile(r"^(?:patient(?: name)?|name)$", re.IGNORECASE),
    "birth_date": re.compile(r"^(?:date of birth|birth ?date|dob)$", re.IGNORECASE),
    "sex": re.compile(r"^(?:sex|gender|administrative gender)$", re.IGNORECASE),
}


def _header(doc: ParsedDocument) -> dict[str, Extracted[str]]:
    """Label/value rows of the tables at the top of the document (under its title)."""
    out: dict[str, Extracted[str]] = {}
    for element in doc.elements[:_HEADER_ELEMENTS]:
        for row in element.cells or []:
            cells = [c for c in row if c]
            if len(cells) != 2:
                continue
            for key, pattern in _HEADER_LABELS.items():
                if key not in out and pattern.match(cells[0].rstrip(":")):
                    at = doc.text.find(cells[1], element.start, element.end)
                    if at >= 0:
                        found = extracted_text(doc, Span(cells[1], at, at + len(cells[1]), "header_table"))
                        if found is not None:
                            out[key] = found
    return out


def _as_date(doc: ParsedDocument, field: Extracted[str] | None) -> Extracted[date] | None:
    if field is None or field.evidence is None or field.evidence.start is None or field.evidence.end is None:
        return None
    return extracted_date(doc, Span(field.value or "", field.evidence.start, field.evidence.end, "header_table"))


def _as_sex(field: Extracted[str] | None) -> Extracted[str] | None:
    if field is None or not field.value:
        return None
    code = _SEX.get(field.value.strip().lower())
    return Extracted[str](value=code, evidence=field.evidence) if code else None


def _has_section(doc: ParsedDocument, spec: _List) -> bool:
    return any(_is_heading(e) and spec.heading.search(e.text.strip()) for e in doc.elements)


def _is_heading(element: Element) -> bool:
    text = element.text.strip()
    return element.type == "Title" and len(text) <= 80 and bool(_ANY_SECTION.search(text))


def _section_elements(doc: ParsedDocument, spec: _List) -> Iterator[Element]:
    inside = False
    for element in doc.elements:
        if _is_heading(element):
            inside = bool(spec.heading.search(element.text.strip()))
            continue
        if inside:
            yield element


def _section_list(doc: ParsedDocument, spec: _List) -> list[_Item] | None:
    """The section's items; empty when it says it has none; None when there is no such section, or
    its items are written in a way this reading does not know (a note's inline list): others may."""
    if not _has_section(doc, spec):
        return None
    items = list(_section_items(doc, spec))
    if items:
        return items
    says_none = any(_NONE.search(e.text.strip()) or _only_none_rows(e) for e in _section_elements(doc, spec))
    return [] if says_none else None


def _only_none_rows(element: Element) -> bool:
    rows = (element.cells or [])[1:]
    return bool(rows) and all(_NONE.search(" ".join(c for c in row if c)) for row in rows)


def _section_items(doc: ParsedDocument, spec: _List) -> Iterator[_Item]:
    seen: set[str] = set()
    for element in _section_elements(doc, spec):
        items = _table_items(doc, element, spec) if element.cells else _list_items(doc, element)
        for item in items:
            key = item.text.lower()
            if key not in seen:
                seen.add(key)
                yield item


def _table_items(doc: ParsedDocument, element: Element, spec: _List) -> Iterator[_Item]:
    cells = element.cells or []
    if len(cells) < 2:
        return
    header = cells[0]
    column = next(
        (
            i
            for i, name in enumerate(header)
            if spec.column.search(name) and not _NOT_ITEM_COLUMN.search(_first_word(name))
        ),
        None,
    )
    if column is None:
        return
    code_column = next((i for i, name in enumerate(header) if _CODE_COLUMN.search(name)), None)
    cursor = element.start
    for row in cells[1:]:
        if len(row) <= column:
            continue
        text, trailing_code = _without_trailing_codes(row[column].strip())
        if not text or _NONE.search(text) or _negated(header, row):
            continue
        at = doc.text.find(text, cursor, element.end)
        evidence = doc.evidence(at, at + len(text), "section_table") if at >= 0 else None
        cursor = at + len(text) if at >= 0 else cursor
        item = _Item(text, evidence, {header[i]: row[i] for i in range(min(len(header), len(row)))})
        if code_column is not None and code_column < len(row) and row[code_column].strip():
            item.code, item.code_system = _code(row[code_column], header[code_column])
        elif trailing_code:
            item.code, item.code_system = _code(trailing_code, "")
        yield item


def _negated(header: list[str], row: list[str]) -> bool:
    """True when the row's status says the item did not happen (a refused or cancelled vaccine)."""
    return any(
        _NEGATED.search(row[i]) for i, name in enumerate(header) if i < len(row) and re.search("status", name, re.I)
    )


def _first_word(name: str) -> str:
    word = re.match(r"\W*([A-Za-z]+)", name)
    return word.group(1) if word else name


def _list_items(doc: ParsedDocument, element: Element) -> Iterator[_Item]:
    if element.type != "ListItem":
        return
    if _DETAIL_LINE.search(element.text.strip()):
        return
    text, code = _without_trailing_codes(_TRAILING_DATES.sub("", element.text.strip()))
    if not text or _NONE.search(text):
        return
    item = _Item(text, doc.evidence(element.start, element.start + len(text), "section_list"))
    if code:
        item.code, item.code_system = _code(code, "")
    yield item


_TRAILING_CODE = re.compile(
    r"\s*[\[(]?\s*(?P<code>(?:(?:SNOMED(?:[ -]?CT)?|ICD-?10(?:-?CM)?|RxNorm|CVX)\s*[:#-]?\s*)?"
    r"(?:\d{5,}|[A-Z]\d{2}(?:\.\d{1,4})?)(?:[\s,;:]*(?:SNOMED(?:[ -]?CT)?|ICD-?10(?:-?CM)?|RxNorm|CVX))?)\s*[\])]?\s*$",
    re.IGNORECASE,
)


def _without_trailing_codes(text: str) -> tuple[str, str | None]:
    """An item's name without the codes and compact dates some vendors print after it, and the first code."""
    code = None
    while (match := _TRAILING_CODE.search(text)) and match.start() > 0:
        code = match.group("code") if not re.fullmatch(r"\d{8}", match.group("code")) else code
        text = text[: match.start()].rstrip()
    return text, code


def _code(value: str, header: str) -> tuple[str, str | None]:
    """A code as shown, and its system named beside it or in the column header ("SNOMED-386661006",
    "E11.9 ICD10CM")."""
    context = f"{value} {header}".lower()
    system = next((name for token, name in _CODE_SYSTEMS if token in context), None)
    code = re.search(r"[A-Z]\d{2}(?:\.\d{1,4})?|\d{5,}", value)
    return (code.group(0) if code else value.strip()), system


def _diagnosis(item: _Item) -> Diagnosis:
    icd10 = item.code if item.code_system == "ICD-10-CM" else None
    return Diagnosis(
        text=item.text, icd10_code=icd10, code=item.code, code_system=item.code_system, evidence=item.evidence
    )


def _medication(item: _Item) -> Medication:
    def column(pattern: str) -> str | None:
        return next((v.strip() for k, v in item.cells.items() if re.search(pattern, k, re.I) and v.strip()), None)

    strength = _STRENGTH.search(item.text)
    form = _FORM.search(item.text)
    return Medication(
        name=item.text,
        strength=strength.group(0) if strength else None,
        form=form.group(0) if form else None,
        dose=column(r"^dose$|dosage"),
        route=column(r"route"),
        frequency=column(r"frequency|schedule|^sig$|directions|instructions"),
        evidence=item.evidence,
    )
