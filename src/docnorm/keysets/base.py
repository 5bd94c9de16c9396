"""A key family: how a public dataset's gold keys are answered by a doc type's record.

A family hangs off the doc type it labels (``DocTypeSpec.keysets``); evaluation finds the family
of a Kleister-layout dataset by the keys its gold.tsv uses.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import BaseModel

from docnorm.schemas.evidence import Evidence

Aliases = dict[str, dict[str, dict[str, str]]]
"""Per file, per key: normalised alternative spelling → the gold value it stands for."""

KeyValues = dict[str, list[tuple[str, Evidence | None]]]
"""Predicted values per key, each with the evidence of the record field it came from (its confidence
is computed from that, as for the curated rows)."""


def _same(key: str, value: str, gold: list[str]) -> str:
    return value


@dataclass(frozen=True)
class KeySet:
    """One family of gold keys: how a record yields its keys, how values are compared, optional
    alternative spellings from the dataset, and key groups scored on their own. A
    classification-only family (labels, no fields) scores only which doc type was chosen."""

    name: str
    keys: frozenset[str]
    extract: Callable[[BaseModel], KeyValues]
    normalise: Callable[[str, str], str]
    align: Callable[[str, str, list[str]], str] = _same
    aliases: Callable[[Path], Aliases] | None = None
    groups: dict[str, frozenset[str]] = field(default_factory=dict)
    classification_only: bool = False
