"""Field provenance and confidence: every extracted value with its quote, place, method and confidence."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from docnorm.doctypes.builtin import REGISTRY
from docnorm.schemas import Evidence, ParsedDocument
from docnorm.settings import Settings
from docnorm.stages.documents import ExtractedDocument
from docnorm.stages.validate import validate_documents
from docnorm.validators import ValidationOptions
from docnorm.validators.confidence import field_confidence
from docnorm.validators.provenance import provenance_rows
from tests.conftest import EXAMPLES, parse_file

OPTIONS = ValidationOptions()


def _rows(name: str, doc_type: str, **kwargs: object) -> tuple[ParsedDocument, list[dict[str, object]]]:
    doc = parse_file(EXAMPLES / name)
    spec = REGISTRY[doc_type]
    return doc, provenance_rows(spec.rules(doc), spec.tables(OPTIONS), **kwargs)  # type: ignore[arg-type]


def test_each_value_lands_in_its_table_and_row_with_a_quote_that_is_in_the_text() -> None:
    doc, rows = _rows("master-services-agreement.pdf", "contract")
    by_field = {(r["table_name"], r["row_number"], r["field"]): r for r in rows}
    party = by_field[("contract_parties", 1, "parties.name")]
    assert party["value"] == "Globex Corporation" and party["method"] == "preamble"
    law = by_field[("contracts", 0, "governing_law")]
    assert law["value"] == "Delaware" and law["page"] == 1
    for row in rows:
        assert doc.text[row["char_start"] : row["char_end"]] == row["quote"]  # type: ignore[misc]
        assert 0 < row["confidence"] <= 1  # type: ignore[operator]
    assert "dates_ordered" in law["checks_passed"]  # type: ignore[operator]


def test_a_corrected_field_is_marked_as_changed_by_a_reviewer() -> None:
    _, rows = _rows("visit-note-diabetes.txt", "medical_record", changed=frozenset({"diagnoses.0.icd10_code"}))
    changed = {(r["row_number"], r["field"]) for r in rows if r["reviewer_changed"]}
    assert changed == {(0, "diagnoses.icd10_code")}


@pytest.mark.parametrize(
    ("evidence", "passed", "expected"),
    [
        (Evidence(quote="x", verified=True, method="label"), True, 0.95),
        (Evidence(quote="x", verified=True, method="a_method_without_a_prior"), True, 0.7),
        (Evidence(quote="x", verified=False, method="label"), True, 0.475),
        (None, True, 0.28),
        (Evidence(quote="x", verified=True, method="label"), False, 0.57),
    ],
)
def test_without_a_calibrator_confidence_comes_from_method_grounding_and_checks(
    evidence: Evidence | None, passed: bool, expected: float
) -> None:
    assert field_confidence("v", evidence, passed_checks=passed) == pytest.approx(expected)
    assert field_confidence(None, evidence) == 0.0


def test_a_field_below_its_threshold_sends_the_document_to_review(tmp_path: Path) -> None:
    doc = parse_file(EXAMPLES / "master-services-agreement.pdf")
    spec = REGISTRY["contract"]
    from docnorm.schemas import Classification

    extracted = [
        ExtractedDocument(doc, Classification(doc_type="contract", confidence=1.0), "contract", spec.rules(doc))
    ]
    curated, _ = validate_documents(extracted, OPTIONS, REGISTRY, thresholds={"*": 0.5})
    assert len(curated) == 1 and curated[0].provenance
    _, stopped = validate_documents(extracted, OPTIONS, REGISTRY, thresholds={"effective_date": 0.9})
    [result] = stopped
    assert [(r.code, r.field) for r in result.reasons] == [("low_confidence", "contracts.0.effective_date")]
    assert re.fullmatch(r"confidence 0\.\d+ is below 0\.9", result.reasons[0].message)


def test_thresholds_are_read_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DOCNORM_CONFIDENCE_THRESHOLDS", '{"*": 0.6, "effective_date": 0.9}')
    assert Settings().confidence_thresholds == {"*": 0.6, "effective_date": 0.9}
