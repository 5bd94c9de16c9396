"""The ``process_batch`` flow: micro-batches of documents through parse → extract → validate → route."""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import TypeVar, cast

from prefect import flow, get_run_logger, task
from prefect.artifacts import create_table_artifact
from prefect.cache_policies import NO_CACHE
from prefect.context import FlowRunContext
from prefect.utilities.annotations import quote
from pydantic import BaseModel

from docnorm import progress
from docnorm.parsers import check_parser_environment
from docnorm.parsers.discover import discover
from docnorm.schemas.documents import DocumentResult, Outcome, ParsedDocument, Usage
from docnorm.settings import Settings, load_settings
from docnorm.sinks import Manifest, manifest_entries, write_manifest
from docnorm.stages import (
    CuratedDocument,
    ExtractedDocument,
    Planned,
    RunContext,
    extract_documents,
    make_extractor,
    parse_planned,
    plan_inputs,
    route_documents,
    validate_documents,
)

# Stage tasks take in-memory documents and sinks: never hash them for a cache key, never persist them.

T = TypeVar("T")


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
    """Time inside each stage's task bodies, summed over micro-batches (Prefect's own work per task is not in it)."""
    results: list[DocumentResult]


@task(name="parse", cache_policy=NO_CACHE, persist_result=False)
def parse_task(todo: Sequence[Planned], context: RunContext) -> tuple[list[ParsedDocument], list[DocumentResult]]:
    """Intake and parse a micro-batch."""
    with context.timed("parse"):
        return parse_planned(todo, context.settings, context.pool)


@task(name="extract", cache_policy=NO_CACHE, persist_result=False)
def extract_task(
    documents: Sequence[ParsedDocument], context: RunContext
) -> tuple[list[ExtractedDocument], list[DocumentResult]]:
    """Classify and extract a micro-batch."""
    with context.timed("extract"):
        return extract_documents(documents, context.settings, context.extractor, context.registry, context.pool)


@task(name="validate", cache_policy=NO_CACHE, persist_result=False)
def validate_task(
    documents: Sequence[ExtractedDocument], context: RunContext
) -> tuple[list[CuratedDocument], list[DocumentResult]]:
    """Check a micro-batch's rows against its tables' pandera models."""
    with context.timed("validate"):
        return validate_documents(documents, context.options, context.registry, context.settings.confidence_thresholds)


@task(name="route", cache_policy=NO_CACHE, persist_result=False)
def route_task(
    context: RunContext, part: str, curated: Sequence[CuratedDocument], stopped: Sequence[DocumentResult]
) -> list[DocumentResult]:
    """Write curated rows and review items of a micro-batch."""
    with context.timed("route"):
        return route_documents(context, part, curated, stopped)


# The summary holds review records (PHI): never persisted as a Prefect result.
@flow(name="process_batch", validate_parameters=True, persist_result=False)
def process_batch(
    inputs: list[str], out_dir: str | None = None, extractor: str | None = None, batch_size: int | None = None
) -> RunSummary:
    """Process files, folders or globs into curated Parquet tables and the review queue.

    Args:
        inputs: Files, folders (searched recursively) or glob patterns.
        out_dir: Output folder for curated/, review.db and runs/; default from DOCNORM_OUT_DIR (out).
        extractor: Extractor kind; default from DOCNORM_EXTRACTOR (rules).
        batch_size: Documents per micro-batch; default from DOCNORM_BATCH_SIZE.
    """
    settings = load_settings(out_dir=out_dir, extractor=extractor, batch_size=batch_size)
    return run_pipeline(inputs, settings)


def run_pipeline(inputs: Sequence[str], settings: Settings) -> RunSummary:
    """The body of ``process_batch``: must run inside a flow (tasks need a flow run)."""
    logger = get_run_logger()
    check_parser_environment()
    found = discover(inputs)
    paths = found.files
    flow_run = FlowRunContext.get()
    run_id = str(flow_run.flow_run.id) if flow_run and flow_run.flow_run else uuid.uuid4().hex
    started = datetime.now(UTC)
    context = RunContext(settings, make_extractor(settings), run_id, started)
    results: list[DocumentResult] = []
    try:
        # Identify every file once, up front: a re-run of an unchanged corpus starts no task at all.
        todo, not_processed = plan_inputs(paths, context.done_before)
        not_processed = [*found.stopped, *not_processed]
        logger.info(
            "run %s: %d document(s) to process in micro-batches of %d; %d entr(ies) skipped or refused",
            run_id,
            len(todo),
            micro_batch_size(context),
            len(not_processed),
        )
        progress.report(0, len(todo))
        results = not_processed
        if any(r.outcome is Outcome.REVIEW for r in not_processed):
            results = route_task.with_options(name="route-not-processed")(
                opaque(context), f"{run_id[:8]}-entries", [], opaque(not_processed)
            )
        results += _batches(context, todo)
    finally:
        context.close()
    summary = _summary(context, results, {stage: round(seconds, 3) for stage, seconds in context.stage_seconds.items()})
    _publish(summary)
    logger.info("run %s finished: %s", run_id, summary.counts)
    return summary


