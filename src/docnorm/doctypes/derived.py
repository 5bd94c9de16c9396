"""Curated tables derived from a doc type's model: Arrow types from the annotations, pandera checks
from the field constraints.

Scalars land in one table (one row per record); each list of sub-models in a child table keyed by
``doc_id`` and ``position``; nested models are flattened into prefixed columns (``vendor_name``);
lists of scalars become list columns.
"""

from __future__ import annotations

import datetime as dt
import enum
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property
from typing import Annotated, Any, Literal, get_args, get_origin

import pandas as pd
import pandera.pandas as pa_checks
import pyarrow as pa
from pydantic import BaseModel
from pydantic.fields import FieldInfo

from docnorm.schemas.errors import ConfigError
from docnorm.schemas.evidence import Extracted
from docnorm.schemas.records import extracted_type, is_model, list_item, strip_optional
from docnorm.schemas.tables import Column, Row, TableSpec
from docnorm.validators.options import ValidationOptions

DEFAULT_DECIMAL = (24, 4)
"""Precision and scale of a Decimal field that states neither (``max_digits``, ``decimal_places``)."""


@dataclass(frozen=True)
class Leaf:
    """One scalar field of the model: its path from the table's row, column name, Arrow type and checks."""

    path: tuple[str, ...]
    column: str
    arrow: pa.DataType
    checks: tuple[pa_checks.Check, ...] = ()
    required: bool = False


@dataclass(frozen=True)
class Derived:
    """A table derived from one level of the model: the record path whose value (or list items) are its rows."""

    name: str
    source: tuple[str, ...]
    leaves: list[Leaf] = field(default_factory=list)
    is_list: bool = False


@dataclass(frozen=True)
class DerivedTables:
    """The derived layout of a doc type: its tables, and a record as their rows."""

    model: type[BaseModel]
    main: str
    checks: Sequence[pa_checks.Check] = ()

    @cached_property
    def derived(self) -> tuple[Derived, ...]:
        """Every table: the main one first, then one per list of sub-models, in field order (walked once:
        rows are laid out per record)."""
        main = Derived(self.main, ())
        tables = [main]
        _collect(self.model, (), main, tables, self.main, required=True)
        return tuple(tables)

    def tables(self, options: ValidationOptions) -> list[TableSpec]:
        """Table specs with the constraint checks and, on the main table, the declared pandera checks."""
        del options  # derived tables have no tolerance knobs
        return list(self._specs)

    @cached_property
    def _specs(self) -> tuple[TableSpec, ...]:
        specs = []
        for table in self.derived:
            columns = [Column(leaf.column, leaf.arrow, leaf.checks, leaf.required) for leaf in table.leaves]
            if table.is_list:
                columns.insert(0, Column("position", pa.int32()))
            specs.append(
                TableSpec(
                    table.name,
                    columns,
                    checks=tuple(self.checks) if not table.source else (),
                    source=".".join(table.source) if table.source else None,
                )
            )
        return tuple(specs)

    def rows(self, record: BaseModel) -> dict[str, list[Row]]:
        """One evidenced record as rows of the derived tables (without lineage)."""
        out: dict[str, list[Row]] = {}
        for table in self.derived:
            if not table.is_list:
                out[table.name] = [_row(record, table)]
                continue
            items = _at(record, table.source)
            out[table.name] = [{"position": i, **_row(item, table)} for i, item in enumerate(items or [])]
        return out


def _collect(
    model: type[BaseModel], prefix: tuple[str, ...], table: Derived, tables: list[Derived], main: str, required: bool
) -> None:
    for name, info in model.model_fields.items():
        if name == "evidence":
            continue
        path = (*prefix, name)
        where = f"{model.__name__}.{name}"
        annotation = _bare(info.annotation)
        item = list_item(annotation)
        if item is not None and is_model(_bare(item)):
            if table.is_list:
                raise ConfigError(f"{where}: a list of models inside a list item is not supported; flatten it")
            child = Derived(f"{main}_{'_'.join(path)}", path, is_list=True)
            tables.append(child)
            _collect(_bare(item), (), child, tables, main, required=True)
            continue
        if is_model(annotation):
            _collect(annotation, path, table, tables, main, required and info.is_required())
            continue
        column = "_".join(path)
        arrow, metadata = _arrow(info.annotation, where, info.metadata)
        checks = tuple(_constraints(column, [*info.metadata, *metadata]))
        checks += _decimal_scale(column, arrow)
        table.leaves.append(Leaf(path, column, arrow, checks, required and info.is_required()))


def _bare(annotation: Any) -> Any:
    """The type inside ``Optional``, ``Annotated`` and ``Extracted``."""
    annotation = strip_optional(annotation)
    if get_origin(annotation) is Annotated:
        annotation = get_args(annotation)[0]
    inner = extracted_type(annotation)
    return _bare(inner) if inner is not None else annotation


