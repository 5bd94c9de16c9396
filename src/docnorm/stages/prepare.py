"""Parse and extract one micro-batch, wherever the task runner put the call."""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass

from docnorm.doctypes.registry import DocTypeRegistry
from docnorm.extractors.base import Extractor
from docnorm.settings import Settings
from docnorm.stages.documents import Planned, Prepared
from docnorm.stages.extract import extract_documents, make_extractor
from docnorm.stages.parse import parse_planned
from docnorm.workers import WorkerPool


@dataclass(frozen=True)
class InProcess:
    """What a micro-batch prepared in the run's own process uses: the run's worker pool (limits enforced)
    and its extractor. Not sent elsewhere: another process builds its own extractor from the settings."""

    extractor: Extractor
    pool: WorkerPool | None


def prepare_documents(
    todo: Sequence[Planned], settings: Settings, registry: DocTypeRegistry, here: InProcess | None = None
) -> Prepared:
    """Parse, classify and extract a micro-batch: with ``here`` in the run's process, else in this
    process (a process pool or Dask worker) with an extractor built from ``settings``."""
    extractor = here.extractor if here is not None else make_extractor(settings, registry)
    pool = here.pool if here is not None else None
    doc_seconds: dict[str, float] = {}
    started = time.perf_counter()
    parsed, stopped = parse_planned(todo, settings, pool, doc_seconds)
    parsed_at = time.perf_counter()
    extracted, unclassified = extract_documents(parsed, settings, extractor, registry, pool)
    seconds = {"parse": parsed_at - started, "extract": time.perf_counter() - parsed_at}
    return Prepared(extracted, [*stopped, *unclassified], seconds, doc_seconds)
