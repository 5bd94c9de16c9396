"""The pipeline's stages as plain functions over micro-batches; flows only compose them.

Each stage returns the documents that go on and the results of those that stopped,
so every input ends in exactly one DocumentResult.
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, ClassVar

from pydantic import BaseModel
from sqlalchemy.orm import Session

from docnorm import __version__
from docnorm.doctypes import REGISTRY, DocTypeRegistry
from docnorm.extractors.base import Extractor, ExtractorContext, build_extractor
from docnorm.extractors.classify import classify
from docnorm.parsers import Limits, document_id
from docnorm.parsers.discover import path_id, source_uri
from docnorm.parsers.job import parse_one_timed
from docnorm.schemas import SCHEMA_VERSION
from docnorm.schemas.documents import (
    Classification,
    DocumentResult,
    Lineage,
    Outcome,
    ParsedDocument,
    Reason,
    Stage,
    Usage,
)
from docnorm.schemas.errors import DataError
from docnorm.settings import Settings
from docnorm.sinks import (
    ParquetSink,
    SqlResultCache,
    already_processed,
    enqueue,
    open_database,
    record_processed,
)
from docnorm.sinks.mirror import CuratedMirror
from docnorm.sinks.parquet import private_folder, write_file
from docnorm.sinks.publish import Staging, recover
from docnorm.validators.options import ValidationOptions
from docnorm.validators.provenance import PROVENANCE, provenance_rows
from docnorm.validators.tables import Row, TableSpec
from docnorm.validators.verdict import failures_by_document
from docnorm.workers import WorkerPool

log = logging.getLogger("docnorm")


@dataclass
class ExtractedDocument:
    """A classified document and its extracted record."""

    parsed: ParsedDocument
    classification: Classification
    doc_type: str
    record: BaseModel
    usage: Usage | None = None

    # Records are generic pydantic models, which do not pickle: across processes (a process or Dask task
    # runner) they travel as JSON and are revived by their doc type's model.
    def __getstate__(self) -> dict[str, Any]:
        return {**self.__dict__, "record": self.record.model_dump_json()}

    def __setstate__(self, state: dict[str, Any]) -> None:
        record = REGISTRY[state["doc_type"]].model.model_validate_json(state["record"])
        self.__dict__.update({**state, "record": record})


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


def make_extractor(settings: Settings, registry: DocTypeRegistry = REGISTRY) -> Extractor:
    """The configured extractor over every registered doc type, with the LLM result cache."""
    context = ExtractorContext(
        rules={spec.name: spec.rules for spec in registry},
        models={spec.name: spec.model for spec in registry},
        settings=settings,
        rereads={spec.name: spec.reread for spec in registry if spec.reread is not None},
        cache=SqlResultCache(settings.llm_cache_database_url),
    )
    return build_extractor(settings.extractor, context)


def fingerprint(extractor: Extractor) -> str:
    """What makes two runs over the same bytes produce the same rows."""
    parts = [SCHEMA_VERSION, __version__, extractor.name, extractor.model or "", extractor.prompt_version or ""]
    return hashlib.sha256("|".join(parts).encode()).hexdigest()[:16]


def _review(source_uri: str, doc_id: str | None, stage: Stage, reasons: list[Reason], **extra: Any) -> DocumentResult:
    return DocumentResult(
        source_uri=source_uri, doc_id=doc_id, outcome=Outcome.REVIEW, stage=stage, reasons=reasons, **extra
    )


def _from_error(source_uri: str, doc_id: str | None, error: DataError, doc_type: str | None = None) -> DocumentResult:
    return _review(
        source_uri, doc_id, Stage(error.stage), [Reason(code=error.reason, message=error.message)], doc_type=doc_type
    )


Planned = tuple[Path, str]
"""A file to parse and its doc_id."""


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
            stopped.append(_review(source_uri(path), path_id(path), Stage.PARSE, [reason]))
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
            stopped.append(_from_error(source_uri(path), doc_id, outcome))
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


def extract_documents(
    documents: Sequence[ParsedDocument],
    settings: Settings,
    extractor: Extractor,
    registry: DocTypeRegistry = REGISTRY,
    pool: WorkerPool | None = None,
) -> tuple[list[ExtractedDocument], list[DocumentResult]]:
    """Classify each document, then extract the classified ones: in ``pool``'s worker processes when the
    extractor is CPU-bound (rules), else together here (an LLM extractor runs them concurrently)."""
    if pool is not None and extractor.cpu_bound and registry is REGISTRY:
        return _extract_in_workers(documents, settings, pool)
    cues = {spec.name: spec.cues for spec in registry}
    classified: list[tuple[ParsedDocument, Classification]] = []
    stopped: list[DocumentResult] = []
    for doc in documents:
        try:
            decided = classify(
                doc, cues, min_score=settings.classify_min_score, min_margin=settings.classify_min_margin
            )
        except DataError as error:
            log.info("document %s stopped at classify: %s", doc.source.doc_id[:12], error.reason)
            stopped.append(_from_error(doc.source.source_uri, doc.source.doc_id, error))
            continue
        classified.append((doc, decided))
    outcomes = extractor.extract_many([(doc, str(decided.doc_type)) for doc, decided in classified])
    extracted: list[ExtractedDocument] = []
    for (doc, decided), outcome in zip(classified, outcomes, strict=True):
        if isinstance(outcome, DataError):
            stopped.append(_from_error(doc.source.source_uri, doc.source.doc_id, outcome, decided.doc_type))
        else:
            extracted.append(ExtractedDocument(doc, decided, str(decided.doc_type), outcome.record, outcome.usage))
    return extracted, stopped


def _extract_in_workers(
    documents: Sequence[ParsedDocument], settings: Settings, pool: WorkerPool
) -> tuple[list[ExtractedDocument], list[DocumentResult]]:
    outcomes = pool.map(classify_and_extract, documents, [settings] * len(documents), stage="extract")
    extracted: list[ExtractedDocument] = []
    stopped: list[DocumentResult] = []
    for doc, outcome in zip(documents, outcomes, strict=True):
        source = doc.source
        if isinstance(outcome, DataError):
            stopped.append(_from_error(source.source_uri, source.doc_id, outcome))
        elif isinstance(outcome, DocumentResult):
            stopped.append(outcome)
        else:
            decided, record = outcome
            doc_type = str(decided.doc_type)
            model = REGISTRY[doc_type].model.model_validate_json(record)
            extracted.append(ExtractedDocument(doc, decided, doc_type, model))
    return extracted, stopped


_process_extractors: dict[str, Extractor] = {}


def process_extractor(settings: Settings) -> Extractor:
    """This process's extractor for ``settings``, built once (a worker or task-runner process)."""
    key = settings.model_dump_json()
    if key not in _process_extractors:
        _process_extractors[key] = make_extractor(settings)
    return _process_extractors[key]


