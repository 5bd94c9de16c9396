"""Dataset layouts are detected from the folder and their gold is read exactly."""

from __future__ import annotations

from pathlib import Path

import pytest

from docnorm.eval.datasets import load_dataset
from docnorm.eval.fields import normalise_fields
from docnorm.schemas import ConfigError, Diagnosis, Extracted, MedicalRecord, Patient
from docnorm.schemas.records import flatten_record


def _folder(tmp_path: Path, gold_name: str, gold: str, files: list[str]) -> Path:
    (tmp_path / "documents").mkdir()
    for name in files:
        (tmp_path / "documents" / name).write_text("x")
    (tmp_path / gold_name).write_text(gold, encoding="utf-8")
    return tmp_path


def test_kleister_gold_is_read_without_csv_quoting_and_upper_cased(tmp_path: Path) -> None:
    folder = _folder(tmp_path, "gold.tsv", 'a.pdf\tparty="Quoted"_Co. party=B_Inc. jurisdiction=New_York\n', ["a.pdf"])
    layout, [doc] = load_dataset(folder)
    assert layout.name == "kleister" and doc.doc_type == "contract"
    # The dataset's metric upper-cases and changes nothing else: quotes stay.
    assert doc.gold == {"party": ['"QUOTED"_CO.', "B_INC."], "jurisdiction": ["NEW_YORK"]}
    assert doc.written == {"party": ['"Quoted"_Co.', "B_Inc."], "jurisdiction": ["New_York"]}


def test_docnorm_gold_normalises_dates_numbers_and_text(tmp_path: Path) -> None:
    line = '{"file": "n.txt", "doc_type": "medical_record", "fields": {"patient.name": " Jane  Roe ", ' \
           '"line_items.value": ["1,200.50", 3], "encounter_date": "2025-01-02"}}\n'  # fmt: skip
    layout, [doc] = load_dataset(_folder(tmp_path, "gold.jsonl", line, ["n.txt"]))
    assert layout.name == "docnorm"
    assert doc.gold == {
        "patient.name": ["jane roe"],
        "line_items.value": ["1200.5", "3"],
        "encounter_date": ["2025-01-02"],
    }


@pytest.mark.parametrize(
    ("gold_name", "gold", "files", "message"),
    [
        ("gold.jsonl", '{"file": "a.txt"}\n', ["a.txt"], "line 1"),
        ("gold.tsv", "missing.pdf\tparty=A\n", [], "missing"),
        ("notes.txt", "", [], "neither gold.tsv nor gold.jsonl"),
    ],
)
def test_broken_datasets_are_config_errors(
    tmp_path: Path, gold_name: str, gold: str, files: list[str], message: str
) -> None:
    with pytest.raises(ConfigError, match=message):
        load_dataset(_folder(tmp_path, gold_name, gold, files))


def test_records_flatten_to_dotted_paths_with_list_items_under_one_path() -> None:
    record = MedicalRecord(
        patient=Patient(name=Extracted[str](value="Jane Roe")),
        diagnoses=[Diagnosis(text="Hypertension", icd10_code="I10"), Diagnosis(text="Asthma", icd10_code=None)],
        allergies=[Extracted[str](value="Latex")],
    )
    assert normalise_fields(flatten_record(record)) == {
        "patient.name": ["jane roe"],
        "diagnoses.text": ["hypertension", "asthma"],
        "diagnoses.icd10_code": ["i10"],
        "allergies": ["latex"],
    }
