"""The ``process_batch`` flow: micro-batches of documents through parse → extract → validate → route."""

from __future__ import annotations

import time
import uuid
from collections import Counter, deque
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import TypeVar, cast

from prefect import flow, get_run_logger, task
from prefect.cache_policies import NO_CACHE
from prefect.context import FlowRunContext
from prefect.futures import PrefectFuture
from prefect.runtime import flow_run
from prefect.utilities.annotations import quote
from pydantic import BaseModel

from docnorm import progress
from docnorm.flows import control_room
from docnorm.flows.control_room import ProgressBoard, SlowestDocuments, usage_of
from docnorm.flows.runners import build_task_runner, given_settings, giving_settings
from docnorm.parsers import check_parser_environment
from docnorm.parsers.discover import discover, source_uri
from docnorm.parsers.remote import FETCHED
from docnorm.review_queue import ReviewQueue
from docnorm.schemas.documents import DocumentResult, Outcome, Reason, Stage, Usage
from docnorm.settings import Settings, load_settings
from docnorm.sinks import Manifest, manifest_entries, write_manifest
from docnorm.stages import (
    CuratedDocument,
    ExtractedDocument,
    Planned,
    Prepared,
    RunContext,
    make_extractor,
    plan_inputs,
    prepare_documents,
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
    """Time inside each stage, summed over micro-batches (parse and extract overlap validate and route)."""
    results: list[DocumentResult]


@task(name="prepare", cache_policy=NO_CACHE, persist_result=False)
def prepare_task(todo: Sequence[Planned], settings: Settings, run_id: str) -> Prepared:
    """Parse, classify and extract a micro-batch, on whichever task runner the flow has."""
    return prepare_documents(todo, settings, run_id)


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


def run_name() -> str:
    """Flow run names say what the run works on: ``docnorm-<when>-<n>-inputs``."""
    inputs = flow_run.parameters.get("inputs") or []
    return f"docnorm-{datetime.now(UTC):%Y%m%d-%H%M%S}-{len(inputs)}-inputs"


# The summary holds review records (PHI): never persisted as a Prefect result.
@flow(name="process_batch", flow_run_name=run_name, validate_parameters=True, persist_result=False)
def process_batch(
    inputs: list[str],
    out_dir: str | None = None,
    extractor: str | None = None,
    batch_size: int | None = None,
    task_runner: str | None = None,
) -> RunSummary:
    """Process files, folders or globs into curated Parquet tables and the review queue.

    Args:
        inputs: Files, folders (searched recursively) or glob patterns.
        out_dir: Output folder for curated/, review.db and runs/; default from DOCNORM_OUT_DIR (out).
        extractor: Extractor kind; default from DOCNORM_EXTRACTOR (rules).
        batch_size: Documents per micro-batch; default from DOCNORM_BATCH_SIZE.
        task_runner: The task runner the flow was given (threads, processes, dask), for logs and for
            where parsing runs; default from DOCNORM_TASK_RUNNER. Choose it with ``run_flow``.
    """
    settings = given_settings() or load_settings(
        out_dir=out_dir, extractor=extractor, batch_size=batch_size, task_runner=task_runner
    )
    return run_pipeline(inputs, settings)


def run_flow(inputs: Sequence[str], settings: Settings) -> RunSummary:
    """``process_batch`` on the task runner ``settings`` name (the flow's own default is threads)."""
    flow_with_runner = process_batch.with_options(task_runner=build_task_runner(settings))
    # The flow's parameters show what the UI needs; the rest of ``settings`` (limits, URLs) reaches
    # the flow body this way rather than through the environment.
    with giving_settings(settings):
        return flow_with_runner(
            list(inputs),
            out_dir=str(settings.out_dir),
            extractor=settings.extractor,
            batch_size=settings.batch_size,
            task_runner=settings.task_runner,
        )


def run_pipeline(inputs: Sequence[str], settings: Settings) -> RunSummary:
    """The body of ``process_batch``: must run inside a flow (tasks need a flow run)."""
    logger = get_run_logger()
    check_parser_environment()
    found = discover(inputs, fetch_into=settings.out_dir / FETCHED)
    paths = found.files
    context_of_flow = FlowRunContext.get()
    run_id = str(context_of_flow.flow_run.id) if context_of_flow and context_of_flow.flow_run else uuid.uuid4().hex
    started = datetime.now(UTC)
    context = RunContext(settings, make_extractor(settings), run_id, started)
    results: list[DocumentResult] = []
    slowest = SlowestDocuments()
    try:
        # Identify every file once, up front: a re-run of an unchanged corpus starts no task at all.
        todo, not_processed = plan_inputs(paths, context.done_before)
        not_processed = [*found.stopped, *not_processed]
        logger.info(
            "run %s: %d document(s) to process in micro-batches of %d on the %s task runner; %d entr(ies) skipped "
            "or refused",
            run_id,
            len(todo),
            micro_batch_size(context),
            settings.task_runner,
            len(not_processed),
        )
        board = ProgressBoard(run_id, len(todo))
        progress.report(0, len(todo))
        results = not_processed
        if any(r.outcome is Outcome.REVIEW for r in not_processed):
            results = route_task.with_options(task_run_name="route-not-processed")(
                opaque(context), f"{run_id[:8]}-entries", [], opaque(not_processed)
            )
        results += _batches(context, todo, board, slowest)
    finally:
        context.close()
    summary = _summary(context, results, {stage: round(seconds, 3) for stage, seconds in context.stage_seconds.items()})
    backlog = ReviewQueue(context.engine, context.options).backlog()  # the run's engine: already migrated
    control_room.publish(summary, backlog, slowest.slowest())
    if context_of_flow and context_of_flow.flow_run:
        control_room.tag_run(context_of_flow.flow_run.id, context_of_flow.flow_run.tags, summary.by_type)
    logger.info("run %s finished: %s", run_id, summary.counts)
    return summary


def micro_batch_size(context: RunContext) -> int:
    """Documents per micro-batch: DOCNORM_BATCH_SIZE, but an LLM extractor gets at least four waves of
    DOCNORM_LLM_CONCURRENCY calls per batch, so calls stay in flight while a batch is written."""
    settings = context.settings
    if context.extractor.cpu_bound:
        return settings.batch_size
    return max(settings.batch_size, 4 * settings.llm_concurrency)


def _batches(
    context: RunContext, todo: Sequence[Planned], board: ProgressBoard, slowest: SlowestDocuments
) -> list[DocumentResult]:
    """Micro-batches are prepared on the task runner, up to DOCNORM_BATCHES_IN_FLIGHT at once, and
    validated and written here, in order: the review queue and the curated tables have one writer."""
    results: list[DocumentResult] = []
    size = micro_batch_size(context)
    shared = opaque(context)
    in_flight: deque[tuple[int, Sequence[Planned], PrefectFuture[Prepared]]] = deque()

    def finish() -> None:
        number, chunk, future = in_flight.popleft()
        waiting = time.perf_counter()
        prepared = _prepared_or_lost(future, chunk, context.settings.task_runner)
        context.waited_seconds += time.perf_counter() - waiting
        context.add_seconds(prepared.stage_seconds)
        slowest.add(prepared.doc_seconds)
        name = f"batch-{number}-{len(chunk)}-docs"
        with context.orchestrating(bodies=("validate", "route")):
            curated, failed = validate_task.with_options(task_run_name=f"validate-{name}")(
                opaque(prepared.extracted), shared
            )
            routed = route_task.with_options(task_run_name=f"route-{name}")(
                shared, f"{context.run_id[:8]}-{number:05d}", opaque(curated), opaque([*prepared.stopped, *failed])
            )
            board.advance(len(chunk))
        results.extend(routed)
        progress.report(len(results), len(todo))

    for number, start in enumerate(range(0, len(todo), size)):
        chunk = list(todo[start : start + size])
        prepare = prepare_task.with_options(task_run_name=f"prepare-batch-{number}-{len(chunk)}-docs")
        # Not quoted: a chunk is only paths and ids, and prefect-dask would pass the quote on unopened.
        with context.orchestrating():
            in_flight.append((number, chunk, prepare.submit(chunk, context.settings, context.run_id)))
        if len(in_flight) >= context.settings.batches_in_flight:
            finish()
    while in_flight:
        finish()
    return results


def _prepared_or_lost(future: PrefectFuture[Prepared], chunk: Sequence[Planned], runner: str) -> Prepared:
    """The micro-batch's result; if the task runner lost it (a Dask worker died, a process pool broke),
    its documents go to review rather than stopping the run."""
    try:
        return future.result()
    except Exception as exc:
        reason = Reason(
            code="task_failed", message=f"the {runner} task runner lost this micro-batch ({type(exc).__name__})"
        )
        stopped = [
            DocumentResult(source_uri=source_uri(path), doc_id=doc_id, outcome=Outcome.REVIEW, stage=Stage.PARSE,
                           reasons=[reason])
            for path, doc_id in chunk
        ]  # fmt: skip
        return Prepared([], stopped, {}, {})


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
            usage=usage_of(results),
            stage_seconds=stage_seconds,
            waited_seconds=round(context.waited_seconds, 3),
            orchestration_seconds=round(context.orchestration_seconds, 3),
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
        usage=usage_of(results),
        stage_seconds=stage_seconds,
        results=results,
    )
