"""The LLM result cache: answers by (document, doc type, schema, model, prompt) key, in SQL."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON, DateTime, Engine, String
from sqlalchemy.orm import Mapped, Session, mapped_column

from docnorm.sinks.database import Base, open_database


class CachedAnswer(Base):
    """One cached set of answers."""

    __tablename__ = "llm_cache"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class SqlResultCache:
    """A ResultCache on any SQLAlchemy URL (SQLite under the output folder by default)."""

    def __init__(self, url: str) -> None:
        self._url = url
        self._engine: Engine | None = None

    @property
    def engine(self) -> Engine:
        """Opened on first use, so runs that never call a model create no cache file."""
        if self._engine is None:
            self._engine = open_database(self._url)
        return self._engine

    def get(self, key: str) -> dict[str, Any] | None:
        """The cached answers for ``key``, if any."""
        with Session(self.engine) as session:
            row = session.get(CachedAnswer, key)
            return dict(row.value) if row else None

    def put(self, key: str, value: dict[str, Any]) -> None:
        """Store (or replace) the answers for ``key``."""
        with Session(self.engine) as session, session.begin():
            session.merge(CachedAnswer(key=key, value=value, created_at=datetime.now(UTC)))
