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


def _line(doc_id: str, n: int, section: str, label: str, value: int, kind: str = "balance_sheet") -> dict[str, Any]:
    return {"doc_id": doc_id, "line_no": n, "statement_kind": kind, "label": label, "concept": None,
            "section": section, "is_total": label.lower().startswith("total"), "value": Decimal(value),
            "period_end": date(2024, 12, 31), "period_months": None}  # fmt: skip


def _current_assets(doc_id: str, total: int) -> list[dict[str, Any]]:
    section = "Assets: Current assets"
    return [_line(doc_id, 0, section, "Cash", 10), _line(doc_id, 1, section, "Receivables", 5),
            _line(doc_id, 2, section, "Total current assets", total),
            # "Total assets" does not name the current-assets heading: it is left to the balance check.
            _line(doc_id, 3, section, "Goodwill", 20), _line(doc_id, 4, section, "Total assets", 99)]  # fmt: skip


def test_a_total_named_after_its_heading_must_equal_the_lines_under_it() -> None:
    lines = _current_assets("ok", 15) + _current_assets("off", 16)
    failures = failures_by_document(financial_tables(OPTIONS), {"financial_line_items": lines})
    assert list(failures) == ["off"]
    assert _codes(failures, "off") == {"totals_match_items"}


def test_a_subtotal_stands_for_the_lines_above_it() -> None:
    section = "Shareholders' equity"
    lines = [_line("nci", 0, section, "Common stock", 10), _line("nci", 1, section, "Retained earnings", 80),
             _line("nci", 2, section, "Total parent shareholders' equity", 90),
             _line("nci", 3, section, "Noncontrolling interests", 7),
             _line("nci", 4, section, "Total shareholders' equity", 97)]  # fmt: skip
    assert failures_by_document(financial_tables(OPTIONS), {"financial_line_items": lines}) == {}


def test_a_failed_line_check_names_the_offending_lines_not_their_values() -> None:
    failures = failures_by_document(financial_tables(OPTIONS), {"financial_line_items": _current_assets("off", 16)})
    (reason,) = failures["off"]
    assert reason.message.endswith("(line_no 2)")
    assert "16" not in reason.message


def test_diluted_eps_must_carry_the_sign_of_net_income() -> None:
    def income(doc_id: str, net_income: int, eps: str) -> dict[str, Any]:
        return {"doc_id": doc_id, "statement_kind": "income", "currency": "USD",
                "net_income": Decimal(net_income), "eps_diluted": Decimal(eps)}  # fmt: skip

    rows = {"financial_statements": [income("profit", 100, "1.20"), income("loss", -100, "-1.20"),
                                     income("flipped", -100, "1.20")]}  # fmt: skip
    failures = failures_by_document(financial_tables(OPTIONS), rows)
    assert list(failures) == ["flipped"]
    assert _codes(failures, "flipped") == {"eps_sign_matches_net_income"}


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
