"""SEC gold keys: registrant names compare without legal-form spelling; figures compare to their printed precision."""

from __future__ import annotations

from pathlib import Path

from docnorm.eval.datasets import KleisterLayout, keyset_for
from docnorm.extractors.rules.financial import extract_financial
from docnorm.keysets.filings import SEC_FILINGS, align, filing_keys, normalise, normalise_entity
from tests.conftest import ROOT, parse_file


def test_registrant_names_compare_without_articles_punctuation_or_legal_form_spelling() -> None:
    assert normalise_entity("THE_EXAMPLE_COMPANY") == normalise_entity("The Example Company") == "EXAMPLE_CO"
    assert normalise_entity("Example-Widgets Corporation") == normalise_entity("EXAMPLE WIDGETS CORP")
    assert normalise_entity("Apple_Inc.") == "APPLE_INC"
    assert normalise_entity("Example Inc.") != normalise_entity("Example Corp")


def test_a_figure_matches_gold_to_the_digits_it_was_printed_with() -> None:
    printed_in_millions = "391035000000~1000000"
    assert align("revenue", printed_in_millions, ["391035123456"]) == "391035123456"
    assert align("revenue", printed_in_millions, ["391036000000"]) == "391035000000"
    assert align("eps_diluted", "6.08~0.01", ["6.08"]) == "6.08"
    assert align("eps_diluted", "6.08~0.01", ["6.09"]) == "6.08"
    assert normalise("revenue", "391035000000") == "391035000000"
    assert normalise("period_end", "2024-09-28") == "2024-09-28"


def test_the_gold_keys_pick_the_key_set(tmp_path: Path) -> None:
    assert keyset_for({"revenue", "entity_name"}) == ("financial_statement", SEC_FILINGS)
    assert keyset_for({"party", "term"})[1].name == "kleister-nda"
    (tmp_path / "documents").mkdir()
    (tmp_path / "gold.tsv").write_text("a.html\tentity_name=X_Inc. revenue=5\n", encoding="utf-8")
    layout = KleisterLayout().bind(tmp_path)
    assert (layout.doc_type, layout.keyset) == ("financial_statement", SEC_FILINGS)
    (doc,) = layout.load(tmp_path)
    assert doc.gold == {"entity_name": ["X_INC"], "revenue": ["5"]}


def test_a_filing_record_yields_the_headline_keys() -> None:
    record = extract_financial(parse_file(ROOT / "tests" / "fixtures" / "filing-10q.html"))
    keys = {key: [value for value, _ in values] for key, values in filing_keys(record).items()}
    assert keys == {
        "entity_name": ["EXAMPLE WIDGETS CORPORATION"],
        "document_type": ["10-Q"],
        "period_end": ["2025-06-30"],
        "currency": ["USD"],
        "revenue": ["1250000~1000"],
        "net_income": ["294000~1000"],
        "eps_diluted": ["0.42~0.01"],
        "total_assets": ["3200000~1000"],
        "total_liabilities": ["1750000~1000"],
        "stockholders_equity": ["1390000~1000"],
        "cash": ["900000~1000"],
        "operating_cash_flow": ["630000~1000"],
    }
