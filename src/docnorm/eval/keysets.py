"""The families of Kleister-style gold keys docnorm can score, chosen by the keys a gold.tsv uses."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import BaseModel

from docnorm.eval import ccda, cuad, filings, kleister
from docnorm.schemas.errors import ConfigError

Aliases = dict[str, dict[str, dict[str, str]]]
"""Per file, per key: normalised alternative spelling → the gold value it stands for."""


@dataclass(frozen=True)
class KeySet:
    """One family of gold keys: the doc type it labels, how a record yields its keys, how values are
    compared, optional alternative spellings from the dataset, and key groups scored on their own.
    A classification-only family (labels, no fields) scores only which doc type was chosen."""

    name: str
    doc_type: str
    keys: frozenset[str]
    extract: Callable[[BaseModel], dict[str, list[tuple[str, float]]]]
    normalise: Callable[[str, str], str]
    align: Callable[[str, str, list[str]], str] = field(default=lambda key, value, gold: value)
    aliases: Callable[[Path], Aliases] | None = None
    groups: dict[str, frozenset[str]] = field(default_factory=dict)
    classification_only: bool = False


KEYSETS: list[KeySet] = [
    KeySet(
        "kleister-nda",
        "contract",
        frozenset({"party", "effective_date", "jurisdiction", "term"}),
        kleister.contract_keys,
        lambda key, value: kleister.normalise(value),
    ),
    KeySet(
        "sec-filings",
        "financial_statement",
        frozenset({"entity_name", "document_type", "period_end", "currency", *filings.FIGURES}),
        filings.filing_keys,
        filings.normalise,
        filings.align,
    ),
    KeySet("cuad", "contract", cuad.KEYS, cuad.contract_keys, cuad.normalise, cuad.align, groups=cuad.GROUPS),
    # Clinical notes labelled with their specialty only: they test which doc type is chosen.
    KeySet(
        "clinical-notes",
        "medical_record",
        frozenset({"medical_specialty"}),
        lambda record: {},
        lambda key, value: value,
        classification_only=True,
    ),
    KeySet("ccda-medical", "medical_record", ccda.KEYS, ccda.medical_keys, ccda.normalise, aliases=ccda.aliases),
]


def keyset_for(keys: set[str]) -> KeySet:
    """The key family that annotates ``keys`` best; ConfigError when none shares a key."""
    best = max(KEYSETS, key=lambda keyset: len(keyset.keys & keys))
    if not best.keys & keys:
        raise ConfigError(f"gold.tsv keys match no known key set: {', '.join(sorted(keys)[:5])}")
    return best
