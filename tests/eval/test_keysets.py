"""Gold key families: which one a gold.tsv is, how their values compare, and classification-only sets."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from docnorm.eval.datasets import KleisterLayout, keyset_for
from docnorm.keysets import ccda, cuad
from docnorm.schemas.contract import Clause, Contract
from docnorm.schemas.evidence import Extracted


def test_the_gold_keys_choose_the_family() -> None:
    assert keyset_for({"party", "clause", "governing_law"}) == ("contract", cuad.CUAD)
    assert keyset_for({"problem", "patient_name"}) == ("medical_record", ccda.CCDA)
    assert keyset_for({"medical_specialty"})[0] == "medical_record"
    assert keyset_for({"medical_specialty"})[1].name == "clinical-notes"


def test_only_the_registered_doc_types_key_families_are_known() -> None:
    from docnorm.doctypes.builtin import REGISTRY
    from docnorm.doctypes.registry import DocTypeRegistry
    from docnorm.schemas.errors import ConfigError

    contracts_only = DocTypeRegistry()
    contracts_only.register(REGISTRY["contract"])
    assert keyset_for({"party", "term"}, contracts_only)[1].name == "kleister-nda"
    with pytest.raises(ConfigError, match="match no known key set"):
        keyset_for({"problem", "patient_name"}, contracts_only)


def test_a_classification_only_set_scores_no_fields(tmp_path: Path) -> None:
    (tmp_path / "documents").mkdir()
    (tmp_path / "gold.tsv").write_text("note.txt\tmedical_specialty=Surgery\n", encoding="utf-8")
    layout = KleisterLayout().bind(tmp_path)
    (doc,) = layout.load(tmp_path)
    assert (doc.doc_type, doc.gold) == ("medical_record", {})
    assert layout.predicted(Contract(), "medical_record") == {}


def test_a_gold_item_matches_by_any_spelling_its_entry_records(tmp_path: Path) -> None:
    (tmp_path / "documents").mkdir()
    (tmp_path / "gold.tsv").write_text("a.html\tproblem=Essential_hypertension\n", encoding="utf-8")
    entry = (
        '{"id": "a", "problems": [{"value": "Essential hypertension", "display_name": "Hypertension, essential",'
        ' "narrative_text": null, "code": "59621000"}]}'
    )
    (tmp_path / "gold.jsonl").write_text(entry + "\n", encoding="utf-8")
    layout = KleisterLayout().bind(tmp_path)
    (doc,) = layout.load(tmp_path)
    assert (
        layout.align("problem", ccda.normalise("problem", "Hypertension, essential"), doc) == "essential_hypertension"
    )
    assert layout.align("problem", ccda.normalise("problem", "59621000"), doc) == "essential_hypertension"
    assert layout.align("problem", "hypertension", doc) == "hypertension"


def test_cuad_dates_match_to_the_gold_precision_and_expiry_follows_the_term() -> None:
    assert cuad.align("agreement_date", "2019-10-01", ["2019"]) == "2019"
    assert cuad.align("agreement_date", "2019-10-01", ["2019-11"]) == "2019-10-01"
    record = Contract(
        effective_date=Extracted[date](value=date(2017, 11, 14)),
        term_months=Extracted[int](value=12),
        clauses=[Clause(kind="audit_rights")],
    )
    keys = {key: [value for value, _ in values] for key, values in cuad.contract_keys(record).items()}
    assert keys["expiration_date"] == ["2018-11-14"]
    assert keys["clause"] == ["audit_rights"]
    assert cuad.normalise("party", "ESPACIO INFORMATION TECHNOLOGY, SA.") == "ESPACIO_INFORMATION_TECHNOLOGY_SA"


def test_a_perpetual_agreement_expires_never() -> None:
    record = Contract(perpetual=Extracted[bool](value=True))
    assert [v for v, _ in cuad.contract_keys(record)["expiration_date"]] == ["perpetual"]
