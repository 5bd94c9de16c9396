"""The review queue and the ledger on a real SQLite file."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from docnorm.schemas.documents import DocumentResult, Outcome, Reason, Stage
from docnorm.sinks import ReviewItem, already_processed, enqueue, open_database, record_processed


def _review(doc_id: str, code: str) -> DocumentResult:
    return DocumentResult(
        source_uri=f"file:///{doc_id}",
        doc_id=doc_id,
        outcome=Outcome.REVIEW,
        stage=Stage.VALIDATE,
        reasons=[Reason(code=code, field="t.c", message="m")],
    )


def test_requeueing_a_document_updates_its_pending_item_instead_of_duplicating(tmp_path: Path) -> None:
    engine = open_database(f"sqlite:///{tmp_path / 'q' / 'review.db'}")
    with Session(engine) as session, session.begin():
        assert enqueue(session, [_review("a", "first"), _review("b", "x")], run_id="r1") == 2
    with Session(engine) as session, session.begin():
        assert enqueue(session, [_review("a", "second")], run_id="r2") == 0
    with Session(engine) as session:
        assert session.scalar(select(func.count()).select_from(ReviewItem)) == 2
        item = session.scalars(select(ReviewItem).where(ReviewItem.doc_id == "a")).one()
        assert (item.status, item.run_id, item.version) == ("pending", "r2", 2)
        assert item.reasons == [{"code": "second", "field": "t.c", "message": "m"}]


def test_ledger_remembers_outcomes_per_configuration(tmp_path: Path) -> None:
    engine = open_database(f"sqlite:///{tmp_path / 'review.db'}")
    curated = DocumentResult(source_uri="file:///c", doc_id="c", outcome=Outcome.CURATED, doc_type="contract")
    with Session(engine) as session, session.begin():
        record_processed(session, [curated, _review("r", "x")], fingerprint="f1", run_id="r1")
    with Session(engine) as session:
        assert already_processed(session, ["c", "r", "new"], "f1") == {"c": "curated", "r": "review"}
        assert already_processed(session, ["c"], "f2") == {}
