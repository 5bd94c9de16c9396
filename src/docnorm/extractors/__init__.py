"""Classification and extraction: cues, the Extractor protocol, rules per doc type."""

from docnorm.extractors.base import Extractor, RuleFn, RulesExtractor, build_extractor, register_extractor
from docnorm.extractors.classify import Cue, classify

__all__ = ["Cue", "Extractor", "RuleFn", "RulesExtractor", "build_extractor", "classify", "register_extractor"]
