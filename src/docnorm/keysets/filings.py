"""The SEC filings gold keys (XBRL headline facts), read off docnorm's FinancialStatement record.

Figures are compared as numbers to the precision the statement printed them in:
a revenue printed as 391,035 in millions matches any gold value that rounds to
it, and a per-share figure matches to its printed decimals.
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from pydantic import BaseModel

from docnorm.keysets.base import KeySet, KeyValues
from docnorm.schemas.evidence import Extracted
from docnorm.schemas.financial import FinancialStatement, LineItem, StatementKind

_INCOME, _BALANCE, _CASH = StatementKind.INCOME, StatementKind.BALANCE_SHEET, StatementKind.CASH_FLOW

FIGURES: dict[str, tuple[StatementKind, str]] = {
    "revenue": (_INCOME, "Revenues"),
    "net_income": (_INCOME, "NetIncomeLoss"),
    "eps_diluted": (_INCOME, "EarningsPerShareDiluted"),
    "total_assets": (_BALANCE, "Assets"),
    "total_liabilities": (_BALANCE, "Liabilities"),
    "stockholders_equity": (_BALANCE, "StockholdersEquity"),
    "cash": (_BALANCE, "CashAndCashEquivalentsAtCarryingValue"),
    "operating_cash_flow": (_CASH, "NetCashProvidedByUsedInOperatingActivities"),
}
_PER_SHARE = {"eps_diluted"}
_PRECISION = "~"
"""Separates a predicted figure from the unit it was printed in: ``391035000000~1000000``."""

# Registrant names differ between the XBRL cover tag and the printed cover only in legal-form
# spelling, a leading article and punctuation ("THE BOEING COMPANY" is BOEING CO).
_ENTITY_FORMS = [
    (re.compile(r"\bCOMPANY\b"), "CO"),
    (re.compile(r"\bCORPORATION\b"), "CORP"),
    (re.compile(r"\bINCORPORATED\b"), "INC"),
    (re.compile(r"\bLIMITED\b"), "LTD"),
]


def normalise_entity(name: str) -> str:
    """Upper case, ``&`` as AND, no punctuation or leading THE, legal forms abbreviated, ``_`` for spaces."""
    text = name.replace("_", " ").upper().replace("&", " AND ").replace("-", " ")
    text = re.sub(r"[^\w ]+", "", text)
    for pattern, replacement in _ENTITY_FORMS:
        text = pattern.sub(replacement, text)
    return "_".join(re.sub(r"^THE ", "", " ".join(text.split())).split())


def normalise(key: str, value: str) -> str:
    """A gold or predicted value in its comparison form."""
    if key == "entity_name":
        return normalise_entity(value)
    if key in FIGURES:
        return value if _PRECISION in value else _number(value)
    return value.replace("_", " ").strip().upper()


def align(key: str, value: str, gold: list[str]) -> str:
    """A predicted figure as the gold value it equals to its printed precision, else as a plain number."""
    if _PRECISION not in value:
        return value
    number, unit = (Decimal(part) for part in value.split(_PRECISION))
    for candidate in gold:
        try:
            if abs(Decimal(candidate) - number) <= unit / 2:
                return candidate
        except InvalidOperation:
            continue
    return _number(str(number))


def _number(text: str) -> str:
    try:
        return format(Decimal(text).normalize(), "f")
    except InvalidOperation:
        return text.upper()


def filing_keys(record: BaseModel) -> KeyValues:
    """The gold keys of a FinancialStatement, each value with its evidence."""
    assert isinstance(record, FinancialStatement)
    keys: KeyValues = {}
    described: list[tuple[str, Extracted[Any] | None]] = [
        ("entity_name", record.entity),
        ("document_type", record.form),
        ("period_end", record.period_end),
        ("currency", record.currency),
    ]
    for key, field in described:
        if field is not None and field.value is not None:
            value = field.value.isoformat() if isinstance(field.value, date) else str(field.value)
            keys[key] = [(value, field.evidence)]
    scale = record.unit_scale.value.factor if record.unit_scale and record.unit_scale.value else Decimal(1)
    for key, (kind, concept) in FIGURES.items():
        item = _headline(record, kind, concept)
        if item is None or item.value is None:
            continue
        unit = _printed_unit(item.value) if key in _PER_SHARE else scale
        keys[key] = [(f"{item.value}{_PRECISION}{unit}", item.evidence)]
    return keys


def _headline(record: FinancialStatement, kind: StatementKind, concept: str) -> LineItem | None:
    """The line of ``kind``'s statement that carries ``concept`` (a total line first)."""
    statement_kind = record.statement_kind.value if record.statement_kind else None
    lines = [
        item for item in record.line_items if item.concept == concept and (item.statement or statement_kind) == kind
    ]
    return next((item for item in lines if item.is_total), lines[0] if lines else None)


def _printed_unit(value: Decimal) -> Decimal:
    exponent = value.as_tuple().exponent
    return Decimal(1).scaleb(exponent) if isinstance(exponent, int) and exponent < 0 else Decimal(1)


SEC_FILINGS = KeySet(
    "sec-filings",
    frozenset({"entity_name", "document_type", "period_end", "currency", *FIGURES}),
    filing_keys,
    normalise,
    align,
)
