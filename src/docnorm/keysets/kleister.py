"""The Kleister NDA keys, mapped from docnorm's Contract record, and the dataset's own comparison.

The mapping lives with the dataset adapter, not in the schema: Kleister's keys are
one dataset's view of a contract.
"""

from __future__ import annotations

import re

from pydantic import BaseModel

from docnorm.extractors.text import duration_count
from docnorm.keysets.base import KeySet, KeyValues
from docnorm.schemas.contract import Contract
from docnorm.schemas.names import canonical_name


def as_written(value: str) -> str:
    """A value the way the dataset's annotators wrote values: spaces and colons as ``_``."""
    return re.sub(r"[\s:]+", "_", value.strip())


def compare_form(key: str, value: str) -> str:
    """The dataset's own comparison (GEval ``MultiLabel-F1`` with the ``u`` flag): upper case, nothing else.

    Anything that changes a name (legal suffixes, "&", commas) is the product's normalisation:
    ``Party`` names are mapped from their canonical form (docnorm.schemas.names).
    """
    return value.upper()


def contract_keys(record: BaseModel) -> KeyValues:
    """``effective_date``, ``jurisdiction``, ``party`` (repeated) and ``term`` of a Contract, as the dataset
    writes them, with their evidence. Parties are given in their canonical legal form."""
    assert isinstance(record, Contract)
    keys: KeyValues = {}
    # Kleister's "effective_date" is the date the NDA is made (its preamble's date), which a
    # contract may distinguish from a later date it takes effect on.
    dated = record.agreement_date or record.effective_date
    if dated and dated.value:
        keys["effective_date"] = [(dated.value.isoformat(), dated.evidence)]
    if record.governing_law and record.governing_law.value:
        keys["jurisdiction"] = [(as_written(record.governing_law.value), record.governing_law.evidence)]
    if record.parties:
        keys["party"] = [(as_written(canonical_name(p.name)), p.evidence) for p in record.parties]
    if record.term_months and record.term_months.quote:
        term = term_as_written(record.term_months.quote)
        if term:
            keys["term"] = [(term, record.term_months.evidence)]
    return keys


def term_as_written(quote: str) -> str | None:
    """``{number}_{unit}`` from a duration as written, e.g. "three (3) years" → ``3_years``."""
    unit = re.search(r"\b(year|month|week|day)s?\b", quote, re.IGNORECASE)
    count = duration_count(quote)
    if not unit or count is None:
        return None
    return f"{count}_{unit.group(1).lower()}s"


NDA = KeySet(
    "kleister-nda", frozenset({"party", "effective_date", "jurisdiction", "term"}), contract_keys, compare_form
)
