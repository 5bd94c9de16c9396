"""Records → rows of per-type tables → pandera checks → failures per document. Routes nothing."""

from docnorm.schemas.tables import LINEAGE_COLUMNS, Column, Row, TableSpec
from docnorm.validators.options import ValidationOptions
from docnorm.validators.verdict import failures_by_document

__all__ = ["LINEAGE_COLUMNS", "Column", "Row", "TableSpec", "ValidationOptions", "failures_by_document"]
