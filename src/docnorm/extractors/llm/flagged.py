"""Values read from a flagged sentence: the llm and hybrid extractors send their document to review.

A flagged sentence (``ParsedDocument.flagged``) is visible text that reads as if it addressed a
model. The prompt fences it as quoted document text, but a model may obey it all the same; a value
whose evidence overlaps one is therefore never curated unseen: every value of an llm record, and of
a hybrid one (the model's answers joined to the rules'). The rules extractor reads the document as
it is and is not asked this: a flag alone costs a rules extraction nothing.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from docnorm.schemas.documents import ParsedDocument, Span
from docnorm.schemas.errors import ExtractionError
from docnorm.schemas.evidence import Evidence, Extracted

_MAX_NAMED = 8


def check_flagged(record: BaseModel, doc: ParsedDocument) -> None:
    """ExtractionError ``evidence_in_flagged_text`` (field: the first such value's path) when a value of
    ``record`` was read from a flagged sentence of ``doc``."""
    paths = flagged_values(record, doc)
    if paths:
        raise ExtractionError(
            "evidence_in_flagged_text",
            f"{len(paths)} value(s) read from sentences that read as if addressed to a model: "
            f"{', '.join(paths[:_MAX_NAMED])}",
            field=paths[0],
        )


def flagged_values(record: BaseModel, doc: ParsedDocument) -> list[str]:
    """Paths (``governing_law``, ``amounts[0]``, ``patient.name``) of the values of ``record`` whose
    evidence overlaps a flagged sentence of ``doc``."""
    found: list[str] = []
    if doc.flagged:
        _walk(record, "", doc.flagged, found)
    return found


def _walk(node: Any, path: str, flagged: list[Span], found: list[str]) -> None:
    if isinstance(node, Extracted):
        if _overlaps(node.evidence, flagged):
            found.append(path)
    elif isinstance(node, BaseModel):
        if _overlaps(getattr(node, "evidence", None), flagged):
            found.append(path or "record")
        for name in type(node).model_fields:
            if name != "evidence":
                _walk(getattr(node, name), f"{path}.{name}" if path else name, flagged, found)
    elif isinstance(node, list):
        for index, item in enumerate(node):
            _walk(item, f"{path}[{index}]", flagged, found)


def _overlaps(evidence: Any, flagged: list[Span]) -> bool:
    if not isinstance(evidence, Evidence) or evidence.start is None or evidence.end is None:
        return False
    return any(span.overlaps(evidence.start, evidence.end) for span in flagged)
