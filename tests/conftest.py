"""Shared fixtures: the bundled examples, parsed documents, and a real Prefect API for flow tests."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from docnorm.parsers import Limits, document_id, intake, parse
from docnorm.schemas.documents import ParsedDocument
from docnorm.settings import Settings

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples" / "inbox"
CORPUS = ROOT.parent / "shared" / "corpus"


@pytest.fixture(scope="session")
def examples_dir() -> Path:
    """The committed example inbox (read-only: copy it before writing next to it)."""
    return EXAMPLES


@pytest.fixture
def inbox(tmp_path: Path) -> Path:
    """A private copy of the example inbox."""
    return Path(shutil.copytree(EXAMPLES, tmp_path / "inbox"))


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """Default settings writing under a temporary folder."""
    return Settings(out_dir=tmp_path / "out")


def parse_file(path: Path, settings: Settings | None = None) -> ParsedDocument:
    """Intake and parse one file with default limits."""
    s = settings or Settings()
    limits = Limits(s.max_file_bytes, s.max_pages, s.max_decompressed_bytes)
    return parse(intake(path, document_id(path), limits))


@pytest.fixture(scope="session")
def parsed_examples() -> dict[str, ParsedDocument]:
    """Every parseable example, parsed once per session, by file name."""
    out: dict[str, ParsedDocument] = {}
    for path in sorted(EXAMPLES.iterdir()):
        if path.name not in {"damaged-scan.pdf"}:
            out[path.name] = parse_file(path)
    return out


@pytest.fixture(scope="session")
def prefect_api() -> Iterator[None]:
    """A real, temporary Prefect API (server + SQLite) for the whole session."""
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=120):
        yield
