"""The CUAD gold keys (lawyer-labelled commercial contracts), read off docnorm's Contract record.

Values compare upper-cased as alphanumeric words (party names: case, punctuation and spacing
aside). Dates compare as dates to the gold's precision: CUAD leaves day or month unknown at
times (``2019`` or ``2019-10``), and a predicted 2019-10-01 matches either. Clause presence is
its own group: one ``clause`` value per clause type the contract contains.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from dateutil.relativedelta import relativedelta
from pydantic import BaseModel

from docnorm.keysets.base import KeySet, KeyValues
from docnorm.schemas.contract import Contract
from docnorm.schemas.evidence import Extracted

FIELDS = frozenset(
    {
        "document_name",
        "party",
        "agreement_date",
        "effective_date",
        "expiration_date",
        "renewal_term",
        "notice_period_to_terminate_renewal",
        "governing_law",
    }
)
KEYS = FIELDS | {"clause"}
GROUPS = {"fields": FIELDS, "clauses": frozenset({"clause"})}
_DATES = {"agreement_date", "effective_date", "expiration_date"}


def normalise(key: str, value: str) -> str:
    """Upper-case alphanumeric words joined by ``_``; dates as written (ISO, maybe partial)."""
    text = value.replace("_", " ")
    if key in _DATES and re.fullmatch(r"\d{4}(?:-\d{2}){0,2}", text.strip()):
        return text.strip()
    return "_".join(re.findall(r"[A-Z0-9]+", text.upper()))


def align(key: str, value: str, gold: list[str]) -> str:
    """A predicted full date as the partial gold date it agrees with (2019-10-01 is 2019-10)."""
    if key in _DATES:
        return next((g for g in gold if re.fullmatch(r"\d{4}(?:-\d{2})?", g) and value.startswith(g)), value)
    return value


def contract_keys(record: BaseModel) -> KeyValues:
    """The CUAD keys of a Contract, each value with its evidence."""
    assert isinstance(record, Contract)
    keys: KeyValues = {}

    def put(key: str, field: Extracted[Any] | None, text: str | None = None) -> None:
        if field is not None and field.value is not None:
            value = text or (field.value.isoformat() if isinstance(field.value, date) else str(field.value))
            keys[key] = [(value, field.evidence)]

    put("document_name", record.title)
    put("agreement_date", record.agreement_date)
    put("effective_date", record.effective_date)
    put("expiration_date", record.end_date)
    start = record.effective_date or record.agreement_date
    if "expiration_date" not in keys and start and start.value and record.term_months and record.term_months.value:
        # CUAD's expiration date is derived from the term clause: start plus the initial term.
        expires = start.value + relativedelta(months=record.term_months.value)
        put("expiration_date", record.term_months, expires.isoformat())
    if "expiration_date" not in keys and record.perpetual is not None and record.perpetual.value:
        put("expiration_date", record.perpetual, "perpetual")
    put("renewal_term", record.renewal_term)
    put("notice_period_to_terminate_renewal", record.renewal_notice)
    put("governing_law", record.governing_law)
    if record.parties:
        keys["party"] = [(p.name, p.evidence) for p in record.parties]
    if record.clauses:
        keys["clause"] = [(c.kind, c.evidence) for c in record.clauses]
    return keys


CUAD = KeySet("cuad", KEYS, contract_keys, normalise, align, groups=GROUPS)
