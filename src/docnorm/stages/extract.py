"""Classify and extract: each parsed document becomes its doc type's record, or a review result."""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Sequence

from docnorm import __version__
from docnorm.doctypes.registry import DocTypeRegistry
from docnorm.extractors.base import ChoosesDocTypes, Extractor, ExtractorContext, build_extractor
from docnorm.extractors.classify import classify
from docnorm.schemas import SCHEMA_VERSION
from docnorm.schemas.documents import Classification, DocumentResult, ParsedDocument, Usage
from docnorm.schemas.errors import ClassificationError, DataError
from docnorm.settings import Settings
from docnorm.sinks import SqlResultCache
from docnorm.stages.documents import ExtractedDocument
from docnorm.stages.results import from_error
from docnorm.workers import WorkerPool

log = logging.getLogger("docnorm")


def make_extractor(settings: Settings, registry: DocTypeRegistry) -> Extractor:
    """The configured extractor over every doc type of ``registry``, with the LLM result cache."""
    context = ExtractorContext(
        rules={spec.name: spec.rules for spec in registry if spec.rules is not None},
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


def extract_documents(
    documents: Sequence[ParsedDocument],
    settings: Settings,
    extractor: Extractor,
    registry: DocTypeRegistry,
    pool: WorkerPool | None = None,
) -> tuple[list[ExtractedDocument], list[DocumentResult]]:
    """Classify each document, then extract the classified ones: in ``pool``'s worker processes when the
    extractor is CPU-bound (rules), else together here (an LLM extractor runs them concurrently)."""
    if pool is not None and extractor.cpu_bound:
        return _extract_in_workers(documents, settings, extractor, registry, pool)
    cues = {spec.name: spec.cues for spec in registry}
    classified: list[tuple[ParsedDocument, Classification, Usage | None]] = []
    unsure: list[tuple[ParsedDocument, DataError]] = []
    for doc in documents:
        try:
            decided = classify(
                doc, cues, min_score=settings.classify_min_score, min_margin=settings.classify_min_margin
            )
        except DataError as unplaced:
            unsure.append((doc, unplaced))
            continue
        classified.append((doc, decided, None))
    if unsure and isinstance(extractor, ChoosesDocTypes):
        chosen, unsure = _chosen_by_model(unsure, extractor, registry, settings.classify_model_min_confidence)
        classified += chosen
    elif unsure and (cueless := [spec.name for spec in registry if not spec.cues]):
        hint = (
            f"{', '.join(cueless)} declare(s) no cues, so only a model recognises them: use --extractor llm or hybrid"
        )
        unsure = [(doc, ClassificationError(error.reason, f"{error.message}; {hint}")) for doc, error in unsure]
    stopped: list[DocumentResult] = []
    for doc, error in unsure:
        log.info("document %s stopped at classify: %s", doc.source.doc_id[:12], error.reason)
        stopped.append(from_error(doc.source.source_uri, doc.source.doc_id, error, parsed=doc))
    outcomes = extractor.extract_many([(doc, str(decided.doc_type)) for doc, decided, _ in classified])
    extracted: list[ExtractedDocument] = []
    for (doc, decided, choosing), outcome in zip(classified, outcomes, strict=True):
        if isinstance(outcome, DataError):
            stopped.append(from_error(doc.source.source_uri, doc.source.doc_id, outcome, decided.doc_type, doc))
        else:
            usage = outcome.usage if choosing is None else choosing + (outcome.usage or Usage())
            extracted.append(ExtractedDocument(doc, decided, str(decided.doc_type), outcome.record, usage))
    return extracted, stopped


def _chosen_by_model(
    unsure: Sequence[tuple[ParsedDocument, DataError]],
    extractor: ChoosesDocTypes,
    registry: DocTypeRegistry,
    min_confidence: float,
) -> tuple[list[tuple[ParsedDocument, Classification, Usage | None]], list[tuple[ParsedDocument, DataError]]]:
    """The documents the model placed with at least ``min_confidence``, and those still unsure (with why)."""
    descriptions = {spec.name: spec.description or spec.name for spec in registry}
    choices = extractor.choose_doc_types([doc for doc, _ in unsure], descriptions)
    chosen: list[tuple[ParsedDocument, Classification, Usage | None]] = []
    still: list[tuple[ParsedDocument, DataError]] = []
    for (doc, error), choice in zip(unsure, choices, strict=True):
        if isinstance(choice, DataError):
            still.append((doc, choice))
        elif choice.doc_type is None or choice.doc_type not in descriptions or choice.confidence < min_confidence:
            said = f"the model chose {choice.doc_type or 'none'} with confidence {choice.confidence:.2f}"
            still.append((doc, ClassificationError(error.reason, f"{error.message}; {said} (< {min_confidence})")))
        else:
            decided = Classification(doc_type=choice.doc_type, confidence=choice.confidence, cues=["model"])
            chosen.append((doc, decided, choice.usage))
    return chosen, still


def classify_and_extract(
    doc: ParsedDocument, settings: Settings, extractor: Extractor, registry: DocTypeRegistry
) -> tuple[Classification, str] | DocumentResult:
    """One document through classification and extraction, in a worker process. Only the decision and
    the record (as JSON: generic pydantic models do not pickle) travel back; the parsed document stays."""
    extracted, stopped = extract_documents([doc], settings, extractor, registry)
    if stopped:
        return stopped[0]
    return extracted[0].classification, extracted[0].record.model_dump_json()


def _extract_in_workers(
    documents: Sequence[ParsedDocument],
    settings: Settings,
    extractor: Extractor,
    registry: DocTypeRegistry,
    pool: WorkerPool,
) -> tuple[list[ExtractedDocument], list[DocumentResult]]:
    # A CPU-bound extractor travels to the workers with each document (it pickles: rule functions only).
    n = len(documents)
    outcomes = pool.map(
        classify_and_extract, documents, [settings] * n, [extractor] * n, [registry] * n, stage="extract"
    )
    extracted: list[ExtractedDocument] = []
    stopped: list[DocumentResult] = []
    for doc, outcome in zip(documents, outcomes, strict=True):
        source = doc.source
        if isinstance(outcome, DataError):
            stopped.append(from_error(source.source_uri, source.doc_id, outcome, parsed=doc))
        elif isinstance(outcome, DocumentResult):
            stopped.append(outcome)
        else:
            decided, record = outcome
            doc_type = str(decided.doc_type)
            model = registry[doc_type].model.model_validate_json(record)
            extracted.append(ExtractedDocument(doc, decided, doc_type, model))
    return extracted, stopped
