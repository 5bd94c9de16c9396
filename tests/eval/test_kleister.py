"""The Kleister adapter: the dataset's comparison form and the mapping from a Contract."""

from __future__ import annotations

from datetime import date

import pytest

from docnorm.keysets.kleister import contract_keys, normalise, term_as_written
from docnorm.schemas import Contract, Evidence, Extracted, Party


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
def test_written_names_and_gold_values_meet_in_one_form(written: str, gold: str) -> None:
    assert normalise(written) == normalise(gold)


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
        "party": ["Acme Corp.", "Jane Roe"],
        "term": ["2_years"],
    }
    # No evidence behind these values, so no high confidence either.
    assert all(0 < confidence < 0.5 for values in keys.values() for _, confidence in values)
