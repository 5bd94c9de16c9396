"""Merging the answers of a document's parts, and finding the fields rules left empty."""

from __future__ import annotations

import json
from typing import Any

from pydantic import BaseModel

from docnorm.schemas.evidence import Extracted


def merge_answers(answers: list[dict[str, Any]]) -> tuple[dict[str, Any], list[str]]:
    """One answer from several parts: lists concatenated without repeats, scalars agreed on.

    A scalar two parts give different values for is a conflict (its path is returned);
    the first value is kept, but the caller sends such a document to review.
    """
    conflicts: list[str] = []
    merged = _merge(answers, "", conflicts)
    return merged if isinstance(merged, dict) else {}, conflicts


def _merge(values: list[Any], path: str, conflicts: list[str]) -> Any:
    present = [v for v in values if v not in (None, [], {})]
    if not present:
        return values[0] if values else None
    if all(isinstance(v, list) for v in present):
        seen: dict[str, Any] = {}
        for item in (item for v in present for item in v):
            seen.setdefault(_identity(item), item)
        return list(seen.values())
    if all(isinstance(v, dict) for v in present):
        if set(present[0]) == {"value", "quote"}:
            return _merge_scalar(present, path, conflicts)
        keys = dict.fromkeys(k for v in present for k in v)
        return {k: _merge([v.get(k) for v in present], f"{path}{k}.", conflicts) for k in keys}
    distinct = {json.dumps(v, sort_keys=True, default=str) for v in present}
    if len(distinct) > 1:
        conflicts.append(path.rstrip("."))
    return present[0]


def _merge_scalar(present: list[dict[str, Any]], path: str, conflicts: list[str]) -> dict[str, Any]:
    with_value = [v for v in present if v.get("value") is not None]
    if not with_value:
        return present[0]
    if len({json.dumps(v["value"], sort_keys=True, default=str) for v in with_value}) > 1:
        conflicts.append(path.rstrip("."))
    return with_value[0]


def _identity(item: Any) -> str:
    if isinstance(item, dict):
        item = {k: v for k, v in item.items() if k != "quote"}
    return json.dumps(item, sort_keys=True, default=str)


def missing_fields(record: BaseModel) -> list[str]:
    """Top-level fields the rules left empty, without a value, or without verified evidence.

    A record may settle fields that are empty by design (a filing has no single statement
    kind) through a ``settled_fields()`` method; those are not gaps.
    """
    settled: frozenset[str] = getattr(record, "settled_fields", frozenset)()
    return [
        name
        for name in type(record).model_fields
        if name != "evidence" and name not in settled and _missing(getattr(record, name))
    ]


def _missing(value: Any) -> bool:
    if value is None or value == []:
        return True
    if isinstance(value, Extracted):
        return value.value is None or value.evidence is None or not value.evidence.verified
    if isinstance(value, BaseModel):
        return any(_missing(getattr(value, name)) for name in type(value).model_fields if name != "evidence")
    return False
