"""Task runners by name: where a run's parse-and-extract tasks execute (``--task-runner``)."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path
from typing import Any

from prefect.task_runners import ProcessPoolTaskRunner, TaskRunner, ThreadPoolTaskRunner

from docnorm.schemas.errors import ConfigError
from docnorm.settings import Settings


def _threads(settings: Settings) -> TaskRunner[Any]:
    # The flow's worker processes do the CPU work; threads only keep the next micro-batch going
    # while the current one is validated and written.
    return ThreadPoolTaskRunner(max_workers=settings.batches_in_flight)


def _processes(settings: Settings) -> TaskRunner[Any]:
    return ProcessPoolTaskRunner(max_workers=settings.parse_workers or None)


def _dask(settings: Settings) -> TaskRunner[Any]:
    try:
        from prefect_dask import DaskTaskRunner
    except ImportError as exc:  # an install without the extra
        raise ConfigError("the dask task runner needs prefect-dask: pip install prefect-dask") from exc
    if settings.dask_address:
        return DaskTaskRunner(address=settings.dask_address)
    # No cluster given: a local one, a process per worker so parsing runs in parallel.
    workers = settings.parse_workers or 1
    return DaskTaskRunner(cluster_kwargs={"n_workers": workers, "threads_per_worker": 1, "processes": True})


TASK_RUNNERS: dict[str, Callable[[Settings], TaskRunner[Any]]] = {
    "threads": _threads,
    "processes": _processes,
    "dask": _dask,
}


def build_task_runner(settings: Settings) -> TaskRunner[Any]:
    """The task runner named by ``settings.task_runner``."""
    return TASK_RUNNERS[settings.task_runner](settings)


_SAMPLE_FOLDERS = 20


def prepare_cluster(paths: Sequence[Path], settings: Settings, api_url: str | None) -> str | None:
    """Before a run dispatches to an existing Dask cluster: check that every worker sees its inputs
    (ConfigError naming the worker and a path it cannot see). Returns why the workers' task runs cannot
    reach the UI the flow reports to (``api_url``), if they cannot."""
    if settings.task_runner != "dask" or not settings.dask_address:
        return None
    from distributed import Client

    folders: dict[Path, str] = {}
    for path in paths:
        folders.setdefault(path.parent, str(path))
        if len(folders) >= _SAMPLE_FOLDERS:
            break
    try:
        client = Client(settings.dask_address, timeout=30, set_as_default=False)
    except OSError as exc:
        raise ConfigError(
            f"cannot reach the Dask scheduler at {settings.dask_address} ({type(exc).__name__})"
        ) from None
    with client:
        unseen: dict[str, list[str]] = client.run(unseen_paths, list(folders.values()))
        for worker, missing in sorted(unseen.items()):
            if missing:
                raise ConfigError(
                    f"Dask worker {worker} cannot see {missing[0]} ({len(missing)} of {len(folders)} input folders "
                    "checked): mount the inputs at the same path on every worker, or give URLs"
                )
    # With a Prefect server, the task runner hands its settings to the workers with each task; the
    # temporary API lives in this process's machine and dies with it, so workers start their own.
    if api_url is None:
        return "the flow reports to Prefect's temporary API, which Dask workers cannot reach: set PREFECT_API_URL"
    return None


def prefect_api_url() -> str | None:
    """The Prefect API this process reports to, when it is a server others can reach (not the temporary one)."""
    from prefect.settings import PREFECT_API_URL

    return PREFECT_API_URL.value() or None


def unseen_paths(paths: Sequence[str]) -> list[str]:
    """The ``paths`` this process (a Dask worker) cannot open for reading."""
    return [path for path in paths if not os.access(path, os.R_OK)]


# Settings handed to a flow run started in this process (``run_flow``). Kept here, reached through
# functions: a process or Dask task runner pickles the flow function by value, and a ContextVar in
# its globals would not pickle.
_given: ContextVar[Settings | None] = ContextVar("docnorm_settings", default=None)


def given_settings() -> Settings | None:
    """The settings ``giving_settings`` handed to the flow run in progress, if any."""
    return _given.get()


@contextmanager
def giving_settings(settings: Settings) -> Iterator[None]:
    """Hand ``settings`` to flow runs started inside the block."""
    token = _given.set(settings)
    try:
        yield
    finally:
        _given.reset(token)
