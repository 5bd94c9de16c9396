"""What a run did: the summary a caller gets back and the manifest written beside the tables."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from pydantic import BaseModel

from docnorm.schemas.documents import DocumentResult, Usage


class ManifestEntry(BaseModel):
    """One input file's fate (no extracted values: the manifest is safe to share)."""

    source_uri: str
    doc_id: str | None
    doc_type: str | None
    outcome: str
    stage: str | None
    reasons: list[str]
    usage: Usage | None = None
    hidden_chars: int = 0
    """Characters hidden from readers (CSS, hidden runs, white PDF text) that extraction never saw."""
    flagged_sentences: int = 0
    """Visible sentences that read as if addressed to a model: flagged, kept in the text the extractors read."""


class Manifest(BaseModel):
    """What a run did."""

    run_id: str
    started_at: datetime
    finished_at: datetime
    fingerprint: str
    extractor: str
    model: str | None
    prompt_version: str | None
    usage: Usage
    """LLM calls, tokens and cost of the whole run."""
    stage_seconds: dict[str, float]
    """Wall time inside each stage, summed over micro-batches (parse and extract run on the task runner,
    overlapping validate and route, so the sum can exceed the run's wall time)."""
    orchestration_seconds: float = 0.0
    """Time the flow's process spent in Prefect's machinery for the micro-batches (task runs of validate
    and route, submissions, progress updates), outside the stage bodies."""
    waited_seconds: float = 0.0
    """Time the flow's process waited for micro-batches from the task runner: with validate and route,
    the flow's own critical path."""
    out_dir: str
    inputs: list[ManifestEntry]


class RunSummary(BaseModel):
    """What a run did, for the CLI and for callers of the flow."""

    run_id: str
    out_dir: str
    manifest: str
    review_url: str
    counts: dict[str, int]
    """Documents per outcome (curated, review, skipped)."""
    by_type: dict[str, dict[str, int]]
    """Documents per doc type ('unknown' when unclassified), then per outcome."""
    usage: Usage
    """LLM calls, tokens and cost of the run (zeros for the rules extractor)."""
    stage_seconds: dict[str, float] = {}
    """Time inside each stage, summed over micro-batches (parse and extract overlap validate and route)."""
    results: list[DocumentResult]


def manifest_entries(results: Sequence[DocumentResult]) -> list[ManifestEntry]:
    """Entries for each result, reasons as ``code`` or ``code@field``."""
    return [
        ManifestEntry(
            source_uri=r.source_uri,
            doc_id=r.doc_id,
            doc_type=r.doc_type,
            outcome=r.outcome.value,
            stage=r.stage.value if r.stage else None,
            reasons=[f"{reason.code}@{reason.field}" if reason.field else reason.code for reason in r.reasons],
            usage=r.usage,
            hidden_chars=r.hidden_chars,
            flagged_sentences=r.flagged_sentences,
        )
        for r in results
    ]
