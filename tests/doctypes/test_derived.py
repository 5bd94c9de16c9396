"""A plain pydantic model becomes typed curated tables with pandera checks from its constraints."""

from __future__ import annotations

import datetime as dt
import enum
from decimal import Decimal
from typing import Literal

import pyarrow as pa
from pydantic import BaseModel, Field

from docnorm import DocType
from docnorm.doctypes.registry import compile_doc_type
from docnorm.schemas.evidence import Evidence, Extracted
from docnorm.schemas.tables import LINEAGE_COLUMNS
from docnorm.validators.options import ValidationOptions
from docnorm.validators.provenance import provenance_rows
from docnorm.validators.verdict import failures_by_document


class Invoice(BaseModel):
    """The contract users rely on (issue #20)."""

    invoice_number: str = Field(description="The invoice number as printed")
    vendor: str
    issue_date: dt.date
    total: Decimal


class Status(enum.Enum):
    OPEN = "open"
    PAID = "paid"


class Address(BaseModel):
    city: str | None = None
    postcode: str | None = Field(default=None, max_length=8)


class Line(BaseModel):
    description: str
    amount: Decimal = Field(ge=0, decimal_places=2)
    origin: Address | None = None


class Rich(BaseModel):
    number: str = Field(pattern=r"^[A-Z]+-\d+$")
    count: int = Field(gt=0)
    ratio: float | None = None
    paid: bool | None = None
    status: Status | None = None
    kind: Literal["a", "b"] | None = None
    stamped: dt.datetime | None = None
    tags: list[str] = []
    billing: Address | None = None
    lines: list[Line] = []


def schema_of(spec_tables: list, name: str) -> pa.Schema:
    return next(t for t in spec_tables if t.name == name).arrow_schema


def test_the_documented_invoice_gets_one_table_named_after_it_with_typed_columns_and_lineage() -> None:
    spec = compile_doc_type(DocType(model=Invoice, name="invoice", cues=["invoice number", "total due"]))
    tables = spec.tables(ValidationOptions())

    assert [t.name for t in tables] == ["invoice"]
    schema = tables[0].arrow_schema
    assert schema.field("invoice_number").type == pa.string()
    assert schema.field("vendor").type == pa.string()
    assert schema.field("issue_date").type == pa.date32()
    assert pa.types.is_decimal(schema.field("total").type)
    assert {name for name, _ in LINEAGE_COLUMNS} <= set(schema.names)


def test_annotations_map_to_arrow_types_nested_models_flatten_and_lists_of_models_get_child_tables() -> None:
    tables = compile_doc_type(DocType(model=Rich, name="rich")).tables(ValidationOptions())

    assert [t.name for t in tables] == ["rich", "rich_lines"]
    main = schema_of(tables, "rich")
    assert main.field("count").type == pa.int64()
    assert main.field("ratio").type == pa.float64()
    assert main.field("paid").type == pa.bool_()
    assert main.field("status").type == pa.string()
    assert main.field("kind").type == pa.string()
    assert main.field("stamped").type == pa.timestamp("us", tz="UTC")
    assert main.field("tags").type == pa.list_(pa.string())
    assert {"billing_city", "billing_postcode"} <= set(main.names)
    lines = schema_of(tables, "rich_lines")
    assert lines.field("position").type == pa.int32()
    assert lines.field("amount").type == pa.decimal128(24, 2)  # scale from decimal_places
    assert {"description", "origin_city", "origin_postcode"} <= set(lines.names)
    assert tables[1].source == "lines"


def test_a_record_becomes_one_main_row_and_one_child_row_per_list_item() -> None:
    spec = compile_doc_type(DocType(model=Rich, name="rich"))
    record = spec.model.model_validate(
        {
            "number": {"value": "INV-1"},
            "count": {"value": 2},
            "status": {"value": "paid"},
            "stamped": {"value": "2026-01-02T03:04:05+01:00"},
            "billing": {"city": {"value": "Oslo"}},
            "lines": [{"description": {"value": "Chairs"}, "amount": {"value": "10.50"}}, {"amount": {"value": "1"}}],
        }
    )

    rows = spec.to_rows(record)

    assert rows["rich"][0]["number"] == "INV-1"
    assert rows["rich"][0]["status"] == "paid"
    assert rows["rich"][0]["stamped"] == dt.datetime(2026, 1, 2, 2, 4, 5, tzinfo=dt.UTC)
    assert rows["rich"][0]["billing_city"] == "Oslo"
    assert [(r["position"], r["description"], r["amount"]) for r in rows["rich_lines"]] == [
        (0, "Chairs", Decimal("10.50")),
        (1, None, Decimal("1")),
    ]


