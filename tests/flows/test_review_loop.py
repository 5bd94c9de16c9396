"""The review loop closes in Prefect: an event per document sent to review (reason codes as labels),
per-batch counts in the flow run's logs (no file names or values), and a report that links to the
workbench filtered to the run."""

from __future__ import annotations

import shutil
import time
from pathlib import Path
from typing import Any

import pytest
from prefect.client.orchestration import get_client

from docnorm.flows import process_batch
from tests.conftest import EXAMPLES

pytestmark = pytest.mark.slow


def _post(path: str, body: dict[str, Any]) -> Any:
    with get_client(sync_client=True) as client:
        response = client._client.post(path, json=body)
        response.raise_for_status()
        return response.json()


def test_a_run_emits_review_events_logs_counts_and_links_the_workbench(prefect_api: None, tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    for name in ("team-lunch-memo.txt", "referral-unknown-code.eml", "consulting-agreement.txt"):
        shutil.copy(EXAMPLES / name, inbox / name)
    summary = process_batch([str(inbox)], out_dir=str(tmp_path / "out"))
    review = {r.doc_id: r for r in summary.results if r.outcome.value == "review"}
    assert len(review) == 2

    events: list[dict[str, Any]] = []
    for _ in range(40):  # the server persists events a moment after they arrive
        found = _post("/events/filter", {"filter": {"event": {"name": ["docnorm.review.queued"]},
                                                    "any_resource": {"id_prefix": ["docnorm.document."]}},
                                         "limit": 50})["events"]  # fmt: skip
        events = [e for e in found if e["resource"]["docnorm.run-id"] == summary.run_id]
        if len(events) == 2:
            break
        time.sleep(0.25)
    labels = {e["resource"]["prefect.resource.id"].rsplit(".", 1)[1]: e["resource"] for e in events}
    assert labels.keys() == review.keys()
    for doc_id, result in review.items():
        assert labels[doc_id]["docnorm.reasons"] == ",".join(sorted({r.code for r in result.reasons}))
        assert labels[doc_id]["docnorm.stage"] == result.stage.value

    logs: list[dict[str, Any]] = []
    for _ in range(40):  # the run's logs are shipped to the API in the background
        logs = _post("/logs/filter", {"logs": {"flow_run_id": {"any_": [summary.run_id]}}, "limit": 200})
        if any(log["message"].startswith("batch-") for log in logs):
            break
        time.sleep(0.25)
    counts = [log["message"] for log in logs if log["message"].startswith("batch-")]
    assert counts and all(m.endswith(("skipped",)) and "curated" in m and "review" in m for m in counts)
    assert not any(name in log["message"] for log in logs for name in ("memo", "referral", "consulting"))

    artifacts = _post("/artifacts/filter", {"artifacts": {"key": {"any_": ["docnorm-run-report"]}},
                                            "sort": "CREATED_DESC", "limit": 20})  # fmt: skip
    report = next(a for a in artifacts if a["flow_run_id"] == summary.run_id)
    assert f"http://127.0.0.1:8765/?run={summary.run_id}" in report["data"]
