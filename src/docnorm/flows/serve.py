"""``docnorm serve``: every deployment in one process (Prefect ``serve``)."""

from __future__ import annotations

import logging
from typing import Any

from prefect import serve
from prefect.deployments.runner import RunnerDeployment

from docnorm.schemas.errors import ConfigError
from docnorm.settings import Settings

ON_DEMAND = "process_batch/on-demand"
"""The deployment ``docnorm watch --deployment`` and users' own triggers run."""


def deployments(settings: Settings) -> list[RunnerDeployment]:
    """The deployments to serve: the scheduled batch (when source paths are set), an on-demand batch,
    the drop folder (when an inbox is set, polled every minute) and review sync (every 15 minutes)."""
    from prefect.client.schemas.schedules import CronSchedule

    from docnorm.flows.drop_folder import drop_folder
    from docnorm.flows.process_batch import process_batch
    from docnorm.flows.review_sync import review_sync

    try:
        CronSchedule(cron=settings.schedule_cron)
    except ValueError:
        raise ConfigError(
            f"setting schedule_cron (DOCNORM_SCHEDULE_CRON): not a cron expression: {settings.schedule_cron!r}"
        ) from None
    out_dir = str(settings.out_dir)
    tags = ["docnorm"]
    served: list[Any] = [
        process_batch.to_deployment(name="on-demand", parameters={"inputs": [], "out_dir": out_dir}, tags=tags),
        review_sync.to_deployment(name="review-sync", interval=900, parameters={"out_dir": out_dir}, tags=tags),
    ]
    if settings.source_paths:
        batch: dict[str, Any] = {"inputs": settings.source_paths, "out_dir": out_dir}
        served.append(
            process_batch.to_deployment(name="scheduled", cron=settings.schedule_cron, parameters=batch, tags=tags)
        )
    if settings.inbox is not None:
        if not settings.inbox.is_dir():
            raise ConfigError(f"drop folder {settings.inbox} does not exist or is not a folder")
        served.append(
            drop_folder.to_deployment(
                name="drop-folder",
                interval=60,
                parameters={"inbox": str(settings.inbox), "out_dir": out_dir},
                tags=tags,
            )
        )
    assert all(isinstance(d, RunnerDeployment) for d in served)  # the sync API
    return [d for d in served if isinstance(d, RunnerDeployment)]


EPHEMERAL_WARNING = (
    "PREFECT_API_URL is not set: serving against Prefect's ephemeral API, which does not fire schedules "
    "(the nightly batch, the drop-folder poll, review sync). Runs started by hand or by `docnorm watch "
    "--deployment` work. For schedules, start `prefect server start` and set PREFECT_API_URL (docs/operations.md)."
)


def uses_ephemeral_api() -> bool:
    """Whether Prefect would start a temporary API for this process (no server configured)."""
    from prefect.settings import PREFECT_API_URL

    return not PREFECT_API_URL.value()


def serve_deployments(settings: Settings) -> None:
    """Serve until interrupted."""
    served = deployments(settings)
    if uses_ephemeral_api():
        logging.getLogger("docnorm").warning(EPHEMERAL_WARNING)
    serve(*served)
