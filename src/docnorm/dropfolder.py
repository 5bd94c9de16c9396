"""A drop folder that never loses a file: claim stable files by atomic rename, process them, file them away.

Layout under the inbox::

    INBOX/report.pdf                       dropped, not yet claimed
    INBOX/.processing/<claim>/report.pdf   claimed by one watcher (its lock file held while it works)
    INBOX/done/report.pdf                  curated or skipped, with report.pdf.receipt.json beside it
    INBOX/failed/report.pdf                went to review, with its receipt

Only regular files at the top of the inbox are picked up; dotfiles and partial uploads (``.part``,
``.tmp``, ``~``...) wait until they are renamed. A file is claimed once its size and mtime have not
changed for ``stable_seconds``. Claims are renames into a folder that only the claiming process
holds locked, so two watchers never take the same file, and a claim whose owner died (its lock is
free) is taken over at start-up. Files are moved, never deleted.
"""

from __future__ import annotations

import json
import logging
import os
import time
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import IO

from docnorm.parsers.discover import PARTIAL_SUFFIXES
from docnorm.schemas.run import Manifest
from docnorm.sinks.publish import try_lock

log = logging.getLogger("docnorm.dropfolder")

PROCESSING = ".processing"
DONE = "done"
FAILED = "failed"
RECEIPT_SUFFIX = ".receipt.json"


@dataclass
class Claim:
    """Files one process took from the inbox; its lock is held until the files are filed away."""

    folder: Path
    lock: IO[bytes]
    files: list[Path] = field(default_factory=list)

    def release(self) -> None:
        """Drop the claim's lock."""
        lock_file = self.folder.with_suffix(".lock")
        self.lock.close()
        lock_file.unlink(missing_ok=True)
        try:
            self.folder.rmdir()  # empty by now; a file still in it is kept for the next start-up
        except OSError:
            pass


@dataclass
class StabilityTracker:
    """When each candidate file last changed (size or mtime), to tell a finished upload from one in progress."""

    stable_seconds: float
    _seen: dict[Path, tuple[tuple[int, int], float]] = field(default_factory=dict)

    def observe(self, files: Iterable[Path], now: float | None = None) -> list[Path]:
        """Record the current size and mtime of ``files``; return those unchanged for ``stable_seconds``."""
        now = time.monotonic() if now is None else now
        current: dict[Path, tuple[tuple[int, int], float]] = {}
        for path in files:
            try:
                info = path.stat()
            except OSError:  # gone (claimed by another watcher, or removed)
                continue
            signature = (info.st_size, info.st_mtime_ns)
            previous = self._seen.get(path)
            since = previous[1] if previous is not None and previous[0] == signature else now
            current[path] = (signature, since)
        self._seen = current
        return sorted(path for path, (_, since) in current.items() if now - since >= self.stable_seconds)

    def next_check_in(self, now: float | None = None) -> float | None:
        """Seconds until the next file may become stable, or None when nothing is waiting."""
        now = time.monotonic() if now is None else now
        waits = [self.stable_seconds - (now - since) for _, since in self._seen.values()]
        return max(0.0, min(waits)) if waits else None


class DropFolder:
    """One inbox and its processing, done and failed folders."""

    def __init__(self, inbox: Path) -> None:
        if not inbox.is_dir():
            raise NotADirectoryError(f"drop folder {inbox} does not exist or is not a folder")
        self.inbox = inbox.resolve()
        self.processing = self.inbox / PROCESSING
        for folder in (self.processing, self.inbox / DONE, self.inbox / FAILED):
            folder.mkdir(exist_ok=True, mode=0o700)

    def candidates(self) -> list[Path]:
        """Regular files at the top of the inbox that may be claimed once stable."""
        found = []
        for entry in os.scandir(self.inbox):
            name = entry.name
            if name.startswith(".") or name.endswith(PARTIAL_SUFFIXES) or not entry.is_file(follow_symlinks=False):
                continue
            found.append(Path(entry.path))
        return sorted(found)

    def claim(self, files: Sequence[Path]) -> Claim | None:
        """Move ``files`` into a new claim folder; files another process took first are left to it."""
        folder = self.processing / uuid.uuid4().hex[:12]
        folder.mkdir(mode=0o700)
        lock = try_lock(folder.with_suffix(".lock"))
        assert lock is not None, "a fresh claim folder's lock is free"
        claim = Claim(folder, lock)
        for path in files:
            try:
                os.rename(path, folder / path.name)  # atomic: of two watchers, exactly one succeeds
            except FileNotFoundError:
                continue
            claim.files.append(folder / path.name)
        if not claim.files:
            claim.release()
            return None
        return claim

    def orphaned_claims(self) -> list[Claim]:
        """Claims whose owner died (their lock is free): taken over, files and all."""
        claims = []
        for folder in sorted(p for p in self.processing.iterdir() if p.is_dir()):
            lock = try_lock(folder.with_suffix(".lock"))
            if lock is None:
                continue  # a live watcher is working on it
            files = sorted(p for p in folder.iterdir() if p.is_file())
            claim = Claim(folder, lock, files)
            if files:
                log.warning("re-claimed %d file(s) left in %s by an interrupted watcher", len(files), folder.name)
                claims.append(claim)
            else:
                claim.release()
        return claims

    def file_away(self, claim: Claim, manifest: Manifest, earlier: dict[str, str] | None = None) -> dict[str, int]:
        """Move each claimed file to done/ (curated, skipped) or failed/ (review) with a JSON receipt.

        ``earlier`` maps doc_ids processed by an earlier run (a re-claimed file) to that run's outcome,
        so their receipts say where they really ended. Returns files moved per folder.
        """
        entries = {Path(entry.source_uri).name: entry for entry in manifest.inputs}
        moved: dict[str, int] = {}
        for path in claim.files:
            entry = entries.get(path.name)
            if entry is None:  # not reported by the run (cannot happen: every input has an entry); keep it
                continue
            outcome = entry.outcome
            if "already_processed" in entry.reasons and entry.doc_id and earlier and entry.doc_id in earlier:
                outcome = earlier[entry.doc_id]
            target_folder = self.inbox / (FAILED if outcome == "review" else DONE)
            target = _move_without_overwrite(path, target_folder / path.name)
            receipt = {
                "file": path.name,
                "filed_as": target.name,
                "doc_id": entry.doc_id,
                "doc_type": entry.doc_type,
                "outcome": outcome,
                "reasons": entry.reasons,
                "run_id": manifest.run_id,
                "filed_at": datetime.now(UTC).isoformat(),
            }
            receipt_path = target.with_name(target.name + RECEIPT_SUFFIX)
            receipt_path.write_text(json.dumps(receipt, indent=2), encoding="utf-8")
            moved[target_folder.name] = moved.get(target_folder.name, 0) + 1
        return moved


def _move_without_overwrite(path: Path, target: Path) -> Path:
    """Move ``path`` to ``target`` or the first free ``name (n).ext``; a hard link then an unlink, because
    a link never replaces an existing file (another watcher may be filing a file of the same name)."""
    while True:
        candidate = _free_name(target)
        try:
            os.link(path, candidate)
        except FileExistsError:
            continue
        os.unlink(path)
        return candidate


def _free_name(target: Path) -> Path:
    """``target``, or ``name (2).ext``... when a file of that name was filed before: nothing is overwritten."""
    candidate, n = target, 1
    while candidate.exists() or candidate.with_name(candidate.name + RECEIPT_SUFFIX).exists():
        n += 1
        candidate = target.with_name(f"{target.stem} ({n}){target.suffix}")
    return candidate
