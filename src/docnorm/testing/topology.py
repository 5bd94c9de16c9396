"""docnorm's production topology on one machine, every component its own process.

PostgreSQL (the Prefect server's database, and docnorm's review queue and ledger); a Prefect server
on it; an S3-compatible server (moto) the curated tables are mirrored to through s3fs; a Dask
scheduler and workers started with ``dask scheduler`` / ``dask worker``; and ``docnorm serve``
polling a drop folder, running its batches on the Dask cluster. ``scripts/topology.py`` starts it
for a person; ``tests/test_topology.py`` drops documents in and kills pieces while it works.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from docnorm.testing.postgres import cluster
from docnorm.testing.prefect_server import free_port

BUCKET = "docnorm-lake"
_BIN = Path(sys.executable).parent
_S3_KEYS = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_DEFAULT_REGION": "us-east-1"}


@dataclass
class Topology:
    """Handles on the running components, and the environment a docnorm process needs to join them."""

    root: Path
    inbox: Path
    out: Path
    prefect_url: str
    prefect_port: int
    prefect_database: str
    s3_endpoint: str
    dask_address: str
    review_url: str
    processes: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)
    _logs: list[IO[bytes]] = field(default_factory=list)

    @property
    def curated_url(self) -> str:
        """Where the curated tables are mirrored."""
        return f"s3://{BUCKET}/curated"

    def s3_env(self) -> dict[str, str]:
        """What an s3fs client needs to reach the S3 server (fsspec reads FSSPEC_S3_* as defaults)."""
        return {**_S3_KEYS, "FSSPEC_S3_ENDPOINT_URL": self.s3_endpoint, "AWS_ENDPOINT_URL": self.s3_endpoint}

    def env(self) -> dict[str, str]:
        """The environment of ``docnorm serve`` (and of any docnorm command joining the topology)."""
        return {
            **os.environ,
            **self.s3_env(),
            "PREFECT_API_URL": self.prefect_url,
            "DOCNORM_REVIEW_URL": self.review_url,
            "DOCNORM_CURATED_URL": self.curated_url,
            "DOCNORM_TASK_RUNNER": "dask",
            "DOCNORM_DASK_ADDRESS": self.dask_address,
            "DOCNORM_BATCHES_IN_FLIGHT": "2",
            "DOCNORM_BATCH_SIZE": "4",
            "DOCNORM_WATCH_STABLE_SECONDS": "1",
            "DOCNORM_WATCH_BATCH_FILES": "20",
        }

    def start(self, name: str, args: list[str], env: dict[str, str] | None = None, cwd: Path | None = None) -> None:
        """Start one component, its output in ``root/logs/<name>.log``."""
        log = (self.root / "logs" / f"{name}.log").open("ab")
        self._logs.append(log)
        self.processes[name] = subprocess.Popen(
            args, cwd=cwd or self.root, env=env or self.env(), stdout=log, stderr=subprocess.STDOUT
        )

    def kill(self, name: str) -> None:
        """SIGKILL one component (a crash, not a shutdown)."""
        process = self.processes.pop(name)
        process.send_signal(signal.SIGKILL)
        process.wait(30)

    def start_prefect(self) -> None:
        """Start (or start again) the Prefect server on its port and database, and wait until it answers."""
        env = {**self.env(), "PREFECT_API_DATABASE_CONNECTION_URL": self.prefect_database,
               "PREFECT_HOME": str(self.root / "prefect"), "PREFECT_SERVER_ANALYTICS_ENABLED": "false"}  # fmt: skip
        env.pop("PREFECT_API_URL")
        self.start("prefect", [str(_BIN / "prefect"), "server", "start", "--host", "127.0.0.1", "--port",
                               str(self.prefect_port)], env)  # fmt: skip
        _wait_for(f"{self.prefect_url}/health", 180)

    def start_worker(self, number: int) -> None:
        """One ``dask worker`` process (one thread: parsing is CPU-bound)."""
        self.start(f"worker-{number}", [str(_BIN / "dask"), "worker", self.dask_address, "--nthreads", "1",
                                        "--no-dashboard", "--local-directory", str(self.root / "dask")])  # fmt: skip

    def stop(self) -> None:
        """Stop every component, the flows first."""
        for name in sorted(self.processes, key=lambda n: n != "serve"):
            process = self.processes[name]
            process.terminate()
            try:
                process.wait(30)
            except subprocess.TimeoutExpired:
                process.kill()
        self.processes.clear()
        for log in self._logs:
            log.close()


@contextmanager
def topology(root: Path, workers: int = 2) -> Iterator[Topology]:
    """Start every component under ``root``; stop them all after the block."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "logs").mkdir(exist_ok=True)
    with ExitStack() as stack:
        # Outside ``root``: the server runs as the postgres user, which may not reach a private folder.
        data = Path(tempfile.mkdtemp(prefix="docnorm-topology-pg-"))
        data.chmod(0o755)
        stack.callback(shutil.rmtree, data, True)
        postgres = stack.enter_context(cluster(data))
        _create_databases(postgres, ["prefect", "docnorm"])
        prefect_port, s3_port, dask_port = free_port(), free_port(), free_port()
        node = Topology(
            root=root,
            inbox=root / "inbox",
            out=root / "out",
            prefect_url=f"http://127.0.0.1:{prefect_port}/api",
            prefect_port=prefect_port,
            prefect_database=postgres.replace("postgresql+psycopg", "postgresql+asyncpg") + "/prefect",
            s3_endpoint=f"http://127.0.0.1:{s3_port}",
            dask_address=f"tcp://127.0.0.1:{dask_port}",
            review_url=f"{postgres}/docnorm",
        )
        stack.callback(node.stop)
        node.inbox.mkdir()
        node.start("s3", [str(_BIN / "moto_server"), "-H", "127.0.0.1", "-p", str(s3_port)])
        node.start("scheduler", [str(_BIN / "dask"), "scheduler", "--host", "127.0.0.1", "--port", str(dask_port),
                                 "--no-dashboard"])  # fmt: skip
        for number in range(1, workers + 1):
            node.start_worker(number)
        node.start_prefect()
        _wait_for(f"{node.s3_endpoint}/", 60)
        _make_bucket(node)
        node.start("serve", [str(_BIN / "docnorm"), "serve", "--inbox", str(node.inbox), "--out", str(node.out)])
        _wait_for_deployment(node)
        yield node