def classify_and_extract(doc: ParsedDocument, settings: Settings) -> tuple[Classification, str] | DocumentResult:
    """One document through classification and extraction, in a worker process. Only the decision and
    the record (as JSON: generic pydantic models do not pickle) travel back; the parsed document stays."""
    extracted, stopped = extract_documents([doc], settings, process_extractor(settings))
    if stopped:
        return stopped[0]
    return extracted[0].classification, extracted[0].record.model_dump_json()


def prepare_documents(todo: Sequence[Planned], settings: Settings, run_id: str) -> Prepared:
    """Parse and extract a micro-batch, wherever the task runner put this call: in the run's own process
    it uses the run's worker pool and extractor; in another process (process pool, Dask) it works in
    that process, with an extractor built there from ``settings``."""
    context = RunContext.active(run_id)
    if context is not None:
        extractor, pool, registry = context.extractor, context.pool, context.registry
    else:
        extractor, pool, registry = process_extractor(settings), None, REGISTRY
    doc_seconds: dict[str, float] = {}
    started = time.perf_counter()
    parsed, stopped = parse_planned(todo, settings, pool, doc_seconds)
    parsed_at = time.perf_counter()
    extracted, unclassified = extract_documents(parsed, settings, extractor, registry, pool)
    seconds = {"parse": parsed_at - started, "extract": time.perf_counter() - parsed_at}
    return Prepared(extracted, [*stopped, *unclassified], seconds, doc_seconds)


