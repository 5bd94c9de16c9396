"""The Extractor protocol and the registry of extractor kinds."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Protocol, runtime_checkable

from pydantic import BaseModel

from docnorm.schemas.documents import ParsedDocument
from docnorm.schemas.errors import ConfigError, ExtractionError

RuleFn = Callable[[ParsedDocument], BaseModel]


@runtime_checkable
class Extractor(Protocol):
    """Turns a parsed, classified document into its doc type's pydantic record."""

    name: str
    """Recorded in lineage, e.g. ``rules``."""
    model: str | None
    """The LLM behind it, if any; recorded in lineage."""

    def extract(self, doc: ParsedDocument, doc_type: str) -> BaseModel:
        """Return the record, or raise ExtractionError."""
        ...


class RulesExtractor:
    """Deterministic, offline extraction with one rule function per doc type."""

    name = "rules"
    model: str | None = None

    def __init__(self, rules: Mapping[str, RuleFn]) -> None:
        self._rules = dict(rules)

    def extract(self, doc: ParsedDocument, doc_type: str) -> BaseModel:
        """Run the doc type's rules."""
        rule = self._rules.get(doc_type)
        if rule is None:
            raise ExtractionError("no_extractor", f"no rules for doc type {doc_type}")
        return rule(doc)


ExtractorFactory = Callable[[Mapping[str, RuleFn]], Extractor]
_FACTORIES: dict[str, ExtractorFactory] = {"rules": RulesExtractor}


def register_extractor(name: str, factory: ExtractorFactory) -> None:
    """Make an extractor kind selectable by name (``--extractor NAME``)."""
    if name in _FACTORIES:
        raise ConfigError(f"extractor {name!r} is already registered")
    _FACTORIES[name] = factory


def build_extractor(name: str, rules: Mapping[str, RuleFn]) -> Extractor:
    """The extractor called ``name``; ConfigError naming the known kinds otherwise."""
    try:
        factory = _FACTORIES[name]
    except KeyError:
        known = ", ".join(sorted(_FACTORIES))
        raise ConfigError(f"unknown extractor {name!r}; choose one of: {known}") from None
    return factory(rules)