def _create_databases(server: str, names: list[str]) -> None:
    from sqlalchemy import create_engine, text

    engine = create_engine(f"{server}/postgres", isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        for name in names:
            connection.execute(text(f"CREATE DATABASE {name}"))
    engine.dispose()


def _make_bucket(node: Topology) -> None:
    import s3fs

    s3fs.S3FileSystem(key="testing", secret="testing", endpoint_url=node.s3_endpoint).mkdir(BUCKET)


def _wait_for(url: str, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while True:
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except OSError:
            if time.monotonic() > deadline:
                raise RuntimeError(f"{url} did not answer within {seconds:g} s") from None
            time.sleep(0.5)


def _wait_for_deployment(node: Topology, seconds: float = 180) -> None:
    """Until ``docnorm serve`` has registered the drop-folder deployment."""
    body = b'{"deployments": {"name": {"any_": ["drop-folder"]}}}'
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if node.processes["serve"].poll() is not None:
            raise RuntimeError(f"docnorm serve exited (see {node.root / 'logs' / 'serve.log'})")
        request = urllib.request.Request(f"{node.prefect_url}/deployments/filter", data=body,
                                         headers={"Content-Type": "application/json"})  # fmt: skip
        try:
            with urllib.request.urlopen(request, timeout=5) as answer:
                if b"drop-folder" in answer.read():
                    return
        except OSError:
            pass
        time.sleep(1)
    raise RuntimeError("docnorm serve did not register its deployments")


def details(node: Topology) -> dict[str, Any]:
    """What a person needs to look at the running topology."""
    return {
        "Prefect UI": node.prefect_url.removesuffix("/api"),
        "drop folder": str(node.inbox),
        "curated tables (S3)": f"{node.curated_url} at {node.s3_endpoint}",
        "review queue and ledger": node.review_url,
        "Dask scheduler": node.dask_address,
        "logs": str(node.root / "logs"),
    }
