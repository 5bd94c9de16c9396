"""What a parse worker does with one file."""

from __future__ import annotations

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
    except OSError as exc:  # gone or unreadable since it was hashed
        return ParseError("unreadable", f"cannot read file ({type(exc).__name__})")


def parse_one_timed(path: Path, doc_id: str, limits: Limits) -> tuple[ParsedDocument | DataError, float]:
    """``parse_one`` and the seconds it took, measured where it ran."""
    started = time.perf_counter()
    outcome = parse_one(path, doc_id, limits)
    return outcome, time.perf_counter() - started
