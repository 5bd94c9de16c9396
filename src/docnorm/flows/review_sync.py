"""The ``review_sync`` flow: approved and corrected review items into the curated tables, exactly once."""

from __future__ import annotations

import uuid

from prefect import flow, get_run_logger
from prefect.artifacts import create_markdown_artifact, create_table_artifact
from prefect.context import FlowRunContext

from docnorm.doctypes.discover import registry_for
from docnorm.review_queue import ReviewQueue, Synced
from docnorm.settings import load_settings
from docnorm.sinks import open_store
from docnorm.validators.options import ValidationOptions


@flow(name="review_sync", validate_parameters=True)
def review_sync(out_dir: str | None = None) -> Synced:
    """Re-ingest resolved review items and publish the review backlog.

    Args:
        out_dir: Output folder (curated/ and review.db); default from DOCNORM_OUT_DIR (out).
    """
    settings = load_settings(out_dir=out_dir)
    context = FlowRunContext.get()
    run_id = str(context.flow_run.id) if context and context.flow_run else uuid.uuid4().hex
    with open_store(settings, run_id) as store:
        queue = ReviewQueue(store.engine, ValidationOptions(settings.balance_tolerance), registry_for(settings))
        done = queue.sync(store.writer)
        backlog = queue.backlog()
    create_table_artifact(
        key="docnorm-review-backlog",
        table=backlog["by_stage_and_type"] or [{"stage": "-", "doc_type": "-", "pending": 0}],
        description=f"pending review items: {backlog['pending']}; oldest {backlog['oldest_age_hours']} h",
    )
    throughput = backlog["throughput"]
    rates = ", ".join(f"{name} {rate}/h" for name, rate in throughput["per_reviewer_per_hour"].items()) or "none"
    create_markdown_artifact(
        key="docnorm-review-sync",
        markdown=(
            f"Re-ingested {len(done.synced)} review item(s); {backlog['pending']} pending"
            f"{f' ({len(done.failed)} could not be written and are pending again)' if done.failed else ''}.\n\n"
            f"Items resolved per reviewer per hour (last 24 h): {rates}; "
            f"median time to resolve: {throughput['median_hours_to_resolve']} h."
        ),
    )
    logger = get_run_logger()
    logger.info("re-ingested %d review item(s); %d pending", len(done.synced), backlog["pending"])
    if done.failed:
        logger.warning("%d review item(s) could not be written and are pending again: %s", len(done.failed),
                       ", ".join(map(str, done.failed)))  # fmt: skip
    return done
