"""``docnorm watch``: the drop-folder loop. Wakes on file-system events, claims stable files in small
batches, has each batch processed, and files every claimed file away with a receipt."""

from __future__ import annotations

import json
import logging
import threading
import time
from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path

import watchfiles
from sqlalchemy.orm import Session

from docnorm.dropfolder import Claim, DropFolder, StabilityTracker
from docnorm.schemas.run import Manifest
from docnorm.settings import Settings
from docnorm.sinks import already_processed, open_database

log = logging.getLogger("docnorm.watch")

RETRY_SECONDS = 300.0
"""How often a running watcher tries again the claims whose run failed."""

Runner = Callable[[Sequence[str], Settings], str]
"""Processes the given paths and returns the run id (its manifest is out_dir/runs/<run id>.json): a flow
run here or a served deployment (docnorm.flows.drop_folder)."""


def process_claim(folder: DropFolder, claim: Claim, settings: Settings, runner: Runner) -> dict[str, int]:
    """Process one claim and file its files away. When the run fails, the files stay claimed (and are
    re-claimed at the next start-up); nothing is moved on a guess."""
    try:
        run_id = runner([str(claim.folder)], settings)
        manifest = Manifest.model_validate(
            json.loads((settings.out_dir / "runs" / f"{run_id}.json").read_text(encoding="utf-8"))
        )
        moved = folder.file_away(claim, manifest, _earlier_outcomes(manifest, settings))
        log.info("claim %s: %s", claim.folder.name, moved)
        return moved
    except Exception as exc:
        log.error("claim %s: run failed (%s); its files stay for the next start-up", claim.folder.name,
                  type(exc).__name__)  # fmt: skip
        return {}
    finally:
        claim.release()


def _earlier_outcomes(manifest: Manifest, settings: Settings) -> dict[str, str]:
    """Outcomes from earlier runs of documents this run skipped as already processed."""
    ids = [e.doc_id for e in manifest.inputs if e.doc_id and "already_processed" in e.reasons]
    if not ids:
        return {}
    with Session(open_database(settings.review_database_url)) as session:
        return already_processed(session, ids, manifest.fingerprint)


def drain(folder: DropFolder, stable: Sequence[Path], settings: Settings, runner: Runner) -> Counter[str]:
    """Claim ``stable`` files in batches of DOCNORM_WATCH_BATCH_FILES and process each batch."""
    filed: Counter[str] = Counter()
    size = settings.watch_batch_files
    for start in range(0, len(stable), size):
        claim = folder.claim(stable[start : start + size])
        if claim is not None:  # else another watcher took them all
            filed.update(process_claim(folder, claim, settings, runner))
    return filed


def retry(folder: DropFolder, settings: Settings, runner: Runner) -> Counter[str]:
    """Process the claims no live watcher holds: a dead watcher's, or ones whose run failed."""
    filed: Counter[str] = Counter()
    for claim in folder.orphaned_claims():
        filed.update(process_claim(folder, claim, settings, runner))
    return filed


def watch(
    inbox: Path,
    settings: Settings,
    runner: Runner,
    stop: threading.Event | None = None,
    once: bool = False,
    retry_seconds: float = RETRY_SECONDS,
) -> dict[str, int]:
    """Watch ``inbox`` until ``stop`` is set (or, with ``once``, until what is there now is done).

    Claims whose run failed, and claims of watchers that died, are tried again at start-up and
    every ``retry_seconds``. Returns files filed per folder (done, failed).
    """
    folder = DropFolder(inbox)
    filed = retry(folder, settings, runner)
    tracker = StabilityTracker(settings.watch_stable_seconds)
    poll_ms = int(max(100, min(1000, settings.watch_stable_seconds * 500)))
    tracker.observe(folder.candidates())
    if once:
        time.sleep(settings.watch_stable_seconds)  # once: wait out the interval, then take what is stable
        filed.update(drain(folder, tracker.observe(folder.candidates()), settings, runner))
        return dict(filed)
    log.info("watching %s (files stable for %g s are claimed)", folder.inbox, settings.watch_stable_seconds)
    retry_at = time.monotonic() + retry_seconds
    for _ in watchfiles.watch(
        folder.inbox, stop_event=stop, rust_timeout=poll_ms, yield_on_timeout=True, recursive=False, debounce=200
    ):
        filed.update(drain(folder, tracker.observe(folder.candidates()), settings, runner))
        if time.monotonic() >= retry_at:
            filed.update(retry(folder, settings, runner))
            retry_at = time.monotonic() + retry_seconds
    return dict(filed)
