"""The ``process_batch`` flow: micro-batches of documents through parse → extract → validate → route."""

from __future__ import annotations

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

from docnorm import progress
from docnorm.doctypes.discover import registry_for
from docnorm.doctypes.registry import DocTypeRegistry
from docnorm.flows import control_room, events
from docnorm.flows.clock import RunClock
from docnorm.flows.control_room import ProgressBoard, SlowestDocuments, usage_of
from docnorm.flows.runners import build_task_runner, given_settings, giving_settings, prefect_api_url, prepare_cluster
from docnorm.parsers import check_parser_environment
from docnorm.parsers.discover import discover, source_uri
from docnorm.parsers.remote import FETCHED
from docnorm.review_queue import ReviewQueue
from docnorm.schemas.documents import DocumentResult, Outcome, Reason, Stage
from docnorm.schemas.run import Manifest, RunSummary, manifest_entries
from docnorm.settings import Settings, load_settings
from docnorm.sinks import write_manifest
from docnorm.stages.documents import CuratedDocument, ExtractedDocument, Planned, Prepared
from docnorm.stages.parse import plan_inputs
from docnorm.stages.prepare import InProcess, prepare_documents
from docnorm.stages.route import route_documents
from docnorm.stages.run import Run, open_run
from docnorm.stages.validate import validate_documents

# Stage tasks take in-memory documents and sinks: never hash them for a cache key, never persist them.

T = TypeVar("T")


@task(name="prepare", cache_policy=NO_CACHE, persist_result=False)
def prepare_task(
    todo: Sequence[Planned], settings: Settings, registry: DocTypeRegistry, here: InProcess | None
) -> Prepared:
    """Parse, classify and extract a micro-batch, on whichever task runner the flow has."""
    return prepare_documents(todo, settings, registry, here)


@task(name="validate", cache_policy=NO_CACHE, persist_result=False)
def validate_task(
    documents: Sequence[ExtractedDocument], run: Run, clock: RunClock
) -> tuple[list[CuratedDocument], list[DocumentResult]]:
    """Check a micro-batch's rows against its tables' pandera models."""
    with clock.timed("validate"):
        return validate_documents(documents, run.options, run.registry, run.settings.confidence_thresholds)


@task(name="route", cache_policy=NO_CACHE, persist_result=False)
def route_task(
    run: Run, clock: RunClock, part: str, curated: Sequence[CuratedDocument], stopped: Sequence[DocumentResult]
) -> list[DocumentResult]:
    """Write curated rows and review items of a micro-batch."""
    with clock.timed("route"):
        return route_documents(run, part, curated, stopped)


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


def run_pipeline(inputs: Sequence[str], settings: Settings, registry: DocTypeRegistry | None = None) -> RunSummary:
    """The body of ``process_batch``: must run inside a flow (tasks need a flow run). The doc types are
    ``registry``'s, by default the built-in ones, installed plugins and DOCNORM_DOCTYPES."""
    logger = get_run_logger()
    registry = registry if registry is not None else registry_for(settings)
    check_parser_environment()
    found = discover(inputs, fetch_into=settings.out_dir / FETCHED)
    unreachable = prepare_cluster(found.files, settings, prefect_api_url())
    if unreachable:
        logger.warning("task runs on the Dask workers will not show in this run's UI: %s", unreachable)
    context_of_flow = FlowRunContext.get()
    run_id = str(context_of_flow.flow_run.id) if context_of_flow and context_of_flow.flow_run else uuid.uuid4().hex
    clock = RunClock()
    slowest = SlowestDocuments()
    with open_run(settings, registry, run_id) as run:
        # Identify every file once, up front: a re-run of an unchanged corpus starts no task at all.
        todo, not_processed = plan_inputs(found.files, run.done_before)
        not_processed = [*found.stopped, *not_processed]
        logger.info(
            "run %s: %d document(s) to process in micro-batches of %d on the %s task runner; %d entr(ies) skipped "
            "or refused",
            run_id,
            len(todo),
            micro_batch_size(run),
            settings.task_runner,
            len(not_processed),
        )
        board = ProgressBoard(run_id, len(todo))
        progress.report(0, len(todo))
        results = not_processed
        if any(r.outcome is Outcome.REVIEW for r in not_processed):
            results = route_task.with_options(task_run_name="route-not-processed")(
                opaque(run), opaque(clock), f"{run_id[:8]}-entries", [], opaque(not_processed)
            )
        results += _batches(run, clock, todo, board, slowest)
        summary = _summary(run, clock, results)
        backlog = ReviewQueue(run.engine, run.options, run.registry).backlog()
    control_room.publish(summary, backlog, slowest.slowest(), settings.workbench_url)
    if context_of_flow and context_of_flow.flow_run:
        control_room.tag_run(context_of_flow.flow_run.id, context_of_flow.flow_run.tags, summary.by_type)
    logger.info("run %s finished: %s", run_id, summary.counts)
    return summary


