"""Intake (sniffing, hashing, limits) and the unstructured adapter. Knows no doc types."""

from docnorm.parsers.intake import Intake, Limits, document_id, intake
from docnorm.parsers.unstructured_adapter import check_parser_environment, parse

__all__ = ["Intake", "Limits", "check_parser_environment", "document_id", "intake", "parse"]
