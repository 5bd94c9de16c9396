"""One run and the resources it owns: extractor, worker pool, database, staging and mirror."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from docnorm.doctypes.registry import DocTypeRegistry
from docnorm.extractors.base import Extractor
from docnorm.settings import Settings
from docnorm.sinks import CuratedWriter, already_processed, open_store
from docnorm.stages.extract import fingerprint, make_extractor
from docnorm.stages.prepare import InProcess
from docnorm.validators.options import ValidationOptions
from docnorm.workers import WorkerPool


@dataclass(frozen=True)
class Run:
    """What the stages of one run share. Opened and closed by ``open_run`` only."""

    settings: Settings
    registry: DocTypeRegistry
    run_id: str
    started_at: datetime
    extractor: Extractor
    fingerprint: str
    options: ValidationOptions
    engine: Engine
    writer: CuratedWriter
    pool: WorkerPool | None

    def done_before(self, doc_ids: Sequence[str]) -> set[str]:
        """The documents among ``doc_ids`` already processed under this configuration."""
        with Session(self.engine) as session:
            return set(already_processed(session, doc_ids, self.fingerprint))

    def in_process(self) -> InProcess:
        """The run's own extractor and worker pool, for a micro-batch prepared in this process."""
        return InProcess(self.extractor, self.pool)


@contextmanager
def open_run(
    settings: Settings, registry: DocTypeRegistry, run_id: str, extractor: Extractor | None = None
) -> Iterator[Run]:
    """Open a run's resources for the block and release them after it, whatever happens."""
    extractor = extractor if extractor is not None else make_extractor(settings, registry)
    with open_store(settings, run_id) as store, worker_pool(settings) as pool:
        yield Run(
            settings=settings,
            registry=registry,
            run_id=run_id,
            started_at=datetime.now(UTC),
            extractor=extractor,
            fingerprint=fingerprint(extractor),
            options=ValidationOptions(balance_tolerance=settings.balance_tolerance),
            engine=store.engine,
            writer=store.writer,
            pool=pool,
        )


@contextmanager
def worker_pool(settings: Settings) -> Iterator[WorkerPool | None]:
    """Worker processes for the CPU-bound stages, parsing and rules extraction (threads do not help:
    they hold the GIL), stopped after the block; None (this process) with DOCNORM_PARSE_WORKERS=0."""
    if settings.parse_workers <= 0:
        yield None
        return
    memory = settings.parse_memory_mb * 1024 * 1024 or None
    pool = WorkerPool(settings.parse_workers, settings.parse_timeout_seconds, memory)
    try:
        yield pool
    finally:
        pool.shutdown()