def micro_batch_size(run: Run) -> int:
    """Documents per micro-batch: DOCNORM_BATCH_SIZE, but an LLM extractor gets at least four waves of
    DOCNORM_LLM_CONCURRENCY calls per batch, so calls stay in flight while a batch is written."""
    settings = run.settings
    if run.extractor.cpu_bound:
        return settings.batch_size
    return max(settings.batch_size, 4 * settings.llm_concurrency)


def _batches(
    run: Run, clock: RunClock, todo: Sequence[Planned], board: ProgressBoard, slowest: SlowestDocuments
) -> list[DocumentResult]:
    """Micro-batches are prepared on the task runner, up to DOCNORM_BATCHES_IN_FLIGHT at once, and
    validated and written here, in order: the review queue and the curated tables have one writer."""
    settings = run.settings
    results: list[DocumentResult] = []
    size = micro_batch_size(run)
    # On the threads runner a micro-batch is prepared in this process, with the run's worker pool and
    # extractor; elsewhere (process pool, Dask) it builds its own from the settings.
    here = opaque(run.in_process()) if settings.task_runner == "threads" else None
    in_flight: deque[tuple[int, Sequence[Planned], PrefectFuture[Prepared]]] = deque()

    def finish() -> None:
        number, chunk, future = in_flight.popleft()
        with clock.waiting():
            prepared = _prepared_or_lost(future, chunk, settings.task_runner)
        clock.add_seconds(prepared.stage_seconds)
        slowest.add(prepared.doc_seconds)
        name = f"batch-{number}-{len(chunk)}-docs"
        with clock.orchestrating(bodies=("validate", "route")):
            curated, failed = validate_task.with_options(task_run_name=f"validate-{name}")(
                opaque(prepared.extracted), opaque(run), opaque(clock)
            )
            routed = route_task.with_options(task_run_name=f"route-{name}")(
                opaque(run),
                opaque(clock),
                f"{run.run_id[:8]}-{number:05d}",
                opaque(curated),
                opaque([*prepared.stopped, *failed]),
            )
            board.advance(len(chunk))
        results.extend(routed)
        progress.report(len(results), len(todo))
        # Counts only: never a file name or a value.
        outcomes = Counter(r.outcome.value for r in routed)
        get_run_logger().info(
            "%s: %s", name, ", ".join(f"{outcomes.get(o, 0)} {o}" for o in ("curated", "review", "skipped"))
        )
        events.queued(routed, run.run_id)

    for number, start in enumerate(range(0, len(todo), size)):
        chunk = list(todo[start : start + size])
        prepare = prepare_task.with_options(task_run_name=f"prepare-batch-{number}-{len(chunk)}-docs")
        # Not quoted: a chunk is only paths and ids, and prefect-dask would pass the quote on unopened.
        with clock.orchestrating():
            in_flight.append((number, chunk, prepare.submit(chunk, settings, run.registry, here)))
        if len(in_flight) >= settings.batches_in_flight:
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


def _summary(run: Run, clock: RunClock, results: list[DocumentResult]) -> RunSummary:
    settings = run.settings
    stage_seconds = {stage: round(seconds, 3) for stage, seconds in clock.stage_seconds.items()}
    manifest_path = settings.out_dir / "runs" / f"{run.run_id}.json"
    usage = usage_of(results)
    write_manifest(
        manifest_path,
        Manifest(
            run_id=run.run_id,
            started_at=run.started_at,
            finished_at=datetime.now(UTC),
            fingerprint=run.fingerprint,
            extractor=run.extractor.name,
            model=run.extractor.model,
            prompt_version=run.extractor.prompt_version,
            usage=usage,
            stage_seconds=stage_seconds,
            waited_seconds=round(clock.waited_seconds, 3),
            orchestration_seconds=round(clock.orchestration_seconds, 3),
            out_dir=str(settings.out_dir),
            inputs=manifest_entries(results),
        ),
    )
    by_type: dict[str, Counter[str]] = {}
    for result in results:
        by_type.setdefault(result.doc_type or "unknown", Counter())[result.outcome.value] += 1
    return RunSummary(
        run_id=run.run_id,
        out_dir=str(settings.out_dir),
        manifest=str(manifest_path),
        review_url=settings.review_database_url,
        counts=dict(Counter(r.outcome.value for r in results)),
        by_type={doc_type: dict(counts) for doc_type, counts in sorted(by_type.items())},
        usage=usage,
        stage_seconds=stage_seconds,
        results=results,
    )
