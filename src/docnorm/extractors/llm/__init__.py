"""LLM extraction through instructor: derived response models, grounding, chunking, the extractors.

The ``llm`` and ``hybrid`` kinds are registered lazily in ``docnorm.extractors.base``.
"""

from docnorm.extractors.llm.extractor import HybridExtractor, LLMExtractor
from docnorm.extractors.llm.prompt import PROMPT_VERSION

__all__ = ["PROMPT_VERSION", "HybridExtractor", "LLMExtractor"]
