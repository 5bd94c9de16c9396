"""Each table check sends exactly the failing document to review, by check name, and passes the rest."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from docnorm.validators import ValidationOptions, failures_by_document
from docnorm.validators.contract import contract_tables
from docnorm.validators.financial import financial_tables
from docnorm.validators.medical import medical_tables

OPTIONS = ValidationOptions(balance_tolerance=0.01)


def _statement(doc_id: str, assets: int, liabilities: int, equity: int, **extra: Any) -> dict[str, Any]:
    return {
        "doc_id": doc_id,
        "statement_kind": "balance_sheet",
        "currency": "USD",
        "total_assets": Decimal(assets),
        "total_liabilities": Decimal(liabilities),
        "total_equity": Decimal(equity),
        "total_liabilities_and_equity": Decimal(liabilities + equity),
        **extra,
    }


def _codes(failures: dict[str, list[Any]], doc_id: str) -> set[str]:
    return {reason.code for reason in failures.get(doc_id, [])}


def test_balance_sheet_that_does_not_balance_fails_alone() -> None:
    rows = {"financial_statements": [_statement("good", 100, 40, 60), _statement("bad", 100, 40, 50)]}
    failures = failures_by_document(financial_tables(OPTIONS), rows)
    assert list(failures) == ["bad"]
    assert _codes(failures, "bad") == {"balance_sheet_balances"}


def test_balance_within_tolerance_passes_and_income_statements_are_not_balance_checked() -> None:
    rows = {
        "financial_statements": [
            _statement("rounded", 1000, 400, 599),
            {**_statement("income", 100, 0, 0), "statement_kind": "income"},
        ]
    }
    assert failures_by_document(financial_tables(OPTIONS), rows) == {}


def _line(
    doc_id: str, n: int, section: str, value: int, total: bool = False, concept: str | None = None
) -> dict[str, Any]:
    return {"doc_id": doc_id, "line_no": n, "label": f"line {n}", "concept": concept, "section": section,
            "is_total": total, "value": Decimal(value), "period_end": date(2024, 12, 31)}  # fmt: skip


def test_a_total_must_equal_its_items_and_earlier_subtotals() -> None:
    good = [_line("ok", 0, "Assets", 10), _line("ok", 1, "Assets", 5), _line("ok", 2, "Assets", 15, True),
            _line("ok", 3, "Assets", 20), _line("ok", 4, "Assets", 35, True)]  # fmt: skip
    bad = [_line("off", 0, "Assets", 10), _line("off", 1, "Assets", 5), _line("off", 2, "Assets", 16, True)]
    failures = failures_by_document(financial_tables(OPTIONS), {"financial_line_items": good + bad})
    assert list(failures) == ["off"]
    assert _codes(failures, "off") == {"totals_match_items"}


def test_unknown_currency_code_fails() -> None:
    rows = {"contract_amounts": [{"doc_id": "a", "position": 0, "amount": Decimal(1), "currency": "XYZ"},
                                 {"doc_id": "b", "position": 0, "amount": Decimal(1), "currency": "EUR"}]}  # fmt: skip
    failures = failures_by_document(contract_tables(OPTIONS), rows)
    assert list(failures) == ["a"]
    reason = failures["a"][0]
    assert (reason.code, reason.field) == ("currency_iso4217", "contract_amounts.currency")
    assert "XYZ" not in reason.message


@pytest.mark.parametrize(
    ("row", "code"),
    [
        ({"effective_date": date(2025, 5, 1), "end_date": date(2024, 5, 1)}, "dates_ordered"),
        ({"effective_date": None, "effective_date_text": "February 30, 2025"}, "date_parses"),
        ({"term_months": 0}, "positive"),
        ({"termination_notice_days": -5}, "not_negative"),
    ],
)
def test_contract_checks(row: dict[str, Any], code: str) -> None:
    failures = failures_by_document(contract_tables(OPTIONS), {"contracts": [{"doc_id": "c", **row}]})
    assert _codes(failures, "c") == {code}


def test_icd10cm_codes_must_exist_in_the_code_set() -> None:
    rows = {
        "medical_diagnoses": [
            {"doc_id": "real", "position": 0, "text": "t", "icd10_code": "E11.9"},
            {"doc_id": "real", "position": 1, "text": "t", "icd10_code": None},
            {"doc_id": "invented", "position": 0, "text": "t", "icd10_code": "R53.99"},
        ]
    }
    failures = failures_by_document(medical_tables(OPTIONS), rows)
    assert list(failures) == ["invented"]
    assert _codes(failures, "invented") == {"icd10cm_code_exists"}


def test_every_failure_of_a_document_is_reported_at_once() -> None:
    rows = {
        "contracts": [
            {"doc_id": "c", "effective_date": date(2025, 5, 1), "end_date": date(2024, 1, 1), "term_months": 0}
        ],
        "contract_amounts": [{"doc_id": "c", "position": 0, "amount": Decimal(1), "currency": "ABC"}],
    }
    assert _codes(failures_by_document(contract_tables(OPTIONS), rows), "c") == {
        "dates_ordered",
        "positive",
        "currency_iso4217",
    }
