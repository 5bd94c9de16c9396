"""Task runners by name: where a run's parse-and-extract tasks execute (``--task-runner``)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
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
