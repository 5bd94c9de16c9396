"""The SQLAlchemy database that holds the review queue and the processed-documents ledger."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, SQLAlchemyError
from sqlalchemy.orm import DeclarativeBase

from docnorm.schemas.errors import ConfigError
from docnorm.sinks.migrations import upgrade


class Base(DeclarativeBase):
    """Declarative base of docnorm's tables."""


def open_database(url: str) -> Engine:
    """Engine for ``url`` with docnorm's tables created; SQLite gets WAL and a busy timeout."""
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise ConfigError(f"review queue URL is not a valid SQLAlchemy URL: {url!r}") from None
    if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:"):
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
    is_file = parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:")
    created = is_file and not Path(str(parsed.database)).exists()
    engine = create_engine(parsed)
    if parsed.get_backend_name() == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    try:
        with engine.begin() as connection:
            upgrade(connection)
    except SQLAlchemyError as exc:
        raise ConfigError(f"cannot open the review queue database ({type(exc).__name__})") from None
    if created:
        # The queue holds PHI and contract text: owner-only, like a key file.
        for suffix in ("", "-wal", "-shm"):
            path = Path(f"{parsed.database}{suffix}")
            if path.exists():
                path.chmod(0o600)
    return engine


def as_utc(moment: datetime) -> datetime:
    """A datetime read back from the database, as UTC: SQLite hands back naive ones, stored in UTC."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def _sqlite_pragmas(connection: object, _record: object) -> None:
    cursor = connection.cursor()  # type: ignore[attr-defined]
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()
