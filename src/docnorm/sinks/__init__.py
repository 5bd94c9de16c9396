"""Where documents end: the curated Parquet dataset, the review queue, the ledger and the manifest."""

from docnorm.sinks.database import open_database
from docnorm.sinks.ledger import already_processed, record_processed
from docnorm.sinks.llm_cache import SqlResultCache
from docnorm.sinks.manifest import Manifest, manifest_entries, write_manifest
from docnorm.sinks.parquet import ParquetSink
from docnorm.sinks.review import ReviewItem, enqueue

__all__ = [
    "Manifest",
    "ParquetSink",
    "ReviewItem",
    "SqlResultCache",
    "already_processed",
    "enqueue",
    "manifest_entries",
    "open_database",
    "record_processed",
    "write_manifest",
]
