"""Compiling a DocType: what is refused and why, record checks, cues, and how specs cross processes."""

from __future__ import annotations

import json
import pickle
import re
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from pydantic import BaseModel

from docnorm import DocType
from docnorm.doctypes.builtin import REGISTRY, builtin_specs
from docnorm.doctypes.registry import DocTypeError, DocTypeRegistry, compile_doc_type
from docnorm.schemas.documents import Element, FileKind, ParsedDocument, SourceDocument
from docnorm.stages.documents import ExtractedDocument
from docnorm.validators.options import ValidationOptions

GOLDEN = Path(__file__).parent / "golden" / "published_tables.json"


class Item(BaseModel):
    name: str
    price: Decimal


class Order(BaseModel):
    number: str
    placed: date
    shipped: date | None = None
    items: list[Item] = []


def shipped_after_placed(order: Order) -> str | None:
    if order.shipped and order.shipped < order.placed:
        return "shipped before it was placed"
    return None


def many_problems(order: Order) -> list[tuple[str, str]]:
    return [("no_items", "an order lists its items")] if not order.items else []


def explodes(order: Order) -> None:
    raise RuntimeError("secret order text")


ORDER = DocType(model=Order, name="order", checks=[shipped_after_placed, many_problems, explodes])


class Nested(BaseModel):
    items: list[Item] = []


class Deep(BaseModel):
    groups: list[Nested] = []


class Odd(BaseModel):
    lookup: dict[str, int]


@pytest.mark.parametrize(
    ("declaration", "problem"),
    [
        (DocType(model=Order, name="Order Type"), "lower_snake_case"),
        (DocType(model=dict, name="order"), "must be a pydantic BaseModel"),  # type: ignore[arg-type]
        (DocType(model=Odd, name="odd"), "Odd.lookup: type dict"),
        (DocType(model=Deep, name="deep"), "list of models inside a list item"),
        (DocType(model=Order, name="order", checks=[lambda o: None]), "named function"),
        (DocType(model=Order, name="order", cues=["("]), None),  # a phrase is escaped: any text is fine
        (DocType(model=Order, name="order", cues=[re.compile("ok"), 3]), "a cue must be"),  # type: ignore[list-item]
        (DocType(model=Order, name="order", table="Orders!"), "table name"),
    ],
)
def test_an_unusable_declaration_is_refused_with_what_is_wrong(declaration: DocType, problem: str | None) -> None:
    if problem is None:
        assert compile_doc_type(declaration).cues[0].hits("x ( y") == 1
        return
    with pytest.raises(DocTypeError, match=re.escape(problem)):
        compile_doc_type(declaration)


def test_names_and_table_names_are_unique_across_doc_types() -> None:
    registry = DocTypeRegistry(builtin_specs())
    with pytest.raises(DocTypeError, match="'contract' .* already registered"):
        registry.register(compile_doc_type(DocType(model=Order, name="contract")))
    with pytest.raises(DocTypeError, match="table 'contracts' is already contract's"):
        registry.register(compile_doc_type(DocType(model=Order, name="contracts")))
    with pytest.raises(DocTypeError, match="table 'field_provenance'"):
        registry.register(compile_doc_type(DocType(model=Order, name="field", table="field_provenance")))


def test_plain_cues_match_whole_words_in_any_case_and_regex_cues_as_written() -> None:
    spec = compile_doc_type(DocType(model=Order, name="order", cues=["purchase order", re.compile(r"PO-\d{4}")]))
    phrase, pattern = spec.cues

    assert phrase.hits("PURCHASE\nORDER no. 7") == 1
    assert phrase.hits("purchase orders") == 0
    assert pattern.hits("ref PO-1234") == 1


def record_of(spec, **values):  # type: ignore[no-untyped-def]
    return spec.model.model_validate({k: v if isinstance(v, list) else {"value": v} for k, v in values.items()})


def test_record_checks_name_their_failures_and_a_crashing_check_costs_a_review_not_the_batch() -> None:
    spec = compile_doc_type(ORDER)
    record = record_of(spec, number="A1", placed="2026-02-01", shipped="2026-01-01")

    reasons = spec.check(record)

    assert [(r.code, r.message) for r in reasons] == [
        ("shipped_after_placed", "shipped before it was placed"),
        ("no_items", "an order lists its items"),
        ("explodes", "check explodes raised RuntimeError"),  # the exception's text is not repeated
    ]


def test_checks_run_on_complete_records_only_an_incomplete_one_says_which_field_is_missing() -> None:
    spec = compile_doc_type(DocType(model=Order, name="order", checks=[shipped_after_placed]))

    reasons = spec.check(record_of(spec, number="A1"))

    assert [(r.code, r.field) for r in reasons] == [("model_invalid", "order.placed")]


def test_the_built_in_doc_types_publish_exactly_the_tables_they_published_before_derivation() -> None:
    # Golden: the Arrow schemas at fb7c2a2, before doc types went through DocType.
    published = json.loads(GOLDEN.read_text())
    from docnorm.validators.provenance import PROVENANCE

    now = {t.name: t.arrow_schema for spec in REGISTRY for t in spec.tables(ValidationOptions())}
    now[PROVENANCE.name] = PROVENANCE.arrow_schema
    assert {name: [[f.name, str(f.type), f.nullable] for f in schema] for name, schema in now.items()} == published
    assert [spec.origin for spec in REGISTRY] == ["built-in"] * 3
    assert all(spec.model is spec.declared for spec in REGISTRY)  # their models already carry evidence


def test_a_registry_and_a_derived_record_survive_pickling_into_the_same_derived_classes() -> None:
    registry = DocTypeRegistry([*builtin_specs(), compile_doc_type(ORDER)])
    spec = registry["order"]
    source = SourceDocument(doc_id="d" * 64, source_uri="file:///x.txt", kind=FileKind.TXT, size_bytes=1)
    parsed = ParsedDocument(source=source, text="A1", elements=[Element(type="Text", text="A1", start=0, end=2)])
    from docnorm.schemas.documents import Classification

    doc = ExtractedDocument(
        parsed, Classification(doc_type="order", confidence=1.0), "order", record_of(spec, number="A1")
    )

    again = pickle.loads(pickle.dumps(registry))
    copied = pickle.loads(pickle.dumps(doc))

    assert again.names() == registry.names()
    assert again["order"].model is spec.model
    assert type(copied.record) is spec.model
    assert copied.record.number.value == "A1"
