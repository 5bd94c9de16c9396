"""A value fits its curated column exactly, or its document goes to review naming the field, never the value."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from docnorm.schemas.tables import MONEY, Column, TableSpec
from docnorm.sinks.parquet import UNWRITABLE, arrow_table
from docnorm.validators.fit import MAX_LIST_ITEMS, MAX_STRING_BYTES, unfit_values, why_unfit

SPEC = TableSpec(
    "ledger",
    [
        Column("amount", MONEY),
        Column("months", pa.int32()),
        Column("name", pa.string()),
        Column("tags", pa.list_(pa.string())),
        Column("day", pa.date32()),
    ],
)


@pytest.mark.parametrize(
    ("value", "kind", "problem"),
    [
        (Decimal("12345678901234567890.1234"), MONEY, None),
        (Decimal("1.23450000"), MONEY, None),  # trailing zeros are not precision
        (Decimal("-0.000"), MONEY, None),
        (Decimal("1E+30"), MONEY, "31 integer digits, the column holds 20"),
        (Decimal("123456789012345678901"), MONEY, "21 integer digits, the column holds 20"),
        (10**25, MONEY, "26 integer digits, the column holds 20"),
        (Decimal("1.23456"), MONEY, "5 decimal places, the column keeps 4"),
        (Decimal("NaN"), MONEY, "not a finite number"),
        (Decimal("Infinity"), MONEY, "not a finite number"),
        (2**31 - 1, pa.int32(), None),
        (2**31, pa.int32(), "outside the range of a 32-bit integer"),
        (-(2**63) - 1, pa.int64(), "outside the range of a 64-bit integer"),
        (True, pa.int32(), "not a whole number"),
        (date(1, 1, 1), pa.date32(), None),
        ("x" * 10, pa.string(), None),
        ("\ud800", pa.string(), "text with unpaired surrogates, which UTF-8 cannot hold"),
        (["a"] * (MAX_LIST_ITEMS + 1), pa.list_(pa.string()), f"more than {MAX_LIST_ITEMS} items"),
        ([Decimal("1E+30")], pa.list_(MONEY), "an item has 31 integer digits, the column holds 20"),
    ],
)
def test_why_a_value_does_not_fit_is_said_without_the_value(
    value: object, kind: pa.DataType, problem: str | None
) -> None:
    assert why_unfit(value, kind) == problem


def test_a_string_of_more_than_a_mebibyte_does_not_fit() -> None:
    assert why_unfit("é" * (MAX_STRING_BYTES // 2), pa.string()) is None
    assert why_unfit("é" * (MAX_STRING_BYTES // 2 + 1), pa.string()) == f"longer than {MAX_STRING_BYTES} bytes"


def test_unfit_values_name_the_table_and_column_once_per_document_with_row_numbers() -> None:
    rows = [
        {"doc_id": "a", "amount": Decimal("1E+30"), "months": 3},
        {"doc_id": "a", "amount": Decimal("2E+30"), "months": 2**40},
        {"doc_id": "b", "amount": Decimal("10.5")},
    ]
    found = unfit_values(SPEC, rows)
    assert set(found) == {"a"}
    by_field = {r.field: r for r in found["a"]}
    assert set(by_field) == {"ledger.amount", "ledger.months"}
    assert {r.code for r in found["a"]} == {"value_out_of_range"}
    assert by_field["ledger.amount"].message == "amount (2 rows): 31 integer digits, the column holds 20"
    assert by_field["ledger.months"].message == "months (row 2): outside the range of a 32-bit integer"
    assert not any("1099511627776" in r.message or "E+30" in r.message for r in found["a"])


# Any decimal a document could state: up to 40 digits, up to 8 decimal places.
_DECIMALS = st.builds(
    lambda digits, places, negative: Decimal(f"{'-' if negative else ''}{digits}").scaleb(-places),
    st.integers(min_value=0, max_value=10**40),
    st.integers(min_value=0, max_value=8),
    st.booleans(),
)


@settings(max_examples=300, deadline=None)
@given(_DECIMALS)
def test_a_decimal_fits_exactly_when_the_column_can_hold_it_unchanged(value: Decimal) -> None:
    row = {"doc_id": "d", "run_id": "r", "amount": value}
    fits = why_unfit(value, MONEY) is None
    try:
        written = arrow_table(SPEC, [row]).column("amount")[0].as_py()
    except UNWRITABLE:
        assert not fits, "the check let through a value the writer cannot hold"
        return
    # What is written is never a rounded value: it is the value itself, or the check refused it.
    assert fits and written == value
