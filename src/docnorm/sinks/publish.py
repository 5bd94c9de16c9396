"""Exactly-once output: curated files are staged, committed with the queue and ledger, then published.

A micro-batch's Parquet files are written under ``<out>/.staging/<run>/`` where no reader looks.
One database transaction then records its review items, its ledger rows and the list of its
files (``committed_parts``); only after that commit are the files renamed into ``curated/``.
A run killed at any moment leaves either an uncommitted batch (its staged files are discarded
and its documents, absent from the ledger, are processed again) or a committed one (its files
are renamed into place). Whichever run starts next does that recovery; a run still alive holds
a lock on its staging folder, so its work is never touched.
"""

from __future__ import annotations

import fcntl
import os
import shutil
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import IO

from sqlalchemy import JSON, DateTime, Engine, String, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from docnorm.files import private_folder
from docnorm.sinks.database import Base

STAGING = ".staging"


class CommittedPart(Base):
    """A micro-batch whose rows are decided: its staged files must end up in the curated dataset."""

    __tablename__ = "committed_parts"

    run_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    part: Mapped[str] = mapped_column(String(128), primary_key=True)
    files: Mapped[list[str]] = mapped_column(JSON)
    """Paths relative to the output folder, as they will be once published."""
    committed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


@dataclass(frozen=True)
class Recovery:
    """What start-up recovery found of runs that died."""

    published: int
    """Files of committed batches renamed into place."""
    discarded: int
    """Files of uncommitted batches removed (their documents are processed again)."""


class Staging:
    """One run's staging folder, locked for as long as the run is alive."""

    def __init__(self, out_dir: Path, run_id: str) -> None:
        self.out_dir = out_dir
        root = out_dir / STAGING
        private_folder(root)
        self.folder = root / run_id
        self._lock: IO[bytes] | None = try_lock(_lock_path(root, run_id))
        if self._lock is None:
            raise RuntimeError(f"run {run_id} is already staging in {root}")

    def path_for(self, final: Path) -> Path:
        """Where ``final`` (a path under the output folder) is written before its batch commits."""
        return self.folder / final.relative_to(self.out_dir)

    def commit(self, session: Session, part: str, run_id: str, finals: Sequence[Path]) -> None:
        """Record, in the caller's transaction, that ``finals`` are to be published."""
        relative = [str(path.relative_to(self.out_dir)) for path in finals]
        session.merge(CommittedPart(part=part, run_id=run_id, files=relative, committed_at=datetime.now(UTC)))

    def publish(self, finals: Sequence[Path]) -> int:
        """Rename the staged files of a committed batch into place."""
        return _publish(self.folder, self.out_dir, [str(p.relative_to(self.out_dir)) for p in finals])

    def close(self) -> None:
        """Drop the lock and the (by now empty) staging folder."""
        if self._lock is not None:
            shutil.rmtree(self.folder, ignore_errors=True)
            lock_path = Path(self._lock.name)
            self._lock.close()
            lock_path.unlink(missing_ok=True)
            self._lock = None


def recover(out_dir: Path, engine: Engine) -> Recovery:
    """Finish or undo the batches of every dead run's staging folder under ``out_dir``."""
    root = out_dir / STAGING
    if not root.is_dir():
        return Recovery(0, 0)
    published = discarded = 0
    for folder in sorted(p for p in root.iterdir() if p.is_dir()):
        lock_path = _lock_path(root, folder.name)
        lock = try_lock(lock_path)
        if lock is None:
            continue  # that run is alive
        try:
            with Session(engine) as session:
                parts = session.scalars(select(CommittedPart).where(CommittedPart.run_id == folder.name)).all()
                committed = [file for part in parts for file in part.files]
            published += _publish(folder, out_dir, committed)
            discarded += sum(1 for p in folder.rglob("*") if p.is_file())
            shutil.rmtree(folder)
        finally:
            lock.close()
            lock_path.unlink(missing_ok=True)
    return Recovery(published, discarded)


def _publish(folder: Path, out_dir: Path, relative: Sequence[str]) -> int:
    moved = 0
    for name in relative:
        staged, final = folder / name, out_dir / name
        if staged.exists():  # else: published before the crash
            private_folder(final.parent)
            os.replace(staged, final)
            moved += 1
    return moved


def _lock_path(root: Path, run_id: str) -> Path:
    """The file a live run holds locked beside its staging folder."""
    return root / f"{run_id}.lock"


def try_lock(path: Path) -> IO[bytes] | None:
    """An exclusive lock on ``path``, or None when another live process holds it."""
    handle = path.open("ab")
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        handle.close()
        return None
    return handle
