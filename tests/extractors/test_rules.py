"""The rules extractors read known values, with evidence, from the example documents of every format."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from docnorm.extractors.rules.contract import extract_contract
from docnorm.extractors.rules.financial import extract_financial
from docnorm.extractors.rules.medical import extract_medical
from docnorm.schemas.documents import ParsedDocument
from docnorm.schemas.evidence import Evidence
from docnorm.schemas.financial import StatementKind, UnitScale
from tests.conftest import parse_text


def _grounded(doc: ParsedDocument, evidence: Evidence | None) -> bool:
    return (
        evidence is not None
        and evidence.start is not None
        and doc.text[evidence.start : evidence.end] == evidence.quote
    )


@pytest.mark.parametrize(
    ("name", "parties", "effective", "months", "law", "notice", "renews", "amount"),
    [
        ("master-services-agreement.pdf", ["Acme Widgets, Inc.", "Globex Corporation"], date(2025, 1, 15), 36,
         "Delaware", 30, True, (Decimal(120000), "USD")),
        ("non-disclosure-agreement.docx", ["Initech LLC", "Hooli Inc."], date(2025, 3, 1), 24,
         "California", 60, False, (Decimal(5000), "USD")),
        ("consulting-agreement.txt", ["Stark Advisory Ltd.", "Wayne Enterprises Corporation"], date(2025, 2, 3), 12,
         "New York", 15, False, (Decimal(48000), "EUR")),
    ],
)  # fmt: skip
def test_contract_fields(
    parsed_examples: dict[str, ParsedDocument],
    name: str,
    parties: list[str],
    effective: date,
    months: int,
    law: str,
    notice: int,
    renews: bool,
    amount: tuple[Decimal, str],
) -> None:
    doc = parsed_examples[name]
    record = extract_contract(doc)
    assert [p.name for p in record.parties] == parties
    assert all(p.role for p in record.parties)  # each party's defined term, e.g. ("Supplier")
    assert record.effective_date and record.effective_date.value == effective
    assert record.term_months and record.term_months.value == months
    assert record.governing_law and record.governing_law.value == law
    assert record.termination_notice_days and record.termination_notice_days.value == notice
    assert record.auto_renewal and record.auto_renewal.value is renews
    assert [(m.amount, m.currency) for m in record.amounts] == [amount]
    assert [s.title for s in record.signatories] == ["Chief Executive Officer", "General Counsel"]
    assert all(_grounded(doc, p.evidence) for p in record.parties)
    assert _grounded(doc, record.effective_date.evidence)


def test_balance_sheet_lines_are_scaled_mapped_and_sectioned(parsed_examples: dict[str, ParsedDocument]) -> None:
    doc = parsed_examples["balance-sheet-acme-2024.html"]
    record = extract_financial(doc)
    assert record.statement_kind and record.statement_kind.value is StatementKind.BALANCE_SHEET
    assert record.unit_scale and record.unit_scale.value is UnitScale.THOUSANDS
    assert record.currency and record.currency.value == "USD"
    assert record.period_end and record.period_end.value == date(2024, 12, 31)
    by_concept = {item.concept: item for item in record.line_items}
    assert by_concept["Assets"].value == Decimal(5_600_000)
    assert by_concept["Assets"].is_total and by_concept["Assets"].section == "Assets"
    assert by_concept["StockholdersEquity"].value == Decimal(3_000_000)
    assert len(record.line_items) == 15
    assert all(_grounded(doc, item.evidence) for item in record.line_items)


def test_a_flattened_pdf_statement_still_yields_every_line(parsed_examples: dict[str, ParsedDocument]) -> None:
    record = extract_financial(parsed_examples["income-statement-globex-2024.pdf"])
    labels = [(i.label, i.section) for i in record.line_items]
    assert ("Research and development", "Operating expenses") in labels
    assert next(i.value for i in record.line_items if i.concept == "NetIncomeLoss") == Decimal(1_580_000)


def test_cash_flow_parentheses_are_negative(parsed_examples: dict[str, ParsedDocument]) -> None:
    record = extract_financial(parsed_examples["cash-flow-initech-2024.docx"])
    capex = next(i for i in record.line_items if i.concept == "PaymentsToAcquirePropertyPlantAndEquipment")
    assert capex.value == Decimal(-450_000)


@pytest.mark.parametrize(
    "name",
    ["visit-note-diabetes.txt", "discharge-summary-pneumonia.pdf", "primary-care-note.html", "follow-up-asthma.docx"],
)
def test_medical_records_fill_demographics_and_lists(parsed_examples: dict[str, ParsedDocument], name: str) -> None:
    doc = parsed_examples[name]
    record = extract_medical(doc)
    assert record.patient.name and record.patient.name.value and " " in record.patient.name.value
    assert record.patient.birth_date and record.patient.birth_date.value
    assert record.patient.mrn and (record.patient.mrn.value or "").startswith("MRN-")
    assert record.encounter_date and record.encounter_date.value and record.encounter_date.value.year == 2025
    assert record.diagnoses and all(d.icd10_code for d in record.diagnoses)
    assert record.medications and all(m.dose for m in record.medications)
    assert any(v.name == "blood_pressure" for v in record.vitals)
    assert all(_grounded(doc, d.evidence) for d in record.diagnoses)


def test_diabetes_note_values(parsed_examples: dict[str, ParsedDocument]) -> None:
    record = extract_medical(parsed_examples["visit-note-diabetes.txt"])
    assert [(d.text, d.icd10_code) for d in record.diagnoses] == [
        ("Type 2 diabetes mellitus without complications", "E11.9"),
        ("Essential (primary) hypertension", "I10"),
    ]
    assert [(m.name, m.dose, m.route, m.frequency) for m in record.medications] == [
        ("Metformin", "500 mg", "PO", "BID"),
        ("Lisinopril", "10 mg", "PO", "daily"),
    ]
    assert [a.value for a in record.allergies] == ["Penicillin", "Sulfa drugs"]


def test_numbered_parties_with_compound_suffixes_and_no_role_names(tmp_path: Path) -> None:
    text = (
        "COOPERATION AGREEMENT\n\nThis Agreement is entered into on May 2, 2014 by and between:\n\n"
        '(1) Alpha Trading Co., Ltd., with its registered address at 1 Main Road, Nanjing ("Party A");\n\n'
        '(2) Beta Systems Pte. Ltd., with its registered address at 2 Harbour Street, Singapore ("Party B").\n\n'
        "WHEREAS the parties wish to cooperate."
    )
    record = extract_contract(parse_text(tmp_path / "cooperation.txt", text))
    assert [p.name for p in record.parties] == ["Alpha Trading Co., Ltd.", "Beta Systems Pte. Ltd."]
    assert [p.role for p in record.parties] == ["Party A", "Party B"]
    assert record.title is not None and record.title.value == "COOPERATION AGREEMENT"


def test_a_rule_that_raises_costs_only_its_document(parsed_examples: dict[str, ParsedDocument]) -> None:
    from docnorm.extractors.base import ExtractorContext, RulesExtractor
    from docnorm.schemas.errors import ExtractionError
    from docnorm.settings import Settings

    def broken(doc: ParsedDocument) -> None:
        raise ValueError(f"bug quoting {doc.text[:20]}")

    extractor = RulesExtractor(
        ExtractorContext(rules={"contract": broken, "medical_record": extract_medical}, models={}, settings=Settings())
    )
    bad, good = extractor.extract_many(
        [
            (parsed_examples["consulting-agreement.txt"], "contract"),
            (parsed_examples["visit-note-diabetes.txt"], "medical_record"),
        ]
    )
    assert isinstance(bad, ExtractionError) and bad.reason == "extractor_crashed"
    assert bad.message == "extraction failed (ValueError)"
    assert not isinstance(good, Exception)
