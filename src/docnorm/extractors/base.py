"""The Extractor protocol, what an extraction returns, and the registry of extractor kinds."""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable

from pydantic import BaseModel

from docnorm.schemas.documents import ParsedDocument, Usage
from docnorm.schemas.errors import ConfigError, DataError, ExtractionError
from docnorm.settings import Settings

RuleFn = Callable[[ParsedDocument], BaseModel]


@dataclass(frozen=True)
class Extraction:
    """A document's record, and what producing it cost (None for extractors that call no model)."""

    record: BaseModel
    usage: Usage | None = None


class ResultCache(Protocol):
    """Stores answers by key so an unchanged document is never sent to the model twice."""

    def get(self, key: str) -> dict[str, Any] | None:
        """The cached value, if any."""
        ...

    def put(self, key: str, value: dict[str, Any]) -> None:
        """Remember ``value`` under ``key``."""
        ...


@dataclass(frozen=True)
class Excerpt:
    """Elements ``first``..``last`` of a document that the rules found but could not read, and the
    record fields a model should read from them alone (``label`` says what the part is)."""

    first: int
    last: int
    fields: frozenset[str]
    label: str


class Reread(Protocol):
    """A doc type's second chance for what its rules could not read: which parts to send to a model
    on their own, and how a part's answer joins the rules' record."""

    def excerpts(self, doc: ParsedDocument, record: BaseModel) -> list[Excerpt]:
        """The unread parts of ``doc``, given what the rules made of it."""
        ...

    def absorb(self, record: BaseModel, part: BaseModel, excerpt: Excerpt, doc: ParsedDocument) -> BaseModel:
        """``record`` with the model's reading of ``excerpt`` (``part``, evidence already placed in ``doc``)."""
        ...


@dataclass(frozen=True)
class ExtractorContext:
    """What an extractor kind is built from: per-type rules and models, settings, an optional cache,
    and the doc types' rereads (see Reread)."""

    rules: Mapping[str, RuleFn]
    models: Mapping[str, type[BaseModel]]
    settings: Settings
    cache: ResultCache | None = None
    rereads: Mapping[str, Reread] = field(default_factory=dict)


@runtime_checkable
class Extractor(Protocol):
    """Turns parsed, classified documents into their doc types' pydantic records."""

    name: str
    """Recorded in lineage, e.g. ``rules``."""
    model: str | None
    """The LLM behind it, if any; recorded in lineage."""
    prompt_version: str | None
    """The prompt's version, if any; recorded in lineage and part of the cache key."""

    cpu_bound: bool
    """True when extraction is computation in this process (rules), which worker processes can share out;
    False when it waits on something else (an LLM endpoint) and runs concurrently here instead."""

    def extract_many(self, items: Sequence[tuple[ParsedDocument, str]]) -> list[Extraction | DataError]:
        """One result per (document, doc type), in order: a record, or the DataError that stopped it."""
        ...


class RulesExtractor:
    """Deterministic, offline extraction with one rule function per doc type."""

    name = "rules"
    model: str | None = None
    prompt_version: str | None = None
    cpu_bound = True

    def __init__(self, context: ExtractorContext) -> None:
        self._rules = dict(context.rules)

    def extract(self, doc: ParsedDocument, doc_type: str) -> BaseModel:
        """Run the doc type's rules."""
        rule = self._rules.get(doc_type)
        if rule is None:
            raise ExtractionError(
                "no_extractor",
                f"doc type {doc_type} has no rules: extract it with --extractor llm or hybrid "
                "(DOCNORM_EXTRACTOR), or give its DocType rules=",
            )
        return rule(doc)

    def has_rules(self, doc_type: str) -> bool:
        """True when ``doc_type`` has rules (else only a model can read it)."""
        return doc_type in self._rules

    def extract_many(self, items: Sequence[tuple[ParsedDocument, str]]) -> list[Extraction | DataError]:
        """Run the rules on each document."""
        results: list[Extraction | DataError] = []
        for doc, doc_type in items:
            try:
                results.append(Extraction(self.extract(doc, doc_type)))
            except DataError as error:
                results.append(error)
            except Exception as exc:  # a rule's bug costs this document, not the batch; the type only (no text)
                results.append(ExtractionError("extractor_crashed", f"extraction failed ({type(exc).__name__})"))
        return results


@dataclass(frozen=True)
class Choice:
    """A model's choice of doc type for a document the cues could not place (None: none of them)."""

    doc_type: str | None
    confidence: float
    usage: Usage | None = None


@runtime_checkable
class ChoosesDocTypes(Protocol):
    """An extractor that can also ask its model which registered doc type a document is."""

    def choose_doc_types(
        self, documents: Sequence[ParsedDocument], descriptions: Mapping[str, str]
    ) -> list[Choice | DataError]:
        """One choice per document among ``descriptions`` (doc type → what such documents are)."""
        ...


ExtractorFactory = Callable[[ExtractorContext], Extractor]


def _lazy(module: str, attribute: str) -> ExtractorFactory:
    """A factory that imports its class on first use (instructor and openai load only when needed)."""

    def factory(context: ExtractorContext) -> Extractor:
        cls: ExtractorFactory = getattr(importlib.import_module(module), attribute)
        return cls(context)

    return factory


_FACTORIES: dict[str, ExtractorFactory] = {
    "rules": RulesExtractor,
    "llm": _lazy("docnorm.extractors.llm.extractor", "LLMExtractor"),
    "hybrid": _lazy("docnorm.extractors.llm.extractor", "HybridExtractor"),
}


def register_extractor(name: str, factory: ExtractorFactory) -> None:
    """Make an extractor kind selectable by name (``--extractor NAME``)."""
    if name in _FACTORIES:
        raise ConfigError(f"extractor {name!r} is already registered")
    _FACTORIES[name] = factory


def extractor_names() -> list[str]:
    """The registered extractor kinds."""
    return sorted(_FACTORIES)


def build_extractor(name: str, context: ExtractorContext) -> Extractor:
    """The extractor called ``name``; ConfigError naming the known kinds otherwise."""
    try:
        factory = _FACTORIES[name]
    except KeyError:
        raise ConfigError(f"unknown extractor {name!r}; choose one of: {', '.join(extractor_names())}") from None
    return factory(context)
