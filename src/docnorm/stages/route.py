"""Route: curated rows to the curated tables, every result to the queue and the ledger, in one commit."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.orm import Session

from docnorm.schemas.documents import DocumentResult
from docnorm.sinks import CuratedRecord, Origin, enqueue, record_processed
from docnorm.stages.documents import CuratedDocument
from docnorm.stages.run import Run
from docnorm.validators.confidence import calibrator_version


def route_documents(
    run: Run, part: str, curated: Sequence[CuratedDocument], stopped: Sequence[DocumentResult]
) -> list[DocumentResult]:
    """Write a micro-batch: curated rows through the run's writer, whose commit also records every
    result's review item and ledger row (see docnorm.sinks.curated)."""
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
    results = [doc.result for doc in curated] + list(stopped)

    def bookkeeping(session: Session) -> None:
        enqueue(session, results, run.run_id)
        record_processed(session, results, run.fingerprint, run.run_id)

    run.writer.write(part, records, bookkeeping)
    return results
