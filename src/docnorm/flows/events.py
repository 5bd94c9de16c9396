"""Prefect events for the review loop, so a Prefect Automation can tell people when the backlog grows.

``docnorm.review.queued`` for each document a run sends to review (its reason codes as a label), and
``docnorm.review.resolved`` for each item a reviewer approves, corrects or rejects. Events carry ids,
doc types, stages and codes only: never document text or values. Outside a flow run they are sent
only when a Prefect API is configured (PREFECT_API_URL); the workbench never starts one of its own.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Sequence

from docnorm.schemas.documents import DocumentResult, Outcome

log = logging.getLogger("docnorm")

QUEUED = "docnorm.review.queued"
RESOLVED = "docnorm.review.resolved"


def queued(results: Sequence[DocumentResult], run_id: str) -> int:
    """Emit one event per result that went to review; returns how many were emitted."""
    from prefect.events import emit_event

    sent = 0
    for result in results:
        if result.outcome is not Outcome.REVIEW or result.doc_id is None:
            continue
        emit_event(
            event=QUEUED,
            resource={
                "prefect.resource.id": f"docnorm.document.{result.doc_id}",
                "docnorm.doc-type": result.doc_type or "unknown",
                "docnorm.stage": result.stage.value if result.stage else "",
                "docnorm.reasons": ",".join(sorted({r.code for r in result.reasons})),
                "docnorm.run-id": run_id,
            },
        )
        sent += 1
    return sent


def resolved(item_id: int, doc_type: str | None, action: str, reviewer: str) -> bool:
    """Emit a resolution when a Prefect API is configured; True when it was sent."""
    if not os.environ.get("PREFECT_API_URL"):
        return False
    from prefect.events import emit_event

    try:
        emit_event(
            event=RESOLVED,
            resource={
                "prefect.resource.id": f"docnorm.review-item.{item_id}",
                "docnorm.doc-type": doc_type or "unknown",
                "docnorm.action": action,
                "docnorm.reviewer": reviewer,
            },
        )
    except Exception as exc:  # the workbench works on when Prefect is down
        log.warning("could not send the review event (%s)", type(exc).__name__)
        return False
    return True
