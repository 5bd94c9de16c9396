"""A doc type that only declares a model: which extractor can read it, and what the others say."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

from pydantic import BaseModel, Field

from docnorm import DocType
from docnorm.doctypes.builtin import builtin_specs
from docnorm.doctypes.registry import DocTypeRegistry, compile_doc_type
from docnorm.settings import Settings
from docnorm.stages.extract import extract_documents, make_extractor
from docnorm.testing import OpenAITestDouble
from tests.conftest import parse_text


class PurchaseOrder(BaseModel):
    po_number: str = Field(description="The purchase order number")
    buyer: str
    ordered_on: date
    total: Decimal


ORDER_TEXT = (
    "PURCHASE ORDER\n\nPO number: PO-7731\n\nBuyer: Alpine Ski House\n\nOrdered on: March 4, 2026\n\n"
    "Please supply the goods below under this purchase order. Order total: 1,250.00"
)
ANSWER = {
    "po_number": {"value": "PO-7731", "quote": "PO-7731"},
    "buyer": {"value": "Alpine Ski House", "quote": "Alpine Ski House"},
    "ordered_on": {"value": "2026-03-04", "quote": "March 4, 2026"},
    "total": {"value": "1250.00", "quote": "1,250.00"},
}


def registry_with(**declared: object) -> DocTypeRegistry:
    order = DocType(
        model=PurchaseOrder,
        name="purchase_order",
        description="A buyer's purchase order: goods ordered from a supplier, with a total",
        **declared,  # type: ignore[arg-type]
    )
    return DocTypeRegistry([*builtin_specs(), compile_doc_type(order)])


def run(settings: Settings, registry: DocTypeRegistry, tmp_path: Path) -> tuple[list, list]:
    doc = parse_text(tmp_path / "order.txt", ORDER_TEXT)
    return extract_documents([doc], settings, make_extractor(settings, registry), registry)


def llm_settings(double: OpenAITestDouble, tmp_path: Path, extractor: str) -> Settings:
    return Settings(extractor=extractor, llm_base_url=double.base_url, llm_api_key="k", llm_model="m",
                    out_dir=tmp_path / "out", parse_workers=0)  # fmt: skip


def test_with_rules_a_doc_type_without_rules_goes_to_review_saying_how_to_read_it(tmp_path: Path) -> None:
    registry = registry_with(cues=["purchase order", "PO number"])

    extracted, [stopped] = run(Settings(out_dir=tmp_path / "out", parse_workers=0), registry, tmp_path)

    assert extracted == []
    assert (stopped.doc_type, stopped.reasons[0].code) == ("purchase_order", "no_extractor")
    assert "--extractor llm or hybrid" in stopped.reasons[0].message


def test_with_rules_a_doc_type_without_cues_is_named_where_documents_stay_unknown(tmp_path: Path) -> None:
    extracted, [stopped] = run(Settings(out_dir=tmp_path / "out", parse_workers=0), registry_with(), tmp_path)

    assert extracted == []
    assert stopped.reasons[0].code == "unknown_type"
    assert "purchase_order declare(s) no cues" in stopped.reasons[0].message
    assert "--extractor llm or hybrid" in stopped.reasons[0].message


def test_hybrid_asks_the_model_for_the_whole_record_of_a_doc_type_without_rules(tmp_path: Path) -> None:
    with OpenAITestDouble(scripted={"PO-7731": ANSWER}) as double:
        registry = registry_with(cues=["purchase order", "PO number"])
        [doc], stopped = run(llm_settings(double, tmp_path, "hybrid"), registry, tmp_path)

    assert stopped == []
    assert doc.doc_type == "purchase_order"
    assert doc.record.total.value == Decimal("1250.00")
    assert doc.record.ordered_on.evidence.quote == "March 4, 2026"


def test_the_model_recognises_a_doc_type_without_cues_by_its_description(tmp_path: Path) -> None:
    registry = registry_with()
    with OpenAITestDouble(scripted={"PO-7731": ANSWER}, registry=registry) as double:
        [doc], stopped = run(llm_settings(double, tmp_path, "llm"), registry, tmp_path)

    assert stopped == []
    assert (doc.doc_type, doc.classification.cues) == ("purchase_order", ["model"])
    assert doc.record.po_number.value == "PO-7731"
