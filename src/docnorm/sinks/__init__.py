"""Where documents end: the curated Parquet dataset (one writer), the review queue, the ledger and the manifest."""

from docnorm.sinks.curated import CuratedRecord, CuratedWriter, Origin, Store, open_store
from docnorm.sinks.database import open_database
from docnorm.sinks.ledger import already_processed, record_processed
from docnorm.sinks.llm_cache import SqlResultCache
from docnorm.sinks.manifest import write_manifest
from docnorm.sinks.review import ReviewItem, enqueue

__all__ = [
    "CuratedRecord",
    "CuratedWriter",
    "Origin",
    "ReviewItem",
    "SqlResultCache",
    "Store",
    "already_processed",
    "enqueue",
    "open_database",
    "open_store",
    "record_processed",
    "write_manifest",
]
