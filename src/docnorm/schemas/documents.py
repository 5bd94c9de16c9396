"""The types a document passes through on its way from a file to a table row."""

from __future__ import annotations

from bisect import bisect_right
from datetime import datetime
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, Field

from docnorm.schemas.evidence import Evidence


class FileKind(StrEnum):
    """Formats docnorm parses, as sniffed from the bytes."""

    PDF = "pdf"
    DOCX = "docx"
    HTML = "html"
    TXT = "txt"
    EML = "eml"


class SourceDocument(BaseModel):
    """A file accepted by intake: its identity, real type and where it came from."""

    doc_id: str = Field(description="sha256 of the file's bytes.")
    source_uri: str
    kind: FileKind
    size_bytes: int
    pages: int | None = None


class Element(BaseModel):
    """One parsed element and its place in the canonical text."""

    type: str = Field(description="unstructured's category, e.g. Title, NarrativeText, Table.")
    text: str
    page: int | None = None
    start: int = Field(description="Char offset of the element in ParsedDocument.text.")
    end: int
    cells: list[list[str]] | None = Field(default=None, description="Table rows of cell texts.")


class Span(BaseModel):
    """A stretch of a ParsedDocument's text: ``text[start:end]``."""

    start: int
    end: int

    def overlaps(self, start: int, end: int) -> bool:
        """Whether ``text[start:end]`` shares a character with this span."""
        return start < self.end and end > self.start


class ParsedDocument(BaseModel):
    """A document as elements over one canonical text (elements joined by blank lines)."""

    source: SourceDocument
    text: str
    elements: list[Element]
    hidden_chars: int = 0
    """Characters of text the format hid from readers (CSS, hidden runs, white or invisible PDF text), left out."""
    flagged: list[Span] = Field(default_factory=list)
    """Visible sentences that read as if they addressed a model, kept in ``text`` as they are (see
    docnorm.parsers.hidden): the rules read them; an LLM sees each fenced as quoted document text, and
    an llm or hybrid value whose evidence overlaps one sends the document to review."""

    def excerpt(self, first: int, last: int) -> ParsedDocument:
        """Elements ``first``..``last`` as a document of their own, offsets counted from the excerpt's start.

        Its doc_id names the span, so that answers cached for it are never taken for the whole document's.
        """
        start, end = self.elements[first].start, self.elements[last].end
        return ParsedDocument(
            source=self.source.model_copy(update={"doc_id": f"{self.source.doc_id}:{first}-{last}"}),
            text=self.text[start:end],
            elements=[
                e.model_copy(update={"start": e.start - start, "end": e.end - start})
                for e in self.elements[first : last + 1]
            ],
            flagged=[
                Span(start=max(s.start, start) - start, end=min(s.end, end) - start)
                for s in self.flagged
                if s.overlaps(start, end)
            ],
        )

    def evidence(self, start: int, end: int, method: str | None = None) -> Evidence:
        """Evidence for the span ``text[start:end]``, with its element and page."""
        index = max(bisect_right([e.start for e in self.elements], start) - 1, 0)
        element = self.elements[index] if self.elements else None
        return Evidence(
            quote=self.text[start:end],
            page=element.page if element else None,
            start=start,
            end=end,
            element=index if element else None,
            verified=True,
            method=method,
        )


class Classification(BaseModel):
    """The decided doc type, how sure the classifier is, and the cues that decided it."""

    doc_type: str | None = Field(description="Registered doc type, or None when unknown or ambiguous.")
    confidence: float = Field(ge=0.0, le=1.0)
    scores: dict[str, float] = Field(default_factory=dict)
    cues: list[str] = Field(default_factory=list, description="Cue names that matched, never text.")


class Stage(StrEnum):
    """Where in the pipeline a document stopped."""

    PARSE = "parse"
    CLASSIFY = "classify"
    EXTRACT = "extract"
    VALIDATE = "validate"
    WRITE = "write"


class Outcome(StrEnum):
    """Where a document ended."""

    CURATED = "curated"
    REVIEW = "review"
    SKIPPED = "skipped"


class Reason(BaseModel):
    """Why a document went to review: a stable code, the field or column, and a content-free message."""

    code: str = Field(description="Stable reason code or check name, e.g. encrypted, icd10cm_code_exists.")
    field: str | None = None
    message: str


class Lineage(BaseModel):
    """Where every curated row came from."""

    doc_id: str
    source_uri: str
    run_id: str
    extractor: str
    model: str | None
    schema_version: str
    prompt_version: str | None
    extracted_at: datetime
    llm_prompt_tokens: int | None = None
    llm_completion_tokens: int | None = None
    llm_cost_usd: float | None = None
    review_resolution: str | None = None
    reviewer: str | None = None
    reviewed_at: datetime | None = None
    calibrator_version: str | None = None
    """The confidence calibrator behind the row's field_provenance confidences (``uncalibrated`` when none)."""


class Usage(BaseModel):
    """LLM calls, tokens and cost spent on one document (or summed over a run)."""

    calls: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cost_usd: float | None = Field(default=None, description="None when the model has no price in settings.")

    def __add__(self, other: Usage) -> Usage:
        cost = (
            None if self.cost_usd is None and other.cost_usd is None else (self.cost_usd or 0) + (other.cost_usd or 0)
        )
        return Usage(
            calls=self.calls + other.calls,
            prompt_tokens=self.prompt_tokens + other.prompt_tokens,
            completion_tokens=self.completion_tokens + other.completion_tokens,
            cost_usd=None if cost is None else round(cost, 6),
        )


class DocumentResult(BaseModel):
    """The end of one input's journey: one outcome, and the reasons when it is review."""

    source_uri: str
    doc_id: str | None = None
    doc_type: str | None = None
    outcome: Outcome
    stage: Stage | None = None
    reasons: list[Reason] = Field(default_factory=list)
    record: dict[str, Any] | None = Field(default=None, description="Extracted record, for reviewers.")
    usage: Usage | None = Field(default=None, description="LLM usage, when an LLM extractor ran.")
    hidden_chars: int = Field(default=0, description="Text hidden from readers that was left out (see parse).")
    flagged_sentences: int = Field(
        default=0, description="Visible sentences that read as if addressed to a model, flagged and kept (see parse)."
    )
