"""A hook for progress reports, so the CLI can draw a bar while a flow runs in-process."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar

ProgressHook = Callable[[int, int], None]
"""Called with (documents done, documents in the run)."""

_hook: ContextVar[ProgressHook | None] = ContextVar("docnorm_progress", default=None)


@contextmanager
def reporting_to(hook: ProgressHook) -> Iterator[None]:
    """Send progress reports of flows run inside this block to ``hook``."""
    token = _hook.set(hook)
    try:
        yield
    finally:
        _hook.reset(token)


def report(done: int, total: int) -> None:
    """Report progress to the active hook, if any."""
    hook = _hook.get()
    if hook is not None:
        hook(done, total)
