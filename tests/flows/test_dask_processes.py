"""A Dask cluster started by hand (`dask scheduler`, `dask worker`) from another folder, as a user would.

Relative inputs mean what they meant where `docnorm run` was typed; the workers report their task
runs to the run's Prefect server; a worker that cannot see the inputs stops the run before dispatch.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from docnorm.testing.prefect_server import free_port, prefect_server
from tests.conftest import EXAMPLES

pytestmark = pytest.mark.slow
BIN = Path(sys.executable).parent


@contextmanager
def cluster(folder: Path, *, hide: Path | None = None) -> Iterator[str]:
    """A scheduler and one worker process (two with ``hide=None``) started in ``folder``; with ``hide``,
    the worker runs in its own mount namespace where that folder is empty."""
    folder.mkdir(parents=True, exist_ok=True)
    port = free_port()
    address = f"tcp://127.0.0.1:{port}"
    env = {k: v for k, v in os.environ.items() if k != "PREFECT_API_URL"}
    common = {"cwd": folder, "env": env, "stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL}
    scheduler = subprocess.Popen([str(BIN / "dask"), "scheduler", "--host", "127.0.0.1", "--port", str(port),
                                  "--no-dashboard"], **common)  # type: ignore[call-overload]  # fmt: skip
    worker_args = [str(BIN / "dask"), "worker", address, "--nthreads", "1", "--no-dashboard",
                   "--local-directory", str(folder / "dask")]  # fmt: skip
    if hide is None:
        worker_args[3:3] = ["--nworkers", "2"]
        worker = subprocess.Popen(worker_args, **common)  # type: ignore[call-overload]
    else:
        script = f"mount -t tmpfs none {hide} && exec {' '.join(worker_args)}"
        worker = subprocess.Popen(["unshare", "--mount", "--propagation", "private", "sh", "-c", script], **common)  # type: ignore[call-overload]
    try:
        _wait_for_workers(address, 1 if hide else 2)
        yield address
    finally:
        for process in (worker, scheduler):
            process.terminate()
            try:
                process.wait(20)
            except subprocess.TimeoutExpired:
                process.kill()


def _wait_for_workers(address: str, count: int) -> None:
    from distributed import Client

    with Client(address, timeout=60, set_as_default=False) as client:
        client.wait_for_workers(count, timeout=90)


def docnorm_run(cwd: Path, *args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(BIN / "docnorm"), "run", *args], cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=600)  # fmt: skip


def task_runs_named(api_url: str, prefix: str) -> list[str]:
    """Task run names on the server at ``api_url``, over plain HTTP (this test process may have another
    Prefect API in its settings)."""
    body = json.dumps({"sort": "EXPECTED_START_TIME_ASC", "limit": 200}).encode()
    request = urllib.request.Request(f"{api_url}/task_runs/filter", data=body,
                                     headers={"Content-Type": "application/json"})  # fmt: skip
    with urllib.request.urlopen(request, timeout=10) as answer:
        return [run["name"] for run in json.load(answer) if run["name"].startswith(prefix)]


def eventually_task_runs(api_url: str, prefix: str, at_least: int, seconds: float = 60) -> list[str]:
    """The task runs named ``prefix*`` once there are ``at_least`` (the server records them from the
    workers' events, a little after the run ends), or those there are after ``seconds``."""
    deadline = time.monotonic() + seconds
    while len(found := task_runs_named(api_url, prefix)) < at_least and time.monotonic() < deadline:
        time.sleep(2)
    return found


def test_relative_inputs_reach_workers_started_elsewhere_and_their_task_runs_reach_the_runs_server(
    tmp_path: Path,
) -> None:
    here = tmp_path / "user"
    shutil.copytree(EXAMPLES, here / "inbox")
    with prefect_server(tmp_path / "prefect") as api, cluster(tmp_path / "elsewhere") as address:
        env = {**os.environ, "PREFECT_API_URL": api, "DOCNORM_BATCH_SIZE": "4"}
        done = docnorm_run(here, "inbox", "--out", "out", "--dask-address", address, "-q", env=env)
        prepared = eventually_task_runs(api, "prepare", at_least=5)

    assert done.returncode == 0, done.stderr[-2000:]
    manifest = json.loads(next((here / "out" / "runs").glob("*.json")).read_text())
    outcomes = [item["outcome"] for item in manifest["inputs"]]
    assert (outcomes.count("curated"), outcomes.count("review")) == (13, 4)
    inbox_uri = (here / "inbox").as_uri()
    assert all(item["source_uri"].startswith(inbox_uri) for item in manifest["inputs"])
    assert len(prepared) >= 5, "the workers' task runs are on the run's Prefect server"


@pytest.mark.skipif(os.geteuid() != 0 or shutil.which("unshare") is None, reason="needs root and unshare(1)")
def test_a_worker_that_cannot_see_the_inputs_stops_the_run_before_dispatch_with_one_line(tmp_path: Path) -> None:
    inbox = Path(shutil.copytree(EXAMPLES, tmp_path / "inbox"))
    with cluster(tmp_path / "elsewhere", hide=inbox) as address:
        started = time.monotonic()
        done = docnorm_run(tmp_path, str(inbox), "--out", str(tmp_path / "out"), "--dask-address", address, "-q",
                           env=dict(os.environ))  # fmt: skip

    assert done.returncode == 2
    [line] = done.stderr.strip().splitlines()
    assert line.startswith("error: Dask worker tcp://127.0.0.1:") and f"cannot see {inbox}/" in line
    assert not (tmp_path / "out" / "runs").exists(), "nothing was dispatched"
    assert time.monotonic() - started < 120
