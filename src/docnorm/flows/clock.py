"""Where a run's time goes: stage bodies, waiting for the task runner, and Prefect's own work."""

from __future__ import annotations

import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field


@dataclass
class RunClock:
    """Seconds per stage body, waited for micro-batches, and spent orchestrating (see the manifest)."""

    stage_seconds: dict[str, float] = field(default_factory=dict)
    waited_seconds: float = 0.0
    orchestration_seconds: float = 0.0

    @contextmanager
    def timed(self, stage: str) -> Iterator[None]:
        """Add the time spent in the block to ``stage_seconds[stage]``."""
        started = time.perf_counter()
        try:
            yield
        finally:
            self.stage_seconds[stage] = self.stage_seconds.get(stage, 0.0) + time.perf_counter() - started

    @contextmanager
    def waiting(self) -> Iterator[None]:
        """Add the time spent in the block to ``waited_seconds``."""
        started = time.perf_counter()
        try:
            yield
        finally:
            self.waited_seconds += time.perf_counter() - started

    @contextmanager
    def orchestrating(self, bodies: Sequence[str] = ()) -> Iterator[None]:
        """Add the block's time, less the stage bodies named in ``bodies`` that ran inside it, to
        ``orchestration_seconds``: the flow's own Prefect work (task runs, submissions, artifacts)."""
        inside = sum(self.stage_seconds.get(stage, 0.0) for stage in bodies)
        started = time.perf_counter()
        try:
            yield
        finally:
            ran = sum(self.stage_seconds.get(stage, 0.0) for stage in bodies) - inside
            self.orchestration_seconds += time.perf_counter() - started - ran

    def add_seconds(self, seconds: Mapping[str, float]) -> None:
        """Add stage times measured elsewhere (a task-runner process) to ``stage_seconds``."""
        for stage, value in seconds.items():
            self.stage_seconds[stage] = self.stage_seconds.get(stage, 0.0) + value
