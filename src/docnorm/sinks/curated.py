"""The one writer of the curated tables, and the store a run opens around it.

Every row that reaches ``curated/`` goes through ``CuratedWriter.write``, from a batch run and from
``review sync`` alike: lineage is stamped here, the files are staged, one transaction commits the
caller's bookkeeping (review items, ledger rows, synced marks) with the list of files, then the files
are published and mirrored. A process killed at any point leaves each document exactly once (see
docnorm.sinks.publish).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path

import pyarrow as pa
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from docnorm.files import private_folder
from docnorm.schemas import SCHEMA_VERSION
from docnorm.schemas.documents import DocumentResult, Lineage
from docnorm.schemas.tables import Row, TableSpec
from docnorm.settings import Settings
from docnorm.sinks.database import open_database
from docnorm.sinks.mirror import CuratedMirror
from docnorm.sinks.parquet import UNWRITABLE, arrow_table, write_file
from docnorm.sinks.publish import Staging, recover
from docnorm.validators.provenance import PROVENANCE

log = logging.getLogger("docnorm")

CURATED = "curated"


def curated_path(out_dir: Path, spec: TableSpec, *, part: str, day: date) -> Path:
    """Where a part of ``spec`` is published: ``<out>/curated/<table>/extracted_date=<day>/part-<part>.parquet``."""
    return out_dir / CURATED / spec.name / f"extracted_date={day.isoformat()}" / f"part-{part}.parquet"


@dataclass(frozen=True)
class Origin:
    """Who produced a record: an extractor (with its model and prompt) or a reviewer's resolution."""

    extractor: str
    model: str | None = None
    prompt_version: str | None = None
    review_resolution: str | None = None
    reviewer: str | None = None
    reviewed_at: datetime | None = None
    calibrator_version: str | None = None


@dataclass(frozen=True)
class CuratedRecord:
    """One document's rows for the curated tables, field provenance included, and where it came from."""

    result: DocumentResult
    origin: Origin
    tables: Sequence[tuple[TableSpec, Sequence[Row]]] = field(default_factory=tuple)

    @classmethod
    def of(
        cls,
        result: DocumentResult,
        origin: Origin,
        specs: Sequence[TableSpec],
        rows: Mapping[str, Sequence[Row]],
        provenance: Sequence[Row],
    ) -> CuratedRecord:
        """A record's rows under each of its doc type's tables, its field provenance last."""
        return cls(result, origin, [*((spec, rows.get(spec.name, [])) for spec in specs), (PROVENANCE, provenance)])


def lineage(record: CuratedRecord, run_id: str, at: datetime) -> Lineage:
    """The lineage stamp on every row of ``record``."""
    if record.result.doc_id is None:
        raise ValueError("a curated record needs a doc_id")
    usage, origin = record.result.usage, record.origin
    return Lineage(
        doc_id=record.result.doc_id,
        source_uri=record.result.source_uri,
        run_id=run_id,
        extractor=origin.extractor,
        model=origin.model,
        schema_version=SCHEMA_VERSION,
        prompt_version=origin.prompt_version,
        extracted_at=at,
        llm_prompt_tokens=usage.prompt_tokens if usage else None,
        llm_completion_tokens=usage.completion_tokens if usage else None,
        llm_cost_usd=usage.cost_usd if usage else None,
        review_resolution=origin.review_resolution,
        reviewer=origin.reviewer,
        reviewed_at=origin.reviewed_at,
        calibrator_version=origin.calibrator_version,
    )


@dataclass(frozen=True)
class Refused:
    """A record none of whose rows were written because one of them could not be (the document's fault)."""

    record: CuratedRecord
    error: str
    """The exception's type name: never its message, which may quote a value."""


@dataclass(frozen=True)
class Written:
    """What one ``write`` did: the files it published and the records it refused."""

    files: list[Path]
    refused: list[Refused]


InTransaction = Callable[[Session, Sequence[Refused]], None]


def _nothing(session: Session, refused: Sequence[Refused]) -> None:
    return None


