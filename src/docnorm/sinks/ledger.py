"""Which documents were already processed under which configuration, so re-runs skip them."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, datetime

from sqlalchemy import DateTime, String, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from docnorm.schemas.documents import DocumentResult, Outcome
from docnorm.sinks.database import Base


class ProcessedDocument(Base):
    """One document's outcome under one configuration fingerprint."""

    __tablename__ = "processed_documents"

    doc_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    fingerprint: Mapped[str] = mapped_column(String(64), primary_key=True)
    outcome: Mapped[str] = mapped_column(String(16))
    doc_type: Mapped[str | None] = mapped_column(String(64))
    run_id: Mapped[str] = mapped_column(String(64))
    processed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


def already_processed(session: Session, doc_ids: Iterable[str], fingerprint: str) -> dict[str, str]:
    """Outcome by doc_id for the documents done before under ``fingerprint``."""
    ids = list(doc_ids)
    if not ids:
        return {}
    rows = session.execute(
        select(ProcessedDocument.doc_id, ProcessedDocument.outcome).where(
            ProcessedDocument.fingerprint == fingerprint, ProcessedDocument.doc_id.in_(ids)
        )
    )
    return {doc_id: outcome for doc_id, outcome in rows}


def record_processed(session: Session, results: Sequence[DocumentResult], fingerprint: str, run_id: str) -> None:
    """Remember the final outcome of each curated or reviewed document."""
    now = datetime.now(UTC)
    for result in results:
        if result.doc_id is None or result.outcome is Outcome.SKIPPED:
            continue
        session.merge(
            ProcessedDocument(
                doc_id=result.doc_id,
                fingerprint=fingerprint,
                outcome=result.outcome.value,
                doc_type=result.doc_type,
                run_id=run_id,
                processed_at=now,
            )
        )
