"""The review queue: one pending item per document with every reason it could not be curated."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON, DateTime, Index, Integer, String, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from docnorm.schemas.documents import DocumentResult, Outcome
from docnorm.sinks.database import Base


class ReviewItem(Base):
    """A document waiting for a person, with the stage it stopped at and why."""

    __tablename__ = "review_items"
    __table_args__ = (Index("ix_review_items_doc_status", "doc_id", "status"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    doc_id: Mapped[str] = mapped_column(String(64))
    source_uri: Mapped[str] = mapped_column(String)
    doc_type: Mapped[str | None] = mapped_column(String(64))
    stage: Mapped[str] = mapped_column(String(16))
    reasons: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    record: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(16), default="pending")
    run_id: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    version: Mapped[int] = mapped_column(Integer, nullable=False)
    # Optimistic locking: every UPDATE checks the version it read, so two reviewers cannot both win.
    __mapper_args__ = {"version_id_col": version}
    reviewer: Mapped[str | None] = mapped_column(String(128))
    resolution_note: Mapped[str | None] = mapped_column(String)
    corrections: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    reviewed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    synced_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


def enqueue(session: Session, results: Sequence[DocumentResult], run_id: str) -> int:
    """Add or refresh a pending item for each review result; returns how many were new.

    A document that already has a pending item gets that item updated, so re-running
    a batch never duplicates items.
    """
    now = datetime.now(UTC)
    created = 0
    for result in results:
        if result.outcome is not Outcome.REVIEW or result.doc_id is None or result.stage is None:
            continue
        item = session.scalars(
            select(ReviewItem).where(ReviewItem.doc_id == result.doc_id, ReviewItem.status == "pending")
        ).first()
        if item is None:
            item = ReviewItem(doc_id=result.doc_id, created_at=now, status="pending")
            session.add(item)
            created += 1
        item.source_uri = result.source_uri
        item.doc_type = result.doc_type
        item.stage = result.stage.value
        item.reasons = [reason.model_dump() for reason in result.reasons]
        item.record = result.record
        item.run_id = run_id
        item.updated_at = now
    return created
