"""Validate: records become table rows, checked against their tables' pandera models."""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Mapping, Sequence

from docnorm.doctypes.registry import DocTypeRegistry
from docnorm.schemas.documents import DocumentResult, Outcome, Reason, Stage
from docnorm.schemas.tables import Row
from docnorm.stages.documents import CuratedDocument, ExtractedDocument
from docnorm.stages.results import review, text_counts
from docnorm.validators.fit import unfit_tables, unfit_values
from docnorm.validators.options import ValidationOptions
from docnorm.validators.provenance import PROVENANCE, provenance_rows
from docnorm.validators.verdict import failures_by_document

log = logging.getLogger("docnorm")


def validate_documents(
    documents: Sequence[ExtractedDocument],
    options: ValidationOptions,
    registry: DocTypeRegistry,
    thresholds: Mapping[str, float] | None = None,
) -> tuple[list[CuratedDocument], list[DocumentResult]]:
    """Flatten records into table rows and check them (that every value fits its column, the tables'
    pandera checks, then the doc type's record checks); any failed check, or a field whose confidence is
    below its threshold, sends the document to review."""
    by_type: dict[str, list[ExtractedDocument]] = defaultdict(list)
    for doc in documents:
        by_type[doc.doc_type].append(doc)
    curated: list[CuratedDocument] = []
    stopped: list[DocumentResult] = []
    for doc_type, docs in by_type.items():
        spec = registry[doc_type]
        tables = spec.tables(options)
        rows_by_doc = {doc.parsed.source.doc_id: spec.to_rows(doc.record) for doc in docs}
        # A value its column cannot hold stops its document before any check reads it.
        unfit = unfit_tables(tables, _tag_rows(rows_by_doc))
        fitting = {doc_id: rows for doc_id, rows in rows_by_doc.items() if doc_id not in unfit}
        failures = {**failures_by_document(tables, _tag_rows(fitting)), **unfit}
        for doc in docs:
            # The declared record checks see complete, well-formed records only; the table checks
            # above already said what is missing or out of range.
            doc_id = doc.parsed.source.doc_id
            if doc_id not in failures and (broken := spec.check(doc.record)):
                failures[doc_id] = broken
        for doc in docs:
            source = doc.parsed.source
            provenance = provenance_rows(
                doc.record, tables, passed_checks=source.doc_id not in failures, doc_type=doc_type
            )
            unfit_provenance = unfit_values(PROVENANCE, [{"doc_id": source.doc_id, **row} for row in provenance])
            reasons = (
                failures.get(source.doc_id, [])
                + unfit_provenance.get(source.doc_id, [])
                + _low_confidence(provenance, thresholds or {})
            )
            if reasons:
                log.info("document %s failed %d check(s)", source.doc_id[:12], len(reasons))
                record = doc.record.model_dump(mode="json")
                stopped.append(
                    review(
                        source.source_uri,
                        source.doc_id,
                        Stage.VALIDATE,
                        reasons,
                        doc_type=doc_type,
                        record=record,
                        usage=doc.usage,
                        **text_counts(doc.parsed),
                    )
                )
            else:
                result = DocumentResult(
                    source_uri=source.source_uri,
                    doc_id=source.doc_id,
                    doc_type=doc_type,
                    outcome=Outcome.CURATED,
                    usage=doc.usage,
                    **text_counts(doc.parsed),
                )
                curated.append(CuratedDocument(result, rows_by_doc[source.doc_id], provenance, doc.record))
    return curated, stopped


def _low_confidence(provenance: Sequence[Row], thresholds: Mapping[str, float]) -> list[Reason]:
    """A reason for every field whose confidence is below its threshold (or the "*" default)."""
    reasons = []
    for row in provenance:
        threshold = thresholds.get(row["field"], thresholds.get("*"))
        if threshold is not None and row["confidence"] < threshold:
            reasons.append(
                Reason(
                    code="low_confidence",
                    field=f"{row['table_name']}.{row['row_number']}.{row['field']}",
                    message=f"confidence {row['confidence']} is below {threshold}",
                )
            )
    return reasons


def _tag_rows(rows_by_doc: dict[str, dict[str, list[Row]]]) -> dict[str, list[Row]]:
    tables: dict[str, list[Row]] = defaultdict(list)
    for doc_id, tables_of_doc in rows_by_doc.items():
        for table, rows in tables_of_doc.items():
            tables[table].extend({"doc_id": doc_id, **row} for row in rows)
    return tables
