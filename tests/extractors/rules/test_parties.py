"""Contract parties from a preamble: every party named, however the slots are joined."""

from __future__ import annotations

from pathlib import Path

import pytest

from docnorm.extractors.rules.contract import extract_contract
from tests.conftest import parse_text


@pytest.mark.parametrize(
    ("preamble", "parties"),
    [
        ("This Agreement is made as of May 1, 2024 between Acme Widgets Inc. and Beta Tools LLC to protect "
         "confidential information.", ["Acme Widgets Inc.", "Beta Tools LLC"]),
        ("This Non-Disclosure Agreement is entered into by and between Acme Widgets, Inc. and Beta Tools, LLC.",
         ["Acme Widgets, Inc.", "Beta Tools, LLC."]),
        ("This Agreement is made between Acme Widgets Inc., a Delaware corporation, and Beta Tools LLC, a Texas "
         "limited liability company.", ["Acme Widgets Inc.", "Beta Tools LLC"]),
        ("This NDA is between Acme Widgets Inc. and John Smith dated January 2, 2023.",
         ["Acme Widgets Inc.", "John Smith"]),
        ('This Agreement is between Acme Widgets Inc. and Beta Tools LLC (together, the "Parties").',
         ["Acme Widgets Inc.", "Beta Tools LLC"]),
        ('This Agreement is made by and between Gamma Holdings Ltd. ("Gamma") and Delta Partners, L.P. '
         '(collectively, the "Investors").', ["Gamma Holdings Ltd.", "Delta Partners, L.P."]),
    ],
)  # fmt: skip
def test_every_party_of_the_preamble_is_found(preamble: str, parties: list[str], tmp_path: Path) -> None:
    doc = parse_text(tmp_path / "nda.txt", f"MUTUAL NONDISCLOSURE AGREEMENT\n\n{preamble}")
    assert [p.name for p in extract_contract(doc).parties] == parties


@pytest.mark.parametrize("defined_term", ["Confidential Information", "Disclosing Party", "Company 3"])
def test_a_defined_term_is_never_a_party(defined_term: str, tmp_path: Path) -> None:
    text = f"CONFIDENTIALITY AGREEMENT\n\nThis Agreement is between {defined_term} and Acme Widgets Inc."
    doc = parse_text(tmp_path / "nda.txt", text)
    assert defined_term not in [p.name for p in extract_contract(doc).parties]
