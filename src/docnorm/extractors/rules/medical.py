"""Rules for clinical notes: labelled header fields, then list sections (diagnoses, medications, vitals)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import TypeVar

from docnorm.extractors.classify import Cue
from docnorm.extractors.rules.clinical_summary import read_summary
from docnorm.extractors.text import DATE, Span, extracted_date, extracted_text, field_value
from docnorm.schemas.documents import ParsedDocument
from docnorm.schemas.evidence import Extracted
from docnorm.schemas.medical import Diagnosis, MedicalRecord, Medication, Patient, Vital

CUES = [
    Cue("patient", r"\bpatient\b", 1.0),
    Cue("dob", r"\b(DOB|date of birth)\b", 2.0),
    Cue("mrn", r"\bMRN\b|medical record (number|no)", 2.0),
    Cue("chief_complaint", r"\bchief complaint\b|\bHPI\b|history of present illness", 2.0),
    Cue("clinical_sections", r"\b(assessment|diagnos[ie]s|medications|allergies|vital signs)\b", 1.0),
    Cue("clinical_units", r"\b\d+\s?mg\b|\bmmHg\b|\bbpm\b", 1.0),
    Cue("icd10", r"\bICD-?10\b", 1.5),
    # Transcribed reports (radiology, operative, autopsy, EMG) carry no patient header, only clinical headings.
    Cue(
        "report_headings",
        r"(?m)^\s*(?:exam|findings|impression|technique|clinical history|reason for exam|procedures?|indications?|"
        r"(?:pre|post)operative diagnos[ie]s|anesthesia|external examination|physical examination|history)\s*:",
        1.5,
    ),
    # Notes dictated or transcribed: SOAP and hospital-course headings, the patient's age as clinicians write
    # it, what patients present with and what clinicians do. Vocabulary of the kind, not of any file.
    Cue(
        "note_headings",
        r"(?m)^\s*(?:subjective|objective|assessment(?:\s+and\s+plan)?|plan|hospital\s+course|discharge\s+"
        r"(?:diagnos[ie]s|instructions|medications|summary)|review\s+of\s+systems|past\s+(?:medical|surgical)\s+"
        r"history|family\s+history|social\s+history|reason\s+for\s+(?:consultation|visit|referral|admission)|"
        r"impression|recommendations?|laboratory(?:\s+(?:data|studies|results))?|operative\s+(?:note|report)|"
        r"description\s+of\s+(?:the\s+)?(?:procedure|operation)|estimated\s+blood\s+loss|complications|"
        r"specimens?|disposition|follow[- ]up|vital\s+signs|heent|extremities|neurologic(?:al)?)\s*[:,]",
        1.5,
    ),
    Cue("age_in_years", r"\b\d{1,3}[- ](?:year|month|week)[- ]old\b", 2.0),
    Cue(
        "clinical_verbs",
        r"\b(?:presents?\s+(?:with|for|to)|complain(?:s|ed|ing)?\s+of|denies|was\s+(?:admitted|discharged|"
        r"seen|evaluated|examined|prepped|draped)|tolerated\s+the\s+procedure|under\s+(?:general|local|spinal)\s+"
        r"anesthesia|on\s+(?:physical\s+)?exam(?:ination)?|was\s+prescribed)\b",
        1.0,
    ),
    Cue(
        "clinical_nouns",
        r"\b(?:pain|blood\s+pressure|heart\s+rate|pulse|respirations?|abdomen|chest|tenderness|swelling|nausea|"
        r"vomiting|fever|infection|dosage|tablets?|surgery|hospital|physician|hypertension|diabetes)\b",
        0.5,
    ),
    Cue(
        "clinical_terms",
        r"\b(?:lesions?|fractures?|radiograph\w*|biops\w+|autopsy|sensory|motor|symptoms?|sutures?|incision|"
        r"bilateral(?:ly)?|anterior|posterior|distal|proximal|mg/dl|contrast)\b",
        0.5,
    ),
]

T = TypeVar("T")
ICD10_CODE = r"[A-TV-Z][0-9][0-9A-Z](?:\.[0-9A-Z]{1,4})?"
_SECTION = re.compile(r"^\s*(?P<name>[A-Za-z][A-Za-z /&]{1,40}?)\s*(?::\s*(?P<rest>.*)|$)")
_DIAGNOSIS = re.compile(
    rf"^(?:\d+[.)]\s*|[-*•]\s*)?(?P<text>[^\n]+?)\s*(?:\(\s*(?:ICD-?10(?:-CM)?:?\s*)?(?P<code>{ICD10_CODE})\s*\)"
    rf"|[-–—:]\s*(?:ICD-?10(?:-CM)?:?\s*)?(?P<code2>{ICD10_CODE}))\s*$"
)
_DOSE = r"\d+(?:\.\d+)?\s?(?:mg|mcg|g|mL|units?|IU|%)(?:/\w+)?"
_ROUTE = r"\b(?:PO|IV|IM|SC|SQ|subcutaneous(?:ly)?|by mouth|oral(?:ly)?|topical(?:ly)?|inhaled|sublingual)\b"
_FREQUENCY = (
    r"\b(?:once daily|twice daily|three times daily|daily|nightly|at bedtime|every \d+ hours|"
    r"q\d+h|BID|TID|QID|QHS|PRN|as needed|weekly)\b"
)
_VITALS = {
    "blood_pressure": (r"\b(?:BP|blood pressure)\s*:?\s*(?P<v>\d{2,3}/\d{2,3})\s*(?P<u>mmHg)?", "mmHg"),
    "heart_rate": (r"\b(?:HR|heart rate|pulse)\s*:?\s*(?P<v>\d{2,3})\s*(?P<u>bpm)?", "bpm"),
    "temperature": (r"\b(?:temp(?:erature)?)\s*:?\s*(?P<v>\d{2,3}(?:\.\d)?)\s*°?\s*(?P<u>[FC])?\b", None),
    "respiratory_rate": (r"\b(?:RR|respiratory rate)\s*:?\s*(?P<v>\d{1,2})\b", "breaths/min"),
    "oxygen_saturation": (r"\b(?:SpO2|O2 sat)\s*:?\s*(?P<v>\d{2,3})\s*(?P<u>%)?", "%"),
}


def extract_medical(doc: ParsedDocument) -> MedicalRecord:
    """Read a clinical note's labelled fields and list sections; an EHR summary's header table and
    titled sections (tables or lists per vendor) take precedence where the document has them."""
    sections = _sections(doc)
    summary = read_summary(doc)

    def either(found: list[T] | None, fallback: Iterator[T]) -> list[T]:
        return found if found is not None else list(fallback)

    return MedicalRecord(
        document_type=summary.document_type,
        patient=Patient(
            name=summary.name or extracted_text(doc, field_value(doc, r"patient name|patient|name")),
            birth_date=summary.birth_date or extracted_date(doc, field_value(doc, r"DOB|date of birth", DATE)),
            mrn=extracted_text(doc, field_value(doc, r"MRN|medical record (?:number|no\.?)", r"[A-Z0-9-]{4,20}")),
            sex=summary.sex,
        ),
        encounter_date=extracted_date(
            doc, field_value(doc, r"date of (?:service|visit)|encounter date|visit date", DATE)
        ),
        provider=extracted_text(doc, field_value(doc, r"provider|attending(?: physician)?|physician")),
        chief_complaint=extracted_text(doc, field_value(doc, r"chief complaint|CC")),
        diagnoses=either(summary.problems, _diagnoses(doc, sections.get("diagnoses", []))),
        medications=either(summary.medications, _medications(doc, sections.get("medications", []))),
        allergies=either(summary.allergies, _allergies(doc, sections.get("allergies", []))),
        immunizations=summary.immunizations or [],
        vitals=list(_vitals(doc)),
        plan=extracted_text(doc, _joined(sections.get("plan", []))),
    )


_SECTION_NAMES = {
    "diagnoses": r"assessment(?: and plan)?|diagnos[ie]s|problems?(?: list)?|impression",
    "medications": r"medications?|current medications|meds|prescriptions?",
    "allergies": r"allergies|allergy",
    "plan": r"plan",
}


# A dash is a bullet only before a word: " - K21.9" after a diagnosis is its code, not a new item.
_LIST_MARKER = re.compile(r"(?:^|(?<=\s))(?:\d{1,2}[.)]\s+(?=[A-Z])|[-*•]\s+(?=[A-Za-z][a-z]))")
_NO_ALLERGIES = re.compile(r"^(?:none|nkda|nka|no known (?:drug )?allergies|n/?a)\.?$", re.IGNORECASE)


def _items(line: Span) -> Iterator[Span]:
    """A line split at list markers ("1. ", "- "), which parsers often run together."""
    cuts = [m.start() for m in _LIST_MARKER.finditer(line.text) if m.start() > 0]
    for begin, end in zip([0, *cuts], [*cuts, len(line.text)], strict=True):
        text = line.text[begin:end]
        if text.strip():
            lead = len(text) - len(text.lstrip())
            yield Span(text.strip(), line.start + begin + lead, line.start + begin + len(text.rstrip()))


def _sections(doc: ParsedDocument) -> dict[str, list[Span]]:
    """Items under the known section headings, split at list markers."""
    return {name: [item for line in lines for item in _items(line)] for name, lines in _section_lines(doc)}


def _section_lines(doc: ParsedDocument) -> Iterator[tuple[str, list[Span]]]:
    """Lines grouped under the known section headings (``Medications:`` and the lines after it)."""
    current: str | None = None
    lines: list[Span] = []
    offset = 0
    for raw in doc.text.split("\n"):
        start, text = offset, raw.strip()
        offset += len(raw) + 1
        if not text:
            continue
        start += raw.find(text)
        heading = _SECTION.match(text)
        name = _section_name(heading.group("name")) if heading else None
        # A bare line is a heading only when it names a known section; "Label: value" always is.
        if heading and heading.group("rest") is None and name is None:
            heading = None
        if heading and (name or current):
            if current:
                yield current, lines
            current, lines = name, []
            rest = heading.group("rest")
            if name and rest:
                lines.append(Span(rest, start + text.find(rest), start + len(text)))
        elif current:
            lines.append(Span(text, start, start + len(text)))
    if current:
        yield current, lines


def _section_name(heading: str) -> str | None:
    return next(
        (name for name, pattern in _SECTION_NAMES.items() if re.fullmatch(pattern, heading.strip(), re.IGNORECASE)),
        None,
    )


def _diagnoses(doc: ParsedDocument, lines: list[Span]) -> Iterator[Diagnosis]:
    for line in lines:
        match = _DIAGNOSIS.match(line.text)
        if match:
            code = match.group("code") or match.group("code2")
            yield Diagnosis(
                text=match.group("text").strip(" -"),
                icd10_code=code,
                evidence=doc.evidence(line.start, line.end, "section_item"),
            )


def _medications(doc: ParsedDocument, lines: list[Span]) -> Iterator[Medication]:
    for line in lines:
        text = re.sub(r"^(?:\d+[.)]\s*|[-*•]\s*)", "", line.text)
        dose = re.search(_DOSE, text, re.IGNORECASE)
        name = text[: dose.start()] if dose else re.split(_ROUTE, text, maxsplit=1, flags=re.IGNORECASE)[0]
        if not name.strip() or re.fullmatch(r"(none|n/?a)\.?", text.strip(), re.IGNORECASE):
            continue
        route = re.search(_ROUTE, text, re.IGNORECASE)
        frequency = re.search(_FREQUENCY, text, re.IGNORECASE)
        yield Medication(
            name=name.strip(" ,-"),
            dose=dose.group() if dose else None,
            route=route.group() if route else None,
            frequency=frequency.group() if frequency else None,
            evidence=doc.evidence(line.start, line.end, "section_item"),
        )


def _allergies(doc: ParsedDocument, lines: list[Span]) -> Iterator[Extracted[str]]:
    for line in lines:
        position = line.start
        if _NO_ALLERGIES.match(line.text.strip()):
            continue
        for item in re.split(r"[,;]", line.text):
            name = item.strip(" .-*•")
            at = doc.text.find(name, position, line.end) if name else -1
            if at >= 0:
                position = at + len(name)
                yield Extracted[str](value=name, evidence=doc.evidence(at, at + len(name), "section_item"))


def _vitals(doc: ParsedDocument) -> Iterator[Vital]:
    for name, (pattern, default_unit) in _VITALS.items():
        match = re.search(pattern, doc.text, re.IGNORECASE)
        if match:
            unit = match.groupdict().get("u") or default_unit
            yield Vital(
                name=name,
                value=match.group("v"),
                unit=unit,
                evidence=doc.evidence(match.start(), match.end(), "vital_pattern"),
            )


def _joined(lines: list[Span]) -> Span | None:
    if not lines:
        return None
    return Span(" ".join(line.text for line in lines), lines[0].start, lines[-1].end)


__all__ = ["CUES", "ICD10_CODE", "extract_medical"]
