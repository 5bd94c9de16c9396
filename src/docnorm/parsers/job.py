"""What a parse worker does with one file."""

from __future__ import annotations

import os
import socket
import time
from pathlib import Path

from docnorm.parsers.intake import Limits, intake
from docnorm.parsers.unstructured_adapter import parse
from docnorm.schemas.documents import ParsedDocument
from docnorm.schemas.errors import DataError, ParseError


def parse_one(path: Path, doc_id: str, limits: Limits) -> ParsedDocument | DataError:
    """Intake and parse one file; the DataError that stopped it is returned, not raised (it crosses processes)."""
    try:
        return parse(intake(path, doc_id, limits), ocr_pages=limits.ocr_pages)
    except DataError as error:
        return error
    except OSError as exc:  # the run hashed it when it planned the batch: what changed is here or the file
        return _unread(path, exc)


def _unread(path: Path, exc: OSError) -> ParseError:
    """Tell a worker that cannot see the file's folder (or may not read it) from a file that went away."""
    where = f"worker {socket.gethostname()} (pid {os.getpid()})"
    if isinstance(exc, PermissionError) or not path.parent.is_dir():
        return ParseError(
            "worker_cannot_read",
            f"{where} cannot read the file's folder ({type(exc).__name__}); the run could: a problem of the "
            "worker (mounts, permissions), not of the file",
        )
    return ParseError(
        "unreadable", f"{where} cannot read the file ({type(exc).__name__}): gone or changed since planned"
    )


def parse_one_timed(path: Path, doc_id: str, limits: Limits) -> tuple[ParsedDocument | DataError, float]:
    """``parse_one`` and the seconds it took, measured where it ran."""
    started = time.perf_counter()
    outcome = parse_one(path, doc_id, limits)
    return outcome, time.perf_counter() - started
