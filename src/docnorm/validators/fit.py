"""Does every value fit its curated column? Checked before any row is written, from the table specs.

A value the column cannot hold exactly (a 31-digit figure in ``decimal128(24, 4)``, a fifth decimal, a
``term_months`` past int32, a string of megabytes) must never be rounded, truncated or left to fail
the writer: the document goes to review with ``value_out_of_range``, naming the field, never the value.
The same check runs on a reviewer's correction (``docnorm.review_queue``), so what a reviewer saves can
always be stored. Built-in and plugin doc types get it alike: it reads only the Arrow schema.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import pyarrow as pa

from docnorm.schemas.documents import Reason
from docnorm.schemas.tables import Row, TableSpec

CODE = "value_out_of_range"

MAX_STRING_BYTES = 1 << 20
"""A curated string value of more than 1 MiB (UTF-8) is no field a document states; Arrow would take it,
readers and the review workbench would not."""

MAX_LIST_ITEMS = 10_000
"""A list column of more items than this is refused for the same reason."""


def unfit_values(spec: TableSpec, rows: Sequence[Row]) -> dict[str, list[Reason]]:
    """Every value of ``rows`` (each with its ``doc_id``) that ``spec``'s Arrow columns cannot hold exactly,
    by document: one reason per document and column, with the 1-based row numbers in the message."""
    schema = spec.arrow_schema
    columns = [(name, schema.field(name).type) for name in (c.name for c in spec.columns)]
    found: dict[str, dict[str, tuple[str, list[int]]]] = {}
    for number, row in enumerate(rows, 1):
        for name, kind in columns:
            value = row.get(name)
            if value is None:
                continue
            problem = why_unfit(value, kind)
            if problem is not None:
                doc_rows = found.setdefault(str(row.get("doc_id")), {})
                doc_rows.setdefault(name, (problem, []))[1].append(number)
    return {
        doc_id: [_reason(spec.name, name, problem, lines) for name, (problem, lines) in by_column.items()]
        for doc_id, by_column in found.items()
    }


def unfit_tables(tables: Iterable[TableSpec], rows: Mapping[str, Sequence[Row]]) -> dict[str, list[Reason]]:
    """:func:`unfit_values` over several tables (rows by table name), merged by document."""
    merged: dict[str, list[Reason]] = {}
    for spec in tables:
        for doc_id, reasons in unfit_values(spec, rows.get(spec.name) or []).items():
            merged.setdefault(doc_id, []).extend(reasons)
    return merged


def why_unfit(value: Any, kind: pa.DataType) -> str | None:
    """What about ``value`` an Arrow column of ``kind`` cannot hold, in words without the value; None if it fits."""
    for applies, check in _CHECKS:
        if applies(kind):
            return check(value, kind)
    return None


def _reason(table: str, column: str, problem: str, lines: list[int]) -> Reason:
    where = f"row {lines[0]}" if len(lines) == 1 else f"{len(lines)} rows"
    return Reason(code=CODE, field=f"{table}.{column}", message=f"{column} ({where}): {problem}")


def _decimal(value: Any, kind: pa.DataType) -> str | None:
    assert isinstance(kind, pa.Decimal128Type | pa.Decimal256Type)
    if isinstance(value, bool) or not isinstance(value, Decimal | int):
        return f"not a number for decimal({kind.precision}, {kind.scale})"
    number = Decimal(value)
    if not number.is_finite():
        return "not a finite number"
    sign, digits, exponent = number.as_tuple()
    assert isinstance(exponent, int)
    while len(digits) > 1 and digits[-1] == 0:  # trailing zeros carry no precision (exactly, without rounding)
        digits, exponent = digits[:-1], exponent + 1
    if digits == (0,):
        return None
    decimals = max(0, -exponent)
    integer_digits = max(0, len(digits) + exponent)
    if decimals > kind.scale:
        return f"{decimals} decimal places, the column keeps {kind.scale}"
    if integer_digits > kind.precision - kind.scale:
        return f"{integer_digits} integer digits, the column holds {kind.precision - kind.scale}"
    return None


def _integer(value: Any, kind: pa.DataType) -> str | None:
    if isinstance(value, bool) or not isinstance(value, int):
        return "not a whole number"
    bits = kind.bit_width
    low, high = (0, 2**bits - 1) if pa.types.is_unsigned_integer(kind) else (-(2 ** (bits - 1)), 2 ** (bits - 1) - 1)
    return None if low <= value <= high else f"outside the range of a {bits}-bit integer"


def _date(value: Any, kind: pa.DataType) -> str | None:
    # Python's date covers years 1 to 9999, inside date32's range; anything else is not a date.
    return None if isinstance(value, date) and not isinstance(value, datetime) else "not a calendar date"


def _timestamp(value: Any, kind: pa.DataType) -> str | None:
    return None if isinstance(value, datetime) else "not a timestamp"


def _string(value: Any, kind: pa.DataType) -> str | None:
    if not isinstance(value, str):
        return "not text"
    if len(value) > MAX_STRING_BYTES // 4 and len(value.encode("utf-8", "surrogatepass")) > MAX_STRING_BYTES:
        return f"longer than {MAX_STRING_BYTES} bytes"
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return "text with unpaired surrogates, which UTF-8 cannot hold"
    return None


def _list(value: Any, kind: pa.DataType) -> str | None:
    if not isinstance(value, list | tuple):
        return "not a list"
    if len(value) > MAX_LIST_ITEMS:
        return f"more than {MAX_LIST_ITEMS} items"
    assert isinstance(kind, pa.ListType | pa.LargeListType)
    for item in value:
        if item is not None and (problem := why_unfit(item, kind.value_type)) is not None:
            return f"an item is {problem}" if problem.startswith("not") else f"an item has {problem}"
    return None


def _float(value: Any, kind: pa.DataType) -> str | None:
    if isinstance(value, bool) or not isinstance(value, float | int):
        return "not a number"
    return None if isinstance(value, float) or abs(value) < 2**1023 else "beyond the range of a float"


def _boolean(value: Any, kind: pa.DataType) -> str | None:
    return None if isinstance(value, bool) else "not true or false"


_CHECKS: tuple[tuple[Callable[[pa.DataType], bool], Callable[[Any, pa.DataType], str | None]], ...] = (
    (pa.types.is_decimal, _decimal),
    (pa.types.is_integer, _integer),
    (pa.types.is_date32, _date),
    (pa.types.is_timestamp, _timestamp),
    (lambda kind: pa.types.is_string(kind) or pa.types.is_large_string(kind), _string),
    (lambda kind: pa.types.is_list(kind) or pa.types.is_large_list(kind), _list),
    (pa.types.is_floating, _float),
    (pa.types.is_boolean, _boolean),
)