def validate_documents(
    documents: Sequence[ExtractedDocument],
    options: ValidationOptions,
    registry: DocTypeRegistry = REGISTRY,
    thresholds: Mapping[str, float] | None = None,
) -> tuple[list[CuratedDocument], list[DocumentResult]]:
    """Flatten records into table rows and check them; any failed check, or a field whose
    confidence is below its threshold, sends the document to review."""
    by_type: dict[str, list[ExtractedDocument]] = defaultdict(list)
    for doc in documents:
        by_type[doc.doc_type].append(doc)
    curated: list[CuratedDocument] = []
    stopped: list[DocumentResult] = []
    for doc_type, docs in by_type.items():
        spec = registry[doc_type]
        tables = spec.tables(options)
        rows_by_doc = {doc.parsed.source.doc_id: spec.to_rows(doc.record) for doc in docs}
        failures = failures_by_document(tables, _tag_rows(rows_by_doc))
        for doc in docs:
            source = doc.parsed.source
            record = doc.record.model_dump(mode="json")
            provenance = provenance_rows(doc.record, tables, passed_checks=source.doc_id not in failures)
            reasons = failures.get(source.doc_id, []) + _low_confidence(provenance, thresholds or {})
            if reasons:
                log.info("document %s failed %d check(s)", source.doc_id[:12], len(reasons))
                stopped.append(
                    _review(
                        source.source_uri,
                        source.doc_id,
                        Stage.VALIDATE,
                        reasons,
                        doc_type=doc_type,
                        record=record,
                        usage=doc.usage,
                    )
                )
            else:
                result = DocumentResult(
                    source_uri=source.source_uri,
                    doc_id=source.doc_id,
                    doc_type=doc_type,
                    outcome=Outcome.CURATED,
                    usage=doc.usage,
                )
                curated.append(CuratedDocument(result, rows_by_doc[source.doc_id], provenance))
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


def curated_rows(
    documents: Iterable[CuratedDocument], tables: Sequence[TableSpec], lineage: dict[str, Lineage]
) -> dict[str, list[Row]]:
    """Rows per table for the curated documents, each with its lineage columns."""
    out: dict[str, list[Row]] = {spec.name: [] for spec in tables}
    for doc in documents:
        assert doc.result.doc_id is not None
        stamp = lineage[doc.result.doc_id].model_dump()
        for table, rows in doc.rows.items():
            out[table].extend({**stamp, **row} for row in rows)
    return out


def lineage_for(doc: CuratedDocument, run_id: str, extractor: Extractor, at: datetime) -> Lineage:
    """The lineage stamp of a curated document's rows."""
    assert doc.result.doc_id is not None
    usage = doc.result.usage
    return Lineage(
        doc_id=doc.result.doc_id,
        source_uri=doc.result.source_uri,
        run_id=run_id,
        extractor=extractor.name,
        model=extractor.model,
        schema_version=SCHEMA_VERSION,
        prompt_version=extractor.prompt_version,
        extracted_at=at,
        llm_prompt_tokens=usage.prompt_tokens if usage else None,
        llm_completion_tokens=usage.completion_tokens if usage else None,
        llm_cost_usd=usage.cost_usd if usage else None,
    )


