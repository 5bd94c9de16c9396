"""Field-level provenance: for every extracted value, where it came from and how sure we are."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import pyarrow as pa
from pydantic import BaseModel

from docnorm.schemas.evidence import Evidence, Extracted
from docnorm.schemas.tables import Column, Row, TableSpec
from docnorm.validators.confidence import field_confidence


@dataclass(frozen=True)
class FieldFact:
    """One extracted value: its table and row, dotted field path, value and evidence."""

    table: str
    row: int
    field: str
    value: Any
    evidence: Evidence | None


PROVENANCE = TableSpec(
    "field_provenance",
    [
        Column("table_name", pa.string()),
        Column("row_number", pa.int32()),
        Column("field", pa.string()),
        Column("value", pa.string()),
        Column("quote", pa.string()),
        Column("page", pa.int32()),
        Column("char_start", pa.int64()),
        Column("char_end", pa.int64()),
        Column("verified", pa.bool_()),
        Column("method", pa.string()),
        Column("confidence", pa.float64()),
        Column("checks_passed", pa.list_(pa.string())),
        Column("reviewer_changed", pa.bool_()),
    ],
)
"""One row per extracted value of every curated record, keyed by doc_id, table, row and field."""


def field_facts(record: BaseModel, tables: Sequence[TableSpec]) -> Iterator[FieldFact]:
    """Every extracted value of ``record`` with the curated table and row it lands in.

    Top-level and nested single values belong to the doc type's first table; the items
    of a list field belong to the table named after it (``parties`` → ``contract_parties``).
    """
    main = tables[0].name
    by_field = {spec.source or spec.name.split("_", 1)[-1]: spec.name for spec in tables[1:]}
    for name in type(record).model_fields:
        yield from _facts(getattr(record, name), name, main, 0, None, by_field)


def record_facts(record: BaseModel) -> Iterator[FieldFact]:
    """Every extracted value of ``record`` by dotted path, without table placement."""
    for name in type(record).model_fields:
        yield from _facts(getattr(record, name), name, "", 0, None, {})


def _facts(
    node: Any, path: str, table: str, row: int, evidence: Evidence | None, by_field: dict[str, str]
) -> Iterator[FieldFact]:
    if isinstance(node, Extracted):
        if node.value is not None:
            yield FieldFact(table, row, path, node.value, node.evidence)
    elif isinstance(node, list):
        child = by_field.get(path, by_field.get(path.split(".")[0], table))
        for index, item in enumerate(node):
            yield from _facts(item, path, child, index, evidence, by_field)
    elif isinstance(node, BaseModel):
        own = getattr(node, "evidence", None) if "evidence" in type(node).model_fields else evidence
        for name in type(node).model_fields:
            if name != "evidence":
                yield from _facts(getattr(node, name), f"{path}.{name}", table, row, own, by_field)
    elif node is not None:
        yield FieldFact(table, row, path, node, evidence)


def provenance_rows(
    record: BaseModel,
    tables: Sequence[TableSpec],
    *,
    passed_checks: bool = True,
    changed: frozenset[str] = frozenset(),
    doc_type: str | None = None,
) -> list[Row]:
    """The field_provenance rows of one record (without lineage); confidences calibrated for ``doc_type``."""
    checks = {spec.name: sorted(str(c.name) for c in [*spec.checks, *(k for col in spec.columns for k in col.checks)])
              for spec in tables}  # fmt: skip
    rows = []
    for fact in field_facts(record, tables):
        evidence = fact.evidence
        rows.append(
            {
                "table_name": fact.table,
                "row_number": fact.row,
                "field": fact.field,
                "value": fact.value.value if hasattr(fact.value, "value") else str(fact.value),
                "quote": evidence.quote if evidence else None,
                "page": evidence.page if evidence else None,
                "char_start": evidence.start if evidence else None,
                "char_end": evidence.end if evidence else None,
                "verified": evidence.verified if evidence else False,
                "method": evidence.method if evidence else None,
                "confidence": field_confidence(
                    fact.value, evidence, passed_checks=passed_checks, doc_type=doc_type, field=fact.field
                ),
                "checks_passed": checks.get(fact.table, []) if passed_checks else [],
                "reviewer_changed": _changed(fact, changed),
            }
        )
    return rows


def _changed(fact: FieldFact, changed: frozenset[str]) -> bool:
    return any(path.replace(f".{fact.row}.", ".") == fact.field or path == fact.field for path in changed)
