"""Classification and extraction: cues, the Extractor protocol, rules per doc type, the LLM extractors."""

from docnorm.extractors.base import (
    Extraction,
    Extractor,
    ExtractorContext,
    ResultCache,
    RuleFn,
    RulesExtractor,
    build_extractor,
    extractor_names,
    register_extractor,
)
from docnorm.extractors.classify import Cue, classify

__all__ = [
    "Cue",
    "Extraction",
    "Extractor",
    "ExtractorContext",
    "ResultCache",
    "RuleFn",
    "RulesExtractor",
    "build_extractor",
    "classify",
    "extractor_names",
    "register_extractor",
]
