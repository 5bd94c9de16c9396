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
    limits = Limits.of(s)
    return parse(intake(path, document_id(path), limits), ocr_pages=limits.ocr_pages)


def parse_text(path: Path, text: str) -> ParsedDocument:
    """Write ``text`` to ``path`` (its suffix says the format) and parse it."""
    path.write_text(text, encoding="utf-8")
    return parse_file(path)


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


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[str]:
    """A real PostgreSQL server for the session (skipped only where no server binary exists)."""
    import tempfile

    from docnorm.testing.postgres import cluster, server_binaries

    if server_binaries() is None:
        pytest.skip("PostgreSQL server binaries not found (apt-get install postgresql)")
    # Outside pytest's private tmp: the server runs as the postgres user, which must reach it.
    root = Path(tempfile.mkdtemp(prefix="docnorm-pg-"))
    root.chmod(0o755)
    try:
        with cluster(root) as url:
            yield url
    finally:
        shutil.rmtree(root, ignore_errors=True)


_databases = iter(range(1, 10_000))


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A fresh, empty database: a SQLite file, or a new database on the PostgreSQL server."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'review.db'}"
    from sqlalchemy import create_engine, text

    server = request.getfixturevalue("postgres_server")
    name = f"docnorm_test_{next(_databases)}"
    engine = create_engine(f"{server}/postgres", isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(text(f"CREATE DATABASE {name}"))
    engine.dispose()
    return f"{server}/{name}"
