"""Versioned schema migrations for docnorm's database (review queue, ledger, LLM cache).

Each migration is a numbered function run once, in order, inside a transaction; the
applied version is kept in ``docnorm_schema_version``. An existing queue survives an
upgrade: migrations only add.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import (
    JSON,
    Column,
    Connection,
    DateTime,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    inspect,
    select,
    text,
)

Migration = Callable[[Connection], None]


def _v1_initial(connection: Connection) -> None:
    """The first release's tables."""
    metadata = MetaData()
    Table(
        "review_items",
        metadata,
        Column("id", Integer, primary_key=True, autoincrement=True),
        Column("doc_id", String(64), nullable=False),
        Column("source_uri", String, nullable=False),
        Column("doc_type", String(64)),
        Column("stage", String(16), nullable=False),
        Column("reasons", JSON, nullable=False),
        Column("record", JSON),
        Column("status", String(16), nullable=False),
        Column("run_id", String(64), nullable=False),
        Column("created_at", DateTime(timezone=True), nullable=False),
        Column("updated_at", DateTime(timezone=True), nullable=False),
        Column("version", Integer, nullable=False),
        Index("ix_review_items_doc_status", "doc_id", "status"),
    )
    Table(
        "processed_documents",
        metadata,
        Column("doc_id", String(64), primary_key=True),
        Column("fingerprint", String(64), primary_key=True),
        Column("outcome", String(16), nullable=False),
        Column("doc_type", String(64)),
        Column("run_id", String(64), nullable=False),
        Column("processed_at", DateTime(timezone=True), nullable=False),
    )
    Table(
        "llm_cache",
        metadata,
        Column("key", String(64), primary_key=True),
        Column("value", JSON, nullable=False),
        Column("created_at", DateTime(timezone=True), nullable=False),
    )
    metadata.create_all(connection, checkfirst=True)


def _v2_resolutions(connection: Connection) -> None:
    """Who resolved an item, how and when, and when it reached the curated tables."""
    existing = {c["name"] for c in inspect(connection).get_columns("review_items")}
    for name, kind in (
        ("reviewer", String(128)),
        ("resolution_note", String()),
        ("corrections", JSON()),
        ("reviewed_at", DateTime(timezone=True)),
        ("synced_at", DateTime(timezone=True)),
    ):
        if name not in existing:
            ddl = kind.compile(dialect=connection.dialect)
            connection.execute(text(f"ALTER TABLE review_items ADD COLUMN {name} {ddl}"))


def _v3_committed_parts(connection: Connection) -> None:
    """Which micro-batches committed, and the curated files each publishes (exactly-once output)."""
    Table(
        "committed_parts",
        MetaData(),
        Column("run_id", String(64), primary_key=True),
        Column("part", String(128), primary_key=True),
        Column("files", JSON, nullable=False),
        Column("committed_at", DateTime(timezone=True), nullable=False),
    ).create(connection, checkfirst=True)


def _v4_workbench(connection: Connection) -> None:
    """The review workbench: reviewer accounts, sessions, claims on items and the audit trail."""
    metadata = MetaData()
    Table(
        "reviewers",
        metadata,
        Column("name", String(128), primary_key=True),
        Column("password_hash", String(255), nullable=False),
        Column("created_at", DateTime(timezone=True), nullable=False),
    )
    Table(
        "review_sessions",
        metadata,
        Column("token_hash", String(64), primary_key=True),
        Column("reviewer", String(128), nullable=False),
        Column("csrf", String(64), nullable=False),
        Column("expires_at", DateTime(timezone=True), nullable=False),
    )
    Table(
        "review_claims",
        metadata,
        Column("item_id", Integer, primary_key=True),
        Column("reviewer", String(128), nullable=False),
        Column("claimed_at", DateTime(timezone=True), nullable=False),
        Column("expires_at", DateTime(timezone=True), nullable=False),
    )
    Table(
        "review_audit",
        metadata,
        Column("id", Integer, primary_key=True, autoincrement=True),
        Column("item_id", Integer, nullable=False),
        Column("reviewer", String(128), nullable=False),
        Column("action", String(32), nullable=False),
        Column("field", String(255)),
        Column("before", JSON),
        Column("after", JSON),
        Column("at", DateTime(timezone=True), nullable=False),
        Index("ix_review_audit_item", "item_id"),
    )
    metadata.create_all(connection, checkfirst=True)


def _v5_signin_failures(connection: Connection) -> None:
    """Failed sign-ins, shared by every workbench process on the same queue (the limit holds across them)."""
    Table(
        "review_signin_failures",
        MetaData(),
        Column("id", Integer, primary_key=True, autoincrement=True),
        Column("name", String(128), nullable=False),
        Column("address", String(64), nullable=False),
        Column("at", DateTime(timezone=True), nullable=False),
        Index("ix_review_signin_failures_key", "name", "address"),
    ).create(connection, checkfirst=True)


MIGRATIONS: list[Migration] = [
    _v1_initial,
    _v2_resolutions,
    _v3_committed_parts,
    _v4_workbench,
    _v5_signin_failures,
]
LATEST = len(MIGRATIONS)

_VERSION = Table("docnorm_schema_version", MetaData(), Column("version", Integer, nullable=False))


def current_version(connection: Connection) -> int:
    """The applied schema version; 0 for an empty database, 1 for a first-release database."""
    tables = set(inspect(connection).get_table_names())
    if "docnorm_schema_version" in tables:
        return int(connection.execute(select(_VERSION.c.version)).scalar_one())
    return 1 if "review_items" in tables else 0


def upgrade(connection: Connection) -> int:
    """Apply every pending migration; returns the version reached."""
    version = current_version(connection)
    _VERSION.create(connection, checkfirst=True)
    for number, migration in enumerate(MIGRATIONS, 1):
        if number > version:
            migration(connection)
    connection.execute(_VERSION.delete())
    connection.execute(_VERSION.insert().values(version=LATEST))
    return LATEST
