"""The Kleister NDA keys and normalisation, mapped from docnorm's Contract record.

The mapping lives with the dataset adapter, not in the schema: Kleister's keys are
one dataset's view of a contract.
"""

from __future__ import annotations

import re
from typing import Any

from pydantic import BaseModel

from docnorm.extractors.text import duration_count
from docnorm.keysets.base import KeySet
from docnorm.schemas.contract import Contract
from docnorm.schemas.evidence import Extracted
from docnorm.validators.confidence import field_confidence

_HONORIFICS = re.compile(r",?\s+(?:M\.D\.|Ph\.D\.|Jr\.|Sr\.|Esq\.|J\.D\.)$")


# The annotators wrote company suffixes in one canonical form ("Escalade, Incorporated" is
# ESCALADE_INC., "Z Capital Partners L.L.C." is Z_CAPITAL_PARTNERS_LLC, "&" is "and");
# both gold and predictions are brought to it before comparing.
_CANONICAL = [
    (re.compile(r"\s*&\s*"), " and "),
    (re.compile(r"\bIncorporated$", re.IGNORECASE), "Inc."),
    (re.compile(r"\bLimited$", re.IGNORECASE), "Ltd."),
    (re.compile(r"\bL\.L\.C\.?$", re.IGNORECASE), "LLC"),
    (re.compile(r"\bL\.P\.?$", re.IGNORECASE), "LP"),
    (re.compile(r"\bL\.L\.P\.?$", re.IGNORECASE), "LLP"),
    (re.compile(r"[’`]"), "'"),
]


def normalise(value: str) -> str:
    """Kleister's comparison form: spaces and colons as ``_``, upper case, no commas or stray quotes."""
    text = value.replace("_", " ").replace("“", "").replace("”", "").replace('"', "").replace(",", "").strip()
    for pattern, replacement in _CANONICAL:
        text = pattern.sub(replacement, text)
    text = re.sub(r"[\s:]+", "_", text.strip())
    return text.strip("_").upper()


def contract_keys(record: BaseModel) -> dict[str, list[tuple[str, float]]]:
    """``effective_date``, ``jurisdiction``, ``party`` (repeated) and ``term`` of a Contract, with confidences."""
    assert isinstance(record, Contract)
    keys: dict[str, list[tuple[str, float]]] = {}
    # Kleister's "effective_date" is the date the NDA is made (its preamble's date), which a
    # contract may distinguish from a later date it takes effect on.
    dated = record.agreement_date or record.effective_date
    if dated and dated.value:
        keys["effective_date"] = [(dated.value.isoformat(), _confidence(dated))]
    if record.governing_law and record.governing_law.value:
        keys["jurisdiction"] = [(record.governing_law.value, _confidence(record.governing_law))]
    if record.parties:
        keys["party"] = [(_HONORIFICS.sub("", p.name), field_confidence(p.name, p.evidence)) for p in record.parties]
    if record.term_months and record.term_months.quote:
        term = term_as_written(record.term_months.quote)
        if term:
            keys["term"] = [(term, _confidence(record.term_months))]
    return keys


def _confidence(field: Extracted[Any]) -> float:
    return field_confidence(field.value, field.evidence)


def term_as_written(quote: str) -> str | None:
    """``{number}_{unit}`` from a duration as written, e.g. "three (3) years" → ``3_years``."""
    unit = re.search(r"\b(year|month|week|day)s?\b", quote, re.IGNORECASE)
    count = duration_count(quote)
    if not unit or count is None:
        return None
    return f"{count}_{unit.group(1).lower()}s"


def _normalise_key(key: str, value: str) -> str:
    return normalise(value)


NDA = KeySet(
    "kleister-nda", frozenset({"party", "effective_date", "jurisdiction", "term"}), contract_keys, _normalise_key
)