def test_field_constraints_and_required_fields_become_named_pandera_failures() -> None:
    spec = compile_doc_type(DocType(model=Rich, name="rich"))
    record = spec.model.model_validate(
        {
            "number": {"value": "lower-case"},
            "count": {"value": 0},
            "billing": {"postcode": {"value": "123456789"}},
            "lines": [{"description": {"value": "x"}, "amount": {"value": "-1.005"}}],
        }
    )
    tables = spec.tables(ValidationOptions())
    rows = {name: [{"doc_id": "d1", **row} for row in table_rows] for name, table_rows in spec.to_rows(record).items()}

    failures = {(r.code, r.field) for r in failures_by_document(tables, rows)["d1"]}

    assert failures == {
        ("pattern", "rich.number"),
        ("gt", "rich.count"),
        ("max_length", "rich.billing_postcode"),
        ("ge", "rich_lines.amount"),
        ("decimal_scale", "rich_lines.amount"),
    }


def test_a_required_field_left_empty_fails_as_required() -> None:
    spec = compile_doc_type(DocType(model=Invoice, name="invoice"))
    record = spec.model.model_validate({"invoice_number": {"value": "A-1"}, "vendor": {"value": "V"}})
    rows = {"invoice": [{"doc_id": "d1", **spec.to_rows(record)["invoice"][0]}]}

    reasons = failures_by_document(spec.tables(ValidationOptions()), rows)["d1"]

    assert sorted((r.code, r.field) for r in reasons) == [
        ("required", "invoice.issue_date"),
        ("required", "invoice.total"),
    ]
    assert all("empty" in r.message for r in reasons)


def test_every_value_gets_a_provenance_row_in_the_table_it_lands_in() -> None:
    spec = compile_doc_type(DocType(model=Rich, name="rich"))
    quote = Evidence(quote="Oslo", start=0, end=4, verified=True, method="llm")
    record = spec.model.model_validate(
        {
            "number": {"value": "A-1", "evidence": quote.model_copy(update={"quote": "A-1"})},
            "billing": {"city": {"value": "Oslo", "evidence": quote}},
            "lines": [{"description": {"value": "x"}}, {"description": {"value": "y", "evidence": quote}}],
        }
    )

    rows = provenance_rows(record, spec.tables(ValidationOptions()), doc_type="rich")

    placed = {(r["table_name"], r["row_number"], r["field"], r["value"], r["quote"]) for r in rows}
    assert placed == {
        ("rich", 0, "number", "A-1", "A-1"),
        ("rich", 0, "billing.city", "Oslo", "Oslo"),
        ("rich_lines", 0, "lines.description", "x", None),
        ("rich_lines", 1, "lines.description", "y", "Oslo"),
    }


def test_every_scalar_of_the_declared_model_is_extracted_with_its_evidence() -> None:
    model = compile_doc_type(DocType(model=Rich, name="rich")).model
    record = model.model_validate({"lines": [{"origin": {"city": {"value": "Rome"}}}]})

    assert isinstance(record.lines[0].origin.city, Extracted)  # type: ignore[attr-defined]
    assert model.model_fields["number"].is_required() is False  # missing values are the checks' to flag
    assert model.model_fields["number"].json_schema_extra == {"in_quote": True}
    assert model.model_fields["status"].json_schema_extra == {"in_quote": False}  # enums are normalised


def test_a_declared_pandera_check_runs_on_the_main_table_under_its_own_name() -> None:
    import pandera.pandas as pa_checks

    big_total = pa_checks.Check(lambda df: df["total"] < 1000, name="total_under_limit", error="total over 1,000")
    spec = compile_doc_type(DocType(model=Invoice, name="invoice", checks=[big_total]))
    record = spec.model.model_validate({"invoice_number": {"value": "A-1"}, "vendor": {"value": "V"},
                                        "issue_date": {"value": "2026-01-02"}, "total": {"value": "5000"}})  # fmt: skip
    rows = {"invoice": [{"doc_id": "d1", **spec.to_rows(record)["invoice"][0]}]}

    [reason] = failures_by_document(spec.tables(ValidationOptions()), rows)["d1"]

    assert (reason.code, reason.field, reason.message) == ("total_under_limit", "invoice", "total over 1,000")
