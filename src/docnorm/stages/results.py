"""Results of documents that stopped: review items and skips, built the same way by every stage."""

from __future__ import annotations

from typing import Any

from docnorm.schemas.documents import DocumentResult, Outcome, Reason, Stage
from docnorm.schemas.errors import DataError


def review(source_uri: str, doc_id: str | None, stage: Stage, reasons: list[Reason], **extra: Any) -> DocumentResult:
    """A document that goes to review at ``stage`` for ``reasons``."""
    return DocumentResult(
        source_uri=source_uri, doc_id=doc_id, outcome=Outcome.REVIEW, stage=stage, reasons=reasons, **extra
    )


def from_error(source_uri: str, doc_id: str | None, error: DataError, doc_type: str | None = None) -> DocumentResult:
    """A document stopped by ``error``, at the error's stage, with its code and message."""
    return review(
        source_uri, doc_id, Stage(error.stage), [Reason(code=error.reason, message=error.message)], doc_type=doc_type
    )
