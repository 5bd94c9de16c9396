"""LLM extraction through instructor: derived response models, grounding, chunking, the extractors.

The ``llm`` and ``hybrid`` kinds are registered lazily in ``docnorm.extractors.base``; the extractor
classes (and with them openai and instructor) load on first use, so a rules run never imports them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from docnorm.extractors.llm.prompt import PROMPT_VERSION

if TYPE_CHECKING:
    from docnorm.extractors.llm.extractor import HybridExtractor, LLMExtractor

__all__ = ["PROMPT_VERSION", "HybridExtractor", "LLMExtractor"]


def __getattr__(name: str) -> Any:
    if name in {"HybridExtractor", "LLMExtractor"}:
        from docnorm.extractors.llm import extractor

        return getattr(extractor, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
