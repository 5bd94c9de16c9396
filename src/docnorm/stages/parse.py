"""Plan and parse: identify each file by its bytes, then intake and parse the ones to process."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from pathlib import Path

from docnorm.parsers import Limits, document_id
from docnorm.parsers.discover import path_id, source_uri
from docnorm.parsers.job import parse_one_timed
from docnorm.schemas.documents import DocumentResult, Outcome, ParsedDocument, Reason, Stage
from docnorm.schemas.errors import DataError
from docnorm.settings import Settings
from docnorm.stages.documents import Planned
from docnorm.stages.results import from_error, review
from docnorm.workers import WorkerPool

log = logging.getLogger("docnorm")


def plan_inputs(
    paths: Sequence[Path], done_before: Callable[[Sequence[str]], set[str]] | None = None
) -> tuple[list[Planned], list[DocumentResult]]:
    """Identify each file by the hash of its bytes; the ones to parse, and results for the files
    that cannot be read, repeat another input, or were done before (``done_before``)."""
    stopped: list[DocumentResult] = []
    ids: dict[Path, str] = {}
    for path in paths:
        try:
            ids[path] = document_id(path)
        except OSError as exc:
            reason = Reason(code="unreadable", message=f"cannot read file ({type(exc).__name__})")
            stopped.append(review(source_uri(path), path_id(path), Stage.PARSE, [reason]))
    done = done_before(list(ids.values())) if done_before else set()
    seen: set[str] = set()
    todo: list[Planned] = []
    for path, doc_id in ids.items():
        if doc_id in seen or doc_id in done:
            skip = (
                Reason(code="duplicate", message="same bytes as another input in this run")
                if doc_id in seen
                else Reason(code="already_processed", message="already processed with this configuration")
            )
            result = DocumentResult(source_uri=source_uri(path), doc_id=doc_id, outcome=Outcome.SKIPPED, reasons=[skip])
            stopped.append(result)
            continue
        seen.add(doc_id)
        todo.append((path, doc_id))
    return todo, stopped


def parse_planned(
    todo: Sequence[Planned],
    settings: Settings,
    pool: WorkerPool | None = None,
    seconds: dict[str, float] | None = None,
) -> tuple[list[ParsedDocument], list[DocumentResult]]:
    """Intake and parse each planned file (in ``pool``'s worker processes when given); each document's
    parse time goes into ``seconds`` by doc_id (the deadline, for one that ran out of time)."""
    limits = Limits.of(settings)
    mapper = pool.map if pool is not None else map
    answers = mapper(parse_one_timed, [p for p, _ in todo], [d for _, d in todo], [limits] * len(todo))
    parsed: list[ParsedDocument] = []
    stopped: list[DocumentResult] = []
    for (path, doc_id), answer in zip(todo, answers, strict=True):
        # A worker that died or ran out of time answers with the DataError alone.
        outcome, took = answer if isinstance(answer, tuple) else (answer, None)
        if isinstance(outcome, DataError) and outcome.reason == "parse_timeout":
            took = settings.parse_timeout_seconds
        if seconds is not None and took is not None:
            seconds[doc_id] = took
        if isinstance(outcome, DataError):
            log.info("document %s stopped at parse: %s", doc_id[:12], outcome.reason)
            stopped.append(from_error(source_uri(path), doc_id, outcome))
        else:
            parsed.append(outcome)
    return parsed, stopped


def parse_documents(
    paths: Sequence[Path],
    settings: Settings,
    done_before: Callable[[Sequence[str]], set[str]] | None = None,
    pool: WorkerPool | None = None,
) -> tuple[list[ParsedDocument], list[DocumentResult]]:
    """Plan and parse ``paths`` in one go (see plan_inputs and parse_planned)."""
    todo, stopped = plan_inputs(paths, done_before)
    parsed, failed = parse_planned(todo, settings, pool)
    return parsed, stopped + failed
