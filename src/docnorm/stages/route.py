"""Route: curated rows to the curated tables, every result to the queue and the ledger, in one commit."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.orm import Session

from docnorm.schemas.documents import DocumentResult, Outcome, Reason, Stage
from docnorm.sinks import CuratedRecord, Origin, enqueue, record_processed
from docnorm.sinks.curated import Refused
from docnorm.stages.documents import CuratedDocument
from docnorm.stages.run import Run
from docnorm.validators.confidence import calibrator_version

WRITE_FAILED = "write_failed"


def route_documents(
    run: Run, part: str, curated: Sequence[CuratedDocument], stopped: Sequence[DocumentResult]
) -> list[DocumentResult]:
    """Write a micro-batch: curated rows through the run's writer, whose commit also records every
    result's review item and ledger row (see docnorm.sinks.curated). A document whose rows the writer
    refused goes to review as ``write_failed``; the others are written."""
    records = []
    for doc in curated:
        if doc.result.doc_type is None:
            raise ValueError("a curated document has a doc type")
        origin = Origin(
            run.extractor.name,
            run.extractor.model,
            run.extractor.prompt_version,
            calibrator_version=calibrator_version(doc.result.doc_type),
        )
        specs = run.registry[doc.result.doc_type].tables(run.options)
        records.append(CuratedRecord.of(doc.result, origin, specs, doc.rows, doc.provenance))
    results: list[DocumentResult] = []

    def bookkeeping(session: Session, refused: Sequence[Refused]) -> None:
        failed = {id(r.record): r.error for r in refused}
        results[:] = [
            doc.result if id(record) not in failed else write_failed(doc, failed[id(record)])
            for doc, record in zip(curated, records, strict=True)
        ] + list(stopped)
        enqueue(session, results, run.run_id)
        record_processed(session, results, run.fingerprint, run.run_id)

    run.writer.write(part, records, bookkeeping)
    return results


def write_failed(doc: CuratedDocument, error: str) -> DocumentResult:
    """The review result of a curated document whose rows could not be written (its counts kept)."""
    reason = Reason(code=WRITE_FAILED, message=f"its rows could not be written to the curated tables ({error})")
    record = doc.record.model_dump(mode="json") if doc.record is not None else None
    update = {"outcome": Outcome.REVIEW, "stage": Stage.WRITE, "reasons": [reason], "record": record}
    return doc.result.model_copy(update=update)
