"""The Kleister adapter: the mapping from a Contract, written as the dataset writes values, and the
dataset's own comparison (upper case, nothing else)."""

from __future__ import annotations

from datetime import date

import pytest

from docnorm.keysets.kleister import as_written, compare_form, contract_keys, term_as_written
from docnorm.schemas import Contract, Evidence, Extracted, Party
from docnorm.schemas.names import canonical_name


@pytest.mark.parametrize(
    ("written", "gold"),
    [
        ("Kite Pharma, Inc.", "Kite_Pharma_Inc."),
        ("Leonard Green & Partners, L.P.", "Leonard_Green_and_Partners_LP"),
        ("Escalade, Incorporated", "Escalade_Inc."),
        ("Z Capital Partners L.L.C.", "Z_Capital_Partners_LLC"),
        ("New York", "New_York"),
    ],
)
def test_printed_names_in_canonical_form_meet_the_gold_under_the_datasets_metric(written: str, gold: str) -> None:
    assert compare_form("party", as_written(canonical_name(written))) == compare_form("party", gold)


def test_the_metric_changes_nothing_but_case() -> None:
    assert compare_form("party", "Kite_Pharma,_Inc.") == "KITE_PHARMA,_INC."
    assert compare_form("party", "Kite_Pharma,_Inc.") != compare_form("party", "Kite_Pharma_Inc.")


@pytest.mark.parametrize(
    ("quote", "term"),
    [("three (3) years", "3_years"), ("24 months", "24_months"), ("eighteen (18) months", "18_months"), ("ever", None)],
)
def test_term_is_reported_in_the_unit_it_was_written_in(quote: str, term: str | None) -> None:
    assert term_as_written(quote) == term


def test_contract_maps_to_the_four_nda_keys() -> None:
    record = Contract(
        parties=[Party(name="Acme Corp."), Party(name="Jane Roe, M.D.")],
        effective_date=Extracted[date](value=date(2020, 2, 1)),
        governing_law=Extracted[str](value="Delaware"),
        term_months=Extracted[int](value=24, evidence=Evidence(quote="two (2) years")),
    )
    keys = contract_keys(record)
    assert {key: [value for value, _ in values] for key, values in keys.items()} == {
        "effective_date": ["2020-02-01"],
        "jurisdiction": ["Delaware"],
        "party": ["Acme_Corp.", "Jane_Roe"],
        "term": ["2_years"],
    }
    # Each value comes with the evidence of the field it was read from, for its confidence.
    assert keys["term"][0][1] == Evidence(quote="two (2) years")
    assert all(evidence is None for key in ("effective_date", "jurisdiction", "party") for _, evidence in keys[key])
