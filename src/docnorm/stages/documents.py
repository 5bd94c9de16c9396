"""What travels between stages: planned files, extracted and curated documents, prepared batches."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from docnorm.doctypes.evidenced import declared_of, evidenced
from docnorm.schemas.documents import Classification, DocumentResult, ParsedDocument, Usage
from docnorm.schemas.tables import Row

Planned = tuple[Path, str]
"""A file to parse and its doc_id."""


@dataclass
class ExtractedDocument:
    """A classified document and its extracted record."""

    parsed: ParsedDocument
    classification: Classification
    doc_type: str
    record: BaseModel
    usage: Usage | None = None

    # Records hold generic pydantic models (Extracted[date], ...), which do not pickle: across processes
    # (a process or Dask task runner) a record travels as JSON beside its declared model class, which
    # does; the evidenced model is derived from it again on the other side.
    def __getstate__(self) -> dict[str, Any]:
        return {**self.__dict__, "record": (declared_of(type(self.record)), self.record.model_dump_json())}

    def __setstate__(self, state: dict[str, Any]) -> None:
        model, data = state["record"]
        self.__dict__.update({**state, "record": evidenced(model).model_validate_json(data)})


@dataclass
class Prepared:
    """A micro-batch parsed and extracted, ready to validate: picklable, so it can come from any process."""

    extracted: list[ExtractedDocument]
    stopped: list[DocumentResult]
    stage_seconds: dict[str, float]
    doc_seconds: dict[str, float]
    """Parse time of each document by doc_id, for the slowest-documents report."""


@dataclass
class CuratedDocument:
    """A document whose rows passed every check, ready for the curated tables."""

    result: DocumentResult
    rows: dict[str, list[Row]] = field(default_factory=dict)
    provenance: list[Row] = field(default_factory=list)
    record: BaseModel | None = None
    """The record, for the review item should its rows fail to be written."""
