"""Against a real ``prefect server`` on loopback, as in production: the run's state, task names, tags
and artifacts are what the Prefect UI shows, read back through the Prefect client."""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from prefect.client.orchestration import get_client
from prefect.client.schemas.filters import (
    FlowRunFilter,
    FlowRunFilterId,
)
from prefect.client.schemas.objects import Artifact
from prefect.client.schemas.sorting import DeploymentSort, FlowRunSort, TaskRunSort
from prefect.settings import PREFECT_API_URL, temporary_settings

from docnorm.testing.prefect_server import prefect_server
from tests.conftest import EXAMPLES, ROOT

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with prefect_server(tmp_path_factory.mktemp("prefect-home")) as url:
        yield url


def _docnorm(url: str, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    environment = {**os.environ, "PREFECT_API_URL": url, "DOCNORM_PARSE_WORKERS": "1", **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "docnorm.cli", *args],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=600,
    )


async def _read_run(url: str) -> dict[str, Any]:
    # Prefect 3.8.8's client sends sort and limit as null unless given, which its server refuses (422).
    with temporary_settings({PREFECT_API_URL: url}):
        async with get_client() as client:
            (run,) = await client.read_flow_runs(sort=FlowRunSort.START_TIME_DESC, limit=10)
            tasks = await client.read_task_runs(
                flow_run_filter=FlowRunFilter(id=FlowRunFilterId(any_=[run.id])),
                sort=TaskRunSort.EXPECTED_START_TIME_DESC,
                limit=200,
            )
            # read_artifacts sends null flow_runs/task_runs filters (422), and an empty task-run filter
            # drops flow-level artifacts: ask the same endpoint through the client's session.
            response = await client.request(
                "POST",
                "/artifacts/filter",
                json={"artifacts": {"flow_run_id": {"any_": [str(run.id)]}}, "sort": "CREATED_DESC", "limit": 50},
            )
            artifacts = [Artifact.model_validate(a) for a in response.json()]
            logs: list[dict[str, Any]] = []
            for _ in range(40):  # the run's logs are shipped to the API in the background
                answer = await client.request(
                    "POST", "/logs/filter", json={"logs": {"flow_run_id": {"any_": [str(run.id)]}}, "limit": 200}
                )
                logs = answer.json()
                if any(log["message"].startswith("batch-") for log in logs):
                    break
                await asyncio.sleep(0.25)
            return {"run": run, "tasks": tasks, "artifacts": {a.key: a for a in artifacts}, "logs": logs}


def test_a_run_through_a_prefect_server_shows_its_state_tasks_and_artifacts(server: str, tmp_path: Path) -> None:
    done = _docnorm(server, "run", str(EXAMPLES), "--out", str(tmp_path / "out"), "-q", env={"DOCNORM_BATCH_SIZE": "5"})
    assert done.returncode == 0, done.stderr[-2000:]

    seen = asyncio.run(_read_run(server))

    run = seen["run"]
    assert run.state is not None and run.state.is_completed()
    assert run.name.startswith("docnorm-") and run.name.endswith("-1-inputs")
    names = {task.name for task in seen["tasks"]}
    documents = sum(1 for p in EXAMPLES.rglob("*") if p.is_file() and not p.name.startswith("."))
    batches = -(-documents // 5)
    assert {f"prepare-batch-{n}-5-docs" for n in range(batches - 1)} <= names
    assert any(name.startswith("validate-batch-0-") for name in names)
    assert all(task.state is not None and task.state.is_completed() for task in seen["tasks"])
    assert {"doc_type:contract", "doc_type:financial_statement", "doc_type:medical_record"} <= set(run.tags)
    assert not [task.tags for task in seen["tasks"] if task.tags], "task runs are untagged (a tag costs a lease)"

    artifacts = seen["artifacts"]
    assert {"docnorm-run-summary", "docnorm-run-report", "docnorm-run-progress"} <= artifacts.keys()
    assert artifacts["docnorm-run-progress"].data == 100.0
    report = artifacts["docnorm-run-report"].data
    assert isinstance(report, str)
    assert "## Failures by reason" in report and "## Review backlog" in report and "## Slowest documents" in report
    for path in EXAMPLES.rglob("*"):
        assert path.name not in report, "file names can name a patient: never in an artifact"
    # The run's page shows its logs: per-batch counts, never a file name (the console stays quiet).
    counts = [log["message"] for log in seen["logs"] if log["message"].startswith("batch-")]
    assert len(counts) == batches and all("curated" in m and "review" in m for m in counts)
    assert not [log for log in seen["logs"] for path in EXAMPLES.iterdir() if path.name in log["message"]]
    assert "batch-0-5-docs" not in done.stderr + done.stdout


async def _deployments(url: str) -> dict[str, Any]:
    with temporary_settings({PREFECT_API_URL: url}):
        async with get_client() as client:
            found = {}
            for deployment in await client.read_deployments(sort=DeploymentSort.NAME_ASC, limit=50):
                flow = await client.read_flow(deployment.flow_id)
                found[f"{flow.name}/{deployment.name}"] = deployment
            return found


def test_serve_registers_the_deployments_and_watch_hands_batches_to_them(server: str, tmp_path: Path) -> None:
    source, drop, out = tmp_path / "source", tmp_path / "drop", tmp_path / "out"
    source.mkdir()
    drop.mkdir()
    environment = {**os.environ, "PREFECT_API_URL": server, "DOCNORM_PARSE_WORKERS": "1"}
    serving = subprocess.Popen(
        [sys.executable, "-m", "docnorm.cli", "serve", "--out", str(out), "--source", str(source), "--cron",
         "30 1 * * *", "--inbox", str(drop)],
        cwd=ROOT, env=environment, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 120
        found: dict[str, Any] = {}
        while len(found) < 4 and time.monotonic() < deadline:
            assert serving.poll() is None, serving.stderr.read().decode()[-2000:] if serving.stderr else ""
            time.sleep(1)
            found = asyncio.run(_deployments(server))
        assert set(found) == {"process_batch/on-demand", "process_batch/scheduled", "drop_folder/drop-folder",
                              "review_sync/review-sync"}  # fmt: skip
        scheduled = found["process_batch/scheduled"]
        assert [s.schedule.cron for s in scheduled.schedules] == ["30 1 * * *"]
        assert scheduled.parameters == {"inputs": [str(source)], "out_dir": str(out)}
        assert [s.schedule.interval.total_seconds() for s in found["drop_folder/drop-folder"].schedules] == [60]

        # A watcher that hands each batch to the served on-demand deployment.
        watched = tmp_path / "watched"
        watched.mkdir()
        shutil.copy(EXAMPLES / "consulting-agreement.txt", watched / "agreement.txt")
        done = _docnorm(server, "watch", str(watched), "--out", str(out), "--once", "--stable-seconds", "0.5",
                        "--deployment", "process_batch/on-demand")  # fmt: skip
        assert done.returncode == 0, done.stderr[-2000:]
        receipt = json.loads((watched / "done" / "agreement.txt.receipt.json").read_text())
        assert receipt["outcome"] == "curated"
        assert (out / "runs" / f"{receipt['run_id']}.json").is_file(), "the served deployment did the run"
    finally:
        serving.terminate()
        serving.wait(60)
