"""Results of documents that stopped: review items and skips, built the same way by every stage."""

from __future__ import annotations

from typing import Any, TypedDict

from docnorm.schemas.documents import DocumentResult, Outcome, ParsedDocument, Reason, Stage
from docnorm.schemas.errors import DataError


def review(source_uri: str, doc_id: str | None, stage: Stage, reasons: list[Reason], **extra: Any) -> DocumentResult:
    """A document that goes to review at ``stage`` for ``reasons``."""
    return DocumentResult(
        source_uri=source_uri, doc_id=doc_id, outcome=Outcome.REVIEW, stage=stage, reasons=reasons, **extra
    )


def from_error(
    source_uri: str,
    doc_id: str | None,
    error: DataError,
    doc_type: str | None = None,
    parsed: ParsedDocument | None = None,
) -> DocumentResult:
    """A document stopped by ``error``, at the error's stage, with its code, field and message (and what
    parsing left out of its text and flagged in it, when it was parsed)."""
    reasons = [Reason(code=error.reason, field=error.field, message=error.message)]
    counts = text_counts(parsed) if parsed is not None else TextCounts(hidden_chars=0, flagged_sentences=0)
    return review(source_uri, doc_id, Stage(error.stage), reasons, doc_type=doc_type, **counts)


class TextCounts(TypedDict):
    """What parsing left out of a document's text, and what it flagged in it (see docnorm.parsers.hidden)."""

    hidden_chars: int
    flagged_sentences: int


def text_counts(doc: ParsedDocument) -> TextCounts:
    """What parsing left out of a document's text and flagged in it, for its result and the manifest."""
    return TextCounts(hidden_chars=doc.hidden_chars, flagged_sentences=len(doc.flagged))
