"""Validate a micro-batch of rows against the table specs and say, per document, what failed."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd
import pandera.errors

from docnorm.schemas.documents import Reason
from docnorm.schemas.tables import Row, TableSpec

_MAX_LINES = 10


def failures_by_document(tables: Sequence[TableSpec], rows: Mapping[str, Sequence[Row]]) -> dict[str, list[Reason]]:
    """Every failed check, grouped by ``doc_id``; documents with no entry passed.

    Validation is lazy: all failures of all tables are collected, none is dropped.
    Messages name the table, column, check and, for tables of lines, the offending line
    numbers, never a value.
    """
    found: dict[str, dict[tuple[str, str | None], Reason]] = {}
    lines: dict[tuple[str, str, str | None], set[int]] = {}
    for spec in tables:
        table_rows = rows.get(spec.name) or []
        if not table_rows:
            continue
        frame = spec.frame(table_rows)
        try:
            spec.pandera_schema.validate(frame, lazy=True)
        except pandera.errors.SchemaErrors as exc:
            for doc_id, reason, line in _reasons(spec, frame, exc.failure_cases):
                found.setdefault(doc_id, {}).setdefault((reason.code, reason.field), reason)
                if line is not None:
                    lines.setdefault((doc_id, reason.code, reason.field), set()).add(line)
    return {
        doc_id: [_with_lines(reason, lines.get((doc_id, reason.code, reason.field))) for reason in reasons.values()]
        for doc_id, reasons in found.items()
    }


def _with_lines(reason: Reason, numbers: set[int] | None) -> Reason:
    if not numbers:
        return reason
    shown = ", ".join(str(n) for n in sorted(numbers)[:_MAX_LINES])
    more = f" and {len(numbers) - _MAX_LINES} more" if len(numbers) > _MAX_LINES else ""
    return reason.model_copy(update={"message": f"{reason.message} (line_no {shown}{more})"})


def _reasons(spec: TableSpec, frame: pd.DataFrame, cases: pd.DataFrame) -> list[tuple[str, Reason, int | None]]:
    # pandera reports a check by its error text when it has one, else by its name.
    known = [*spec.checks, *(check for column in spec.columns for check in column.checks)]
    by_label = {str(c.error or c.name): c for c in known}
    table_level = {str(c.error or c.name) for c in spec.checks}
    out: list[tuple[str, Reason, int | None]] = []
    for case in cases.to_dict("records"):
        label = str(case["check"])
        check = by_label.get(label)
        column = None if label in table_level or pd.isna(case["column"]) else str(case["column"])
        if label == "not_nullable":
            reason = Reason(code="required", field=f"{spec.name}.{column}", message=f"{column} is required but empty")
        else:
            reason = Reason(
                code=str(check.name) if check is not None else label.split("(")[0],
                field=f"{spec.name}.{column}" if column else spec.name,
                message=str(check.error) if check is not None and check.error else f"failed {label.split('(')[0]}",
            )
        index = case["index"]
        if pd.notna(index):
            line: Any = frame.at[int(index), "line_no"] if "line_no" in frame.columns else None
            out.append((str(frame.at[int(index), "doc_id"]), reason, None if pd.isna(line) else int(line)))
        else:
            out.extend((str(doc_id), reason, None) for doc_id in frame["doc_id"].unique())
    return out
