"""Clinical notes labelled with their specialty only: they test which doc type is chosen."""

from __future__ import annotations

from pydantic import BaseModel

from docnorm.keysets.base import KeySet, KeyValues


def _no_keys(record: BaseModel) -> KeyValues:
    return {}


def _as_is(key: str, value: str) -> str:
    return value


CLINICAL_NOTES = KeySet("clinical-notes", frozenset({"medical_specialty"}), _no_keys, _as_is, classification_only=True)