@dataclass
class RunContext:
    """What every stage of one run shares: settings, extractor, identity and sinks."""

    settings: Settings
    extractor: Extractor
    run_id: str
    started_at: datetime
    registry: DocTypeRegistry = REGISTRY

    _active: ClassVar[dict[str, RunContext]] = {}

    def __post_init__(self) -> None:
        self.stage_seconds: dict[str, float] = {}
        self.waited_seconds = 0.0
        self.orchestration_seconds = 0.0
        private_folder(self.settings.out_dir)
        self.fingerprint = fingerprint(self.extractor)
        self.pool = worker_pool(self.settings)
        self.engine = open_database(self.settings.review_database_url)
        self.parquet = ParquetSink(self.settings.out_dir / "curated")
        self.options = ValidationOptions(balance_tolerance=self.settings.balance_tolerance)
        recovered = recover(self.settings.out_dir, self.engine)
        if recovered.published or recovered.discarded:
            log.warning(
                "recovered from an interrupted run: %d curated file(s) published, %d uncommitted file(s) discarded",
                recovered.published,
                recovered.discarded,
            )
        self.staging = Staging(self.settings.out_dir, self.run_id)
        self.mirror = CuratedMirror(self.parquet.root, self.settings.curated_url) if self.settings.curated_url else None
        if self.mirror is not None:
            self.mirror.catch_up()
        RunContext._active[self.run_id] = self

    @classmethod
    def active(cls, run_id: str) -> RunContext | None:
        """The context of run ``run_id`` when it is open in this process."""
        return cls._active.get(run_id)

    @contextmanager
    def orchestrating(self, bodies: Sequence[str] = ()) -> Iterator[None]:
        """Add the block's time, less the stage bodies named in ``bodies`` that ran inside it, to
        ``orchestration_seconds``: the flow's own Prefect work (task runs, submissions, artifacts)."""
        inside = sum(self.stage_seconds.get(stage, 0.0) for stage in bodies)
        started = time.perf_counter()
        try:
            yield
        finally:
            ran = sum(self.stage_seconds.get(stage, 0.0) for stage in bodies) - inside
            self.orchestration_seconds += time.perf_counter() - started - ran

    def add_seconds(self, seconds: Mapping[str, float]) -> None:
        """Add stage times measured elsewhere (a task-runner process) to ``stage_seconds``."""
        for stage, value in seconds.items():
            self.stage_seconds[stage] = self.stage_seconds.get(stage, 0.0) + value

    @contextmanager
    def timed(self, stage: str) -> Iterator[None]:
        """Add the time spent in the block to ``stage_seconds[stage]``."""
        started = time.perf_counter()
        try:
            yield
        finally:
            self.stage_seconds[stage] = self.stage_seconds.get(stage, 0.0) + time.perf_counter() - started

    def close(self) -> None:
        """Stop the workers and release the staging folder."""
        RunContext._active.pop(self.run_id, None)
        if self.pool is not None:
            self.pool.shutdown()
        self.staging.close()

    def done_before(self, doc_ids: Sequence[str]) -> set[str]:
        """The documents among ``doc_ids`` already processed under this configuration."""
        with Session(self.engine) as session:
            return set(already_processed(session, doc_ids, self.fingerprint))


def worker_pool(settings: Settings) -> WorkerPool | None:
    """Worker processes for the CPU-bound stages, parsing and rules extraction (threads do not help:
    they hold the GIL), or None to run them in this process."""
    if settings.parse_workers <= 0:
        return None
    memory = settings.parse_memory_mb * 1024 * 1024 or None
    return WorkerPool(settings.parse_workers, settings.parse_timeout_seconds, memory)


def route_documents(
    context: RunContext, part: str, curated: Sequence[CuratedDocument], stopped: Sequence[DocumentResult]
) -> list[DocumentResult]:
    """Stage curated rows as Parquet, commit review items, ledger and the part in one transaction, then publish.

    See docnorm.sinks.publish: a run killed at any point leaves each document exactly once.
    """
    at = datetime.now(tz=context.started_at.tzinfo)
    lineage = {
        doc.result.doc_id: lineage_for(doc, context.run_id, context.extractor, at)
        for doc in curated
        if doc.result.doc_id
    }
    tables: dict[str, tuple[TableSpec, list[Row]]] = {}
    for doc_type in sorted({doc.result.doc_type for doc in curated if doc.result.doc_type}):
        specs = context.registry[doc_type].tables(context.options)
        by_table = curated_rows([doc for doc in curated if doc.result.doc_type == doc_type], specs, lineage)
        tables.update({spec.name: (spec, by_table[spec.name]) for spec in specs})
    provenance = [{**lineage[doc.result.doc_id].model_dump(), **row} for doc in curated if doc.result.doc_id
                  for row in doc.provenance]  # fmt: skip
    tables[PROVENANCE.name] = (PROVENANCE, provenance)
    finals: list[Path] = []
    for spec, rows in tables.values():
        if rows:
            final = context.parquet.path(spec, part=part, day=at.date())
            write_file(context.staging.path_for(final), spec, rows)
            finals.append(final)
    results = [doc.result for doc in curated] + list(stopped)
    with Session(context.engine) as session, session.begin():
        enqueue(session, results, context.run_id)
        record_processed(session, results, context.fingerprint, context.run_id)
        context.staging.commit(session, part, context.run_id, finals)
    context.staging.publish(finals)
    if context.mirror is not None:
        context.mirror.push(finals)
    return results