def micro_batch_size(context: RunContext) -> int:
    """Documents per micro-batch: DOCNORM_BATCH_SIZE, but an LLM extractor gets at least four waves of
    DOCNORM_LLM_CONCURRENCY calls per batch, so calls stay in flight while a batch is written."""
    settings = context.settings
    if context.extractor.cpu_bound:
        return settings.batch_size
    return max(settings.batch_size, 4 * settings.llm_concurrency)


def _batches(context: RunContext, todo: Sequence[Planned]) -> list[DocumentResult]:
    results: list[DocumentResult] = []
    run_id = context.run_id

    size = micro_batch_size(context)
    shared = opaque(context)
    for number, start in enumerate(range(0, len(todo), size)):
        chunk = todo[start : start + size]
        part = f"{run_id[:8]}-{number:05d}"
        name = f"batch-{number}-{len(chunk)}-docs"
        parsed, stopped = parse_task.with_options(name=f"parse-{name}")(opaque(list(chunk)), shared)
        extracted, unclassified = extract_task.with_options(name=f"extract-{name}")(opaque(parsed), shared)
        curated, failed = validate_task.with_options(name=f"validate-{name}")(opaque(extracted), shared)
        routed = route_task.with_options(name=f"route-{name}")(
            shared, part, opaque(curated), opaque([*stopped, *unclassified, *failed])
        )
        results.extend(routed)
        progress.report(len(results), len(todo))
    return results


def opaque(value: T) -> T:
    """``value`` wrapped in Prefect's ``quote``, typed as itself: Prefect otherwise walks every element of
    every document in a task's parameters looking for futures (a quarter of the flow's time in the benchmark);
    the task receives ``value`` unwrapped."""
    return cast(T, quote(value))


def _summary(context: RunContext, results: list[DocumentResult], stage_seconds: dict[str, float]) -> RunSummary:
    settings = context.settings
    manifest_path = settings.out_dir / "runs" / f"{context.run_id}.json"
    write_manifest(
        manifest_path,
        Manifest(
            run_id=context.run_id,
            started_at=context.started_at,
            finished_at=datetime.now(UTC),
            fingerprint=context.fingerprint,
            extractor=context.extractor.name,
            model=context.extractor.model,
            prompt_version=context.extractor.prompt_version,
            usage=_usage(results),
            stage_seconds=stage_seconds,
            out_dir=str(settings.out_dir),
            inputs=manifest_entries(results),
        ),
    )
    by_type: dict[str, Counter[str]] = {}
    for result in results:
        by_type.setdefault(result.doc_type or "unknown", Counter())[result.outcome.value] += 1
    return RunSummary(
        run_id=context.run_id,
        out_dir=str(settings.out_dir),
        manifest=str(manifest_path),
        review_url=settings.review_database_url,
        counts=dict(Counter(r.outcome.value for r in results)),
        by_type={doc_type: dict(counts) for doc_type, counts in sorted(by_type.items())},
        usage=_usage(results),
        stage_seconds=stage_seconds,
        results=results,
    )


def _usage(results: list[DocumentResult]) -> Usage:
    return sum((r.usage for r in results if r.usage is not None), Usage())


def _publish(summary: RunSummary) -> None:
    """A table artifact in the Prefect UI: documents, tokens and cost by type and outcome (no content)."""
    rows = []
    for doc_type, counts in summary.by_type.items():
        usage = _usage([r for r in summary.results if (r.doc_type or "unknown") == doc_type])
        rows.append(
            {
                "doc_type": doc_type,
                **{o: counts.get(o, 0) for o in ("curated", "review", "skipped")},
                "llm_calls": usage.calls,
                "tokens": usage.prompt_tokens + usage.completion_tokens,
                "cost_usd": usage.cost_usd,
            }
        )
    total = summary.usage
    create_table_artifact(
        key="docnorm-run-summary",
        table=rows,
        description=(
            f"docnorm run {summary.run_id}: documents by type and outcome; "
            f"{total.calls} LLM call(s), {total.prompt_tokens + total.completion_tokens} tokens, cost {total.cost_usd}"
        ),
    )