class CuratedWriter:
    """Stages, commits, publishes and mirrors the curated rows of one run (see the module docstring)."""

    def __init__(self, out_dir: Path, run_id: str, engine: Engine, staging: Staging, mirror: CuratedMirror | None):
        self.out_dir = out_dir
        self.run_id = run_id
        self._engine = engine
        self._staging = staging
        self._mirror = mirror

    def write(self, part: str, records: Sequence[CuratedRecord], in_transaction: InTransaction = _nothing) -> Written:
        """Write ``records`` as part ``part`` of each table they have rows for; ``in_transaction`` runs in the
        transaction that decides the part, so its changes and the files are committed together. A record
        whose rows cannot be converted is left out whole and handed to ``in_transaction`` as refused; an
        error writing a file or the database is the run's and propagates."""
        at = datetime.now(UTC)
        stamped = [(record, self._stamped(record, at)) for record in records]
        tables, refused = _tables(stamped)
        finals: list[Path] = []
        for spec, table in tables:
            final = curated_path(self.out_dir, spec, part=part, day=at.date())
            write_file(self._staging.path_for(final), table)
            finals.append(final)
        with Session(self._engine) as session, session.begin():
            in_transaction(session, refused)
            self._staging.commit(session, part, self.run_id, finals)
        self._staging.publish(finals)
        if self._mirror is not None:
            self._mirror.push(finals)
        return Written(finals, refused)

    def _stamped(self, record: CuratedRecord, at: datetime) -> list[tuple[TableSpec, list[Row]]]:
        stamp = lineage(record, self.run_id, at).model_dump()
        return [(spec, [{**stamp, **row} for row in rows]) for spec, rows in record.tables]


Stamped = list[tuple[TableSpec, list[Row]]]


def _tables(stamped: Sequence[tuple[CuratedRecord, Stamped]]) -> tuple[list[tuple[TableSpec, pa.Table]], list[Refused]]:
    """One Arrow table per spec with rows; when the batch does not convert, each record is tried alone so
    only the records at fault are refused (validation makes that rare: this is the last line)."""
    try:
        return _converted([tables for _, tables in stamped]), []
    except UNWRITABLE:
        pass
    refused: list[Refused] = []
    kept: list[Stamped] = []
    for record, tables in stamped:
        try:
            _converted([tables])
        except UNWRITABLE as exc:
            log.warning("document %s: its rows could not be written (%s)", _short(record), type(exc).__name__)
            refused.append(Refused(record, type(exc).__name__))
        else:
            kept.append(tables)
    return _converted(kept), refused


def _converted(records: Sequence[Stamped]) -> list[tuple[TableSpec, pa.Table]]:
    collected: dict[str, tuple[TableSpec, list[Row]]] = {}
    for tables in records:
        for spec, rows in tables:
            collected.setdefault(spec.name, (spec, []))[1].extend(rows)
    return [(spec, arrow_table(spec, rows)) for spec, rows in collected.values() if rows]


def _short(record: CuratedRecord) -> str:
    return (record.result.doc_id or "?")[:12]


@dataclass(frozen=True)
class Store:
    """A run's database (review queue, ledger, committed parts) and its curated-table writer."""

    engine: Engine
    writer: CuratedWriter


@contextmanager
def open_store(settings: Settings, run_id: str) -> Iterator[Store]:
    """Open the database (migrated), finish what dead runs left staged, catch the mirror up, and hold
    ``run_id``'s staging folder for the block."""
    out_dir = settings.out_dir
    private_folder(out_dir)
    engine = open_database(settings.review_database_url)
    recovered = recover(out_dir, engine)
    if recovered.published or recovered.discarded:
        log.warning(
            "recovered from an interrupted run: %d curated file(s) published, %d uncommitted file(s) discarded",
            recovered.published,
            recovered.discarded,
        )
    mirror = CuratedMirror(out_dir / CURATED, settings.curated_url) if settings.curated_url else None
    if mirror is not None:
        mirror.catch_up()
    staging = Staging(out_dir, run_id)
    try:
        yield Store(engine, CuratedWriter(out_dir, run_id, engine, staging, mirror))
    finally:
        staging.close()