def _arrow(annotation: Any, where: str, field_metadata: Sequence[Any] = ()) -> tuple[pa.DataType, list[Any]]:
    """The Arrow type of a scalar (or list of scalars) annotation, and constraints written inside it."""
    metadata: list[Any] = []
    annotation = strip_optional(annotation)
    if get_origin(annotation) is Annotated:
        annotation, *extra = get_args(annotation)
        for item in extra:
            metadata.extend(item.metadata if isinstance(item, FieldInfo) else [item])
    inner = extracted_type(annotation)
    if inner is not None:
        return _arrow(inner, where)
    item = list_item(annotation)
    if item is not None:
        kind, _ = _arrow(item, where)
        return pa.list_(kind), []
    decimal = next((m for m in [*field_metadata, *metadata] if getattr(m, "decimal_places", None) is not None), None)
    return _scalar(annotation, where, decimal), metadata


def _scalar(annotation: Any, where: str, decimal: Any) -> pa.DataType:
    if annotation is bool:
        return pa.bool_()
    if annotation is int:
        return pa.int64()
    if annotation is float:
        return pa.float64()
    if annotation is str or get_origin(annotation) is Literal:
        return pa.string()
    if isinstance(annotation, type) and issubclass(annotation, enum.Enum):
        return pa.string()
    if annotation is Decimal:
        return _decimal_type(decimal)
    if annotation is dt.datetime:
        return pa.timestamp("us", tz="UTC")
    if annotation is dt.date:
        return pa.date32()
    raise ConfigError(
        f"{where}: type {getattr(annotation, '__name__', annotation)!s} has no table column type; use str, int, "
        "float, bool, Decimal, date, datetime, an Enum or a Literal, a model, or a list of them"
    )


def _decimal_type(metadata: Any) -> pa.DataType:
    precision, scale = DEFAULT_DECIMAL
    if metadata is not None:
        scale = metadata.decimal_places
        precision = max(getattr(metadata, "max_digits", None) or precision, scale + 1)
    return pa.decimal128(precision, scale)


def _constraints(column: str, metadata: Sequence[Any]) -> list[pa_checks.Check]:
    """Pandera checks for the constraints pydantic keeps in a field's metadata (ge, le, pattern, lengths)."""
    checks = []
    for item in metadata:
        for attribute, name, test in _BOUNDS:
            bound = getattr(item, attribute, None)
            if bound is not None:
                checks.append(_bound(column, name, test, bound))
        if (pattern := getattr(item, "pattern", None)) is not None:
            checks.append(_pattern(column, str(pattern)))
        if (longest := getattr(item, "max_length", None)) is not None:
            checks.append(_length(column, "max_length", longest))
        if (shortest := getattr(item, "min_length", None)) is not None:
            checks.append(_length(column, "min_length", shortest))
    return checks


_BOUNDS = (
    ("ge", "ge", lambda s, b: s >= b),
    ("gt", "gt", lambda s, b: s > b),
    ("le", "le", lambda s, b: s <= b),
    ("lt", "lt", lambda s, b: s < b),
)
_SYMBOLS = {"ge": ">=", "gt": ">", "le": "<=", "lt": "<"}


def _bound(column: str, name: str, test: Any, bound: Any) -> pa_checks.Check:
    limit = float(bound) if isinstance(bound, int | float | Decimal) else pd.Timestamp(bound)
    return pa_checks.Check(
        lambda s: s.isna() | test(s, limit), name=name, error=f"{column} must be {_SYMBOLS[name]} {bound}"
    )


def _pattern(column: str, pattern: str) -> pa_checks.Check:
    regex = re.compile(pattern)
    return pa_checks.Check(
        lambda s: s.map(lambda v: v is None or pd.isna(v) or bool(regex.search(str(v)))).astype(bool),
        name="pattern",
        error=f"{column} does not match its pattern",
    )


def _length(column: str, name: str, limit: int) -> pa_checks.Check:
    def test(s: pd.Series) -> pd.Series:
        lengths = s.map(lambda v: None if v is None or (not isinstance(v, list) and pd.isna(v)) else len(v))
        inside = lengths <= limit if name == "max_length" else lengths >= limit
        return lengths.isna() | inside

    return pa_checks.Check(test, name=name, error=f"{column}: {name.replace('_', ' ')} is {limit}")


def _decimal_scale(column: str, arrow: pa.DataType) -> tuple[pa_checks.Check, ...]:
    """Decimals must fit their column: more decimal places than its scale would be rounded silently."""
    if not pa.types.is_decimal(arrow):
        return ()
    scale = arrow.scale

    def fits(s: pd.Series) -> pd.Series:
        return s.map(lambda v: v is None or pd.isna(v) or round(float(v), scale) == float(v)).astype(bool)

    return (pa_checks.Check(fits, name="decimal_scale", error=f"{column} has more than {scale} decimal places"),)


def _at(node: Any, path: Sequence[str]) -> Any:
    for name in path:
        if node is None:
            return None
        node = getattr(node, name, None)
    return node


def _row(node: Any, table: Derived) -> Row:
    row: Row = {}
    for leaf in table.leaves:
        value = _at(node, leaf.path)
        row[leaf.column] = _cell(value.value if isinstance(value, Extracted) else value)
    return row


def _cell(value: Any) -> Any:
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC) if value.tzinfo else value.replace(tzinfo=dt.UTC)
    if isinstance(value, list):
        return [_cell(v.value if isinstance(v, Extracted) else v) for v in value]
    return value
