"""EHR summaries: header facts, and each list read from its section's table column or list items, never invented."""

from __future__ import annotations

from datetime import date

from docnorm.extractors.rules.medical import extract_medical
from docnorm.schemas.medical import MedicalRecord
from tests.conftest import ROOT, parse_file

FIXTURES = ROOT / "tests" / "fixtures"


def _record(name: str) -> tuple[MedicalRecord, str]:
    doc = parse_file(FIXTURES / name)
    return extract_medical(doc), doc.text


def test_the_header_table_gives_patient_birth_date_sex_and_the_title_the_document_type() -> None:
    record, _ = _record("clinical-summary.html")
    assert record.patient.name is not None and record.patient.name.value == "Jane Q Example"
    assert record.patient.birth_date is not None and record.patient.birth_date.value == date(1961, 3, 3)
    assert record.patient.sex is not None and record.patient.sex.value == "F"
    assert record.document_type is not None and record.document_type.value == "continuity_of_care_document"


def test_medications_come_from_the_medication_column_with_strength_form_and_columns() -> None:
    record, _ = _record("clinical-summary.html")
    first = record.medications[0]
    assert [m.name for m in record.medications] == [
        "Amlodipine 5 MG Oral Tablet",
        "Hydrochlorothiazide 25 MG Oral Tablet",
    ]  # not the RxNorm code or the status column
    assert (first.strength, first.form, first.dose, first.route, first.frequency) == (
        "5 MG", "Oral Tablet", "5 mg", "ORAL", "Once daily",
    )  # fmt: skip


def test_list_items_drop_numbering_detail_lines_onset_notes_and_trailing_codes() -> None:
    record, _ = _record("clinical-summary.html")
    assert [(d.text, d.code, d.code_system, d.icd10_code) for d in record.diagnoses] == [
        ("Essential hypertension", None, None, None),
        ("Type 2 diabetes mellitus", "E11.9", "ICD-10-CM", "E11.9"),
    ]


def test_allergy_substances_and_only_the_vaccines_given() -> None:
    record, _ = _record("clinical-summary.html")
    assert [a.value for a in record.allergies] == ["Sulfamethoxazole"]
    assert [i.vaccine for i in record.immunizations] == ["Influenza virus vaccine"]  # the refused one is not


def test_every_item_quotes_the_document() -> None:
    record, text = _record("clinical-summary.html")
    evidences = [m.evidence for m in record.medications] + [d.evidence for d in record.diagnoses]
    evidences += [a.evidence for a in record.allergies] + [i.evidence for i in record.immunizations]
    for evidence in evidences:
        assert evidence is not None and evidence.start is not None
        assert text[evidence.start : evidence.end] == evidence.quote


def test_sections_that_say_none_yield_empty_lists_never_invented_items() -> None:
    record, _ = _record("clinical-summary-empty.html")
    assert (record.diagnoses, record.medications, record.allergies, record.immunizations) == ([], [], [], [])
    assert record.patient.sex is not None and record.patient.sex.value == "M"
    assert record.document_type is not None and record.document_type.value == "referral_note"
