"""Clause detection: a clause type is present when a sentence says it, with that sentence as evidence."""

from __future__ import annotations

from pathlib import Path

import pytest

from docnorm.extractors.rules.clauses import CLAUSES, detect_clauses
from docnorm.schemas.contract import Clause
from tests.conftest import parse_text


def _clauses(tmp_path: Path, text: str) -> dict[str, Clause]:
    return {c.kind: c for c in detect_clauses(parse_text(tmp_path / "contract.txt", text))}


@pytest.mark.parametrize(
    ("sentence", "kind"),
    [
        ("Neither party may assign this Agreement without the prior written consent of the other party.",
         "anti_assignment"),
        ("In no event shall either party's aggregate liability exceed the fees paid in the prior twelve months.",
         "cap_on_liability"),
        ("Licensor hereby grants to Licensee a non-exclusive, non-transferable license to use the Software.",
         "license_grant"),
        ("Licensor hereby grants to Licensee a non-exclusive, non-transferable license to use the Software.",
         "non_transferable_license"),
        ("Distributor shall be the exclusive distributor of the Products in the Territory.", "exclusivity"),
        ("Company may audit the books and records of Supplier once per calendar year.", "audit_rights"),
        ("Either party may terminate this Agreement for convenience upon thirty days written notice.",
         "termination_for_convenience"),
        ("Supplier shall maintain commercial general liability insurance with coverage of at least $1,000,000.",
         "insurance"),
        ("The Company shall have a right of first refusal on any sale of the Assets.", "rofr_rofo_rofn"),
        ("Customer is a third party beneficiary of Section 4.", "third_party_beneficiary"),
    ],
)  # fmt: skip
def test_phrasings_of_a_clause_are_found_with_their_sentence(tmp_path: Path, sentence: str, kind: str) -> None:
    found = _clauses(tmp_path, f"SERVICES AGREEMENT\n\nThe parties agree as follows.\n\n{sentence}\n")
    assert kind in found
    evidence = found[kind].evidence
    assert evidence is not None and sentence.rstrip(".") in evidence.quote


@pytest.mark.parametrize(
    ("sentence", "kind"),
    [
        ("There are no third party beneficiaries of this Agreement.", "third_party_beneficiary"),
        ("Each party submits to the exclusive jurisdiction of the courts of New York.", "exclusivity"),
        ("Licensor grants a non-exclusive license to the Marks.", "exclusivity"),
        ("Either party may terminate this Agreement at any time upon a material breach by the other party.",
         "termination_for_convenience"),
    ],
)  # fmt: skip
def test_sentences_that_say_the_opposite_do_not_count(tmp_path: Path, sentence: str, kind: str) -> None:
    assert kind not in _clauses(tmp_path, f"SERVICES AGREEMENT\n\n{sentence}\n")


def test_a_plain_agreement_has_none_of_the_clauses(tmp_path: Path) -> None:
    text = "LETTER AGREEMENT\n\nThe parties will meet on Monday to discuss the project.\n"
    assert _clauses(tmp_path, text) == {}


def test_the_33_cuad_clause_types_are_covered() -> None:
    assert len(CLAUSES) == 33
