"""A reviewer's correction of a plugin doc type's record passes only when its record checks pass too."""

from __future__ import annotations

from pathlib import Path

from docnorm import DocType
from docnorm.doctypes.builtin import builtin_specs
from docnorm.doctypes.registry import DocTypeRegistry, compile_doc_type
from docnorm.review_queue import ReviewQueue
from docnorm.validators.options import ValidationOptions
from tests.doctypes.test_registry import Order, shipped_after_placed


def test_a_corrected_record_is_checked_by_the_doc_types_record_checks(tmp_path: Path) -> None:
    order = DocType(model=Order, name="order", checks=[shipped_after_placed])
    registry = DocTypeRegistry([*builtin_specs(), compile_doc_type(order)])
    queue = ReviewQueue.open(f"sqlite:///{tmp_path / 'review.db'}", ValidationOptions(), registry)
    record = {"number": {"value": "A1"}, "placed": {"value": "2026-02-01"}, "shipped": {"value": "2026-01-01"},
              "items": [{"name": {"value": "Pen"}, "price": {"value": "2.50"}}]}  # fmt: skip

    before = queue.check("order", record, "d1")
    record["shipped"] = {"value": "2026-02-03"}
    after = queue.check("order", record, "d1")

    assert [r.code for r in before] == ["shipped_after_placed"]
    assert after == []
