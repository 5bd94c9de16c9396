"""Pydantic models of documents, doc types and shared values. Imports nothing heavy."""

from docnorm.schemas.contract import Contract
from docnorm.schemas.documents import (
    Classification,
    DocumentResult,
    Element,
    FileKind,
    Lineage,
    Outcome,
    ParsedDocument,
    Reason,
    SourceDocument,
    Stage,
    Usage,
)
from docnorm.schemas.errors import (
    ClassificationError,
    ConfigError,
    DataError,
    DocnormError,
    ExtractionError,
    ParseError,
    ReviewConflict,
)
from docnorm.schemas.evidence import Evidence, Extracted
from docnorm.schemas.financial import FinancialStatement, LineItem, StatementKind, UnitScale
from docnorm.schemas.medical import Diagnosis, MedicalRecord, Medication, Patient, Vital
from docnorm.schemas.values import Money, Party, Signatory

SCHEMA_VERSION = "4"
"""Bumped whenever a curated table changes shape; docs/outputs.md lists what changed in each version."""

__all__ = [
    "SCHEMA_VERSION",
    "Classification",
    "ClassificationError",
    "ConfigError",
    "Contract",
    "DataError",
    "Diagnosis",
    "DocnormError",
    "DocumentResult",
    "Element",
    "Evidence",
    "Extracted",
    "ExtractionError",
    "FileKind",
    "FinancialStatement",
    "LineItem",
    "Lineage",
    "MedicalRecord",
    "Medication",
    "Money",
    "Outcome",
    "ParseError",
    "ParsedDocument",
    "Party",
    "Patient",
    "Reason",
    "ReviewConflict",
    "Signatory",
    "SourceDocument",
    "Stage",
    "StatementKind",
    "UnitScale",
    "Usage",
    "Vital",
]
