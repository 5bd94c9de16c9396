"""The ``llm`` and ``hybrid`` extractors: instructor over the openai client, any OpenAI-compatible endpoint."""

from __future__ import annotations

import asyncio
import contextlib
import functools
import hashlib
import json
import logging
from collections.abc import AsyncIterator, Mapping, Sequence
from typing import Any, Literal

import instructor
import openai
from instructor.core import InstructorRetryException
from instructor.v2.core.function_calls import response_schema
from pydantic import BaseModel, Field, create_model

from docnorm.extractors.base import Choice, Excerpt, Extraction, ExtractorContext, RulesExtractor
from docnorm.extractors.llm.flagged import check_flagged
from docnorm.extractors.llm.grounding import Grounder
from docnorm.extractors.llm.merge import merge_answers, missing_fields
from docnorm.extractors.llm.prompt import PROMPT_VERSION, choice_messages, chunks, messages
from docnorm.extractors.llm.schema import ground, response_model
from docnorm.extractors.llm.structured import ask_json_schema
from docnorm.schemas import SCHEMA_VERSION
from docnorm.schemas.documents import ParsedDocument, Usage
from docnorm.schemas.errors import ConfigError, DataError, ExtractionError
from docnorm.schemas.evidence import Evidence

log = logging.getLogger("docnorm")

_MODES = {
    "tools": instructor.Mode.TOOLS,
    "json": instructor.Mode.JSON,
    "md_json": instructor.Mode.MD_JSON,
    # json_schema calls go through structured.py on the raw client (instructor would send the schema
    # without strict); the instructor wrapper is made all the same and unused in that mode.
    "json_schema": instructor.Mode.JSON,
}


class LLMExtractor:
    """Schema-constrained extraction: the doc type's response model, grounded, chunked, cached, costed."""

    name = "llm"
    prompt_version: str | None = PROMPT_VERSION
    cpu_bound = False

    def __init__(self, context: ExtractorContext) -> None:
        settings = context.settings
        if not settings.llm_model:
            raise ConfigError(f"the {self.name} extractor needs a model: set DOCNORM_LLM_MODEL")
        if settings.llm_api_key is None and settings.llm_base_url is None:
            raise ConfigError(
                f"the {self.name} extractor needs an endpoint: set DOCNORM_LLM_BASE_URL and/or DOCNORM_LLM_API_KEY"
            )
        self.model: str | None = settings.llm_model
        self._settings = settings
        self._models = dict(context.models)
        self._cache = context.cache

    def extract_many(self, items: Sequence[tuple[ParsedDocument, str]]) -> list[Extraction | DataError]:
        """Extract every document concurrently (bounded by DOCNORM_LLM_CONCURRENCY)."""
        requests = [(doc, doc_type, None, None) for doc, doc_type in items]
        return asyncio.run(self._run(requests))

    def choose_doc_types(
        self, documents: Sequence[ParsedDocument], descriptions: Mapping[str, str]
    ) -> list[Choice | DataError]:
        """Ask the model which of the described doc types each document is (concurrently, like extraction)."""
        return asyncio.run(self._choose_all(documents, descriptions))

    @contextlib.asynccontextmanager
    async def _client(self) -> AsyncIterator[tuple[Any, asyncio.Semaphore]]:
        s = self._settings
        key = s.llm_api_key.get_secret_value() if s.llm_api_key else "not-needed"
        async with openai.AsyncOpenAI(
            base_url=s.llm_base_url, api_key=key, timeout=s.llm_timeout_seconds, max_retries=s.llm_max_retries
        ) as raw:
            yield instructor.from_openai(raw, mode=_MODES[s.llm_mode]), asyncio.Semaphore(s.llm_concurrency)

    async def _run(
        self, requests: Sequence[tuple[ParsedDocument, str, frozenset[str] | None, BaseModel | None]]
    ) -> list[Extraction | DataError]:
        async with self._client() as (client, gate):
            return list(
                await asyncio.gather(*(self._one(client, gate, doc, t, only, base) for doc, t, only, base in requests))
            )

    async def _choose_all(
        self, documents: Sequence[ParsedDocument], descriptions: Mapping[str, str]
    ) -> list[Choice | DataError]:
        answer_model = _wrapped(choice_model(tuple(descriptions)))
        async with self._client() as (client, gate):
            return list(await asyncio.gather(*(self._choose(client, gate, d, descriptions, answer_model)
                                               for d in documents)))  # fmt: skip

    async def _choose(
        self,
        client: Any,
        gate: asyncio.Semaphore,
        doc: ParsedDocument,
        descriptions: Mapping[str, str],
        answer_model: type[BaseModel],
    ) -> Choice | DataError:
        prompt = choice_messages(doc, descriptions, self._settings.llm_max_input_tokens)
        try:
            answer, usage = await self._ask(client, gate, prompt, answer_model)
        except DataError as error:
            return error
        chosen = answer["doc_type"]
        return Choice(None if chosen == NONE else chosen, float(answer["confidence"]), usage)

    async def _one(
        self,
        client: Any,
        gate: asyncio.Semaphore,
        doc: ParsedDocument,
        doc_type: str,
        only: frozenset[str] | None,
        base: BaseModel | None,
    ) -> Extraction | DataError:
        model = self._models[doc_type]
        answer_model = _wrapped(response_model(model, only))
        try:
            answers, usage = await self._answers(client, gate, doc, doc_type, answer_model, only)
            merged, conflicts = merge_answers(answers)
            if conflicts:
                raise ExtractionError("conflicting_values", f"document parts disagree on: {', '.join(conflicts)}")
            grounded = ground(answer_model.model_validate(merged), model, Grounder(doc))
            if grounded.ungrounded and self._settings.llm_ungrounded == "review":
                raise ExtractionError(
                    "ungrounded_value",
                    f"{len(grounded.ungrounded)} value(s) not found in the document: {', '.join(grounded.ungrounded[:8])}",
                )
            data = {**(base.model_dump() if base is not None else {}), **grounded.data}
            record = model.model_validate(data)
            check_flagged(record, doc)
            return Extraction(record, usage)
        except DataError as error:
            log.info("document %s stopped at extract: %s", doc.source.doc_id[:12], error.reason)
            return error

    async def _answers(
        self,
        client: Any,
        gate: asyncio.Semaphore,
        doc: ParsedDocument,
        doc_type: str,
        answer_model: type[BaseModel],
        only: frozenset[str] | None,
    ) -> tuple[list[dict[str, Any]], Usage]:
        key = self._cache_key(doc, doc_type, only, answer_model)
        cached = self._cache.get(key) if self._cache else None
        if cached is not None:
            return cached["answers"], Usage(calls=0, cost_usd=None)
        parts = chunks(doc, self._settings.llm_max_input_tokens)
        calls = await asyncio.gather(
            *(
                self._ask(client, gate, messages(doc, text, answer_model, (n, len(parts))), answer_model)
                for n, text in enumerate(parts, 1)
            )
        )
        answers = [answer for answer, _ in calls]
        usage = sum((u for _, u in calls), Usage())
        if self._cache:
            self._cache.put(key, {"answers": answers})
        return answers, usage

    async def _ask(
        self, client: Any, gate: asyncio.Semaphore, prompt: list[dict[str, str]], answer_model: type[BaseModel]
    ) -> tuple[dict[str, Any], Usage]:
        s = self._settings
        async with gate:
            try:
                if s.llm_mode == "json_schema":
                    answer, completion = await ask_json_schema(
                        client.client,
                        model=str(s.llm_model),
                        messages=prompt,
                        answer_model=answer_model,
                        temperature=s.llm_temperature,
                        retries=s.llm_validation_retries,
                    )
                    return answer.model_dump(mode="json"), self._usage(answer, completion)
                answer, _ = await client.chat.completions.create_with_completion(
                    model=s.llm_model,
                    messages=prompt,
                    response_model=answer_model,
                    max_retries=s.llm_validation_retries,
                    temperature=s.llm_temperature,
                )
            except (openai.APIStatusError, openai.APIConnectionError, openai.APITimeoutError) as exc:
                raise _unavailable(exc) from None
            except InstructorRetryException as exc:
                cause = exc.__cause__ or exc.__context__
                if isinstance(cause, openai.APIError):
                    raise _unavailable(cause) from None
                raise ExtractionError(
                    "llm_invalid_output", f"no schema-valid answer after {exc.n_attempts} attempt(s)"
                ) from None
        return answer.model_dump(mode="json"), self._usage(answer)

    def _usage(self, answer: BaseModel, completion: Any = None) -> Usage:
        raw = completion if completion is not None else getattr(answer, "_raw_response", None)
        tokens = getattr(raw, "usage", None)
        prompt = int(getattr(tokens, "prompt_tokens", 0) or 0)
        completion = int(getattr(tokens, "completion_tokens", 0) or 0)
        price = self._settings.llm_prices.get(self.model or "")
        cost = None if price is None else round(prompt / 1e6 * price[0] + completion / 1e6 * price[1], 6)
        return Usage(calls=1, prompt_tokens=prompt, completion_tokens=completion, cost_usd=cost)

    def _cache_key(
        self, doc: ParsedDocument, doc_type: str, only: frozenset[str] | None, answer_model: type[BaseModel]
    ) -> str:
        # The response schema is part of the key: a plugin's changed model must not be answered from the cache.
        parts = [doc.source.doc_id, doc_type, SCHEMA_VERSION, self.model or "", PROMPT_VERSION, self._settings.llm_mode]
        parts.append(_schema_digest(answer_model))
        parts.append(",".join(sorted(only)) if only else "*")
        parts.append(str(self._settings.llm_max_input_tokens))
        return hashlib.sha256(json.dumps(parts).encode()).hexdigest()


NONE = "none"


@functools.cache
def _schema_digest(model: type[BaseModel]) -> str:
    return hashlib.sha256(json.dumps(model.model_json_schema(), sort_keys=True).encode()).hexdigest()[:16]


@functools.cache
def choice_model(names: tuple[str, ...]) -> type[BaseModel]:
    """The response model of a doc-type choice among ``names`` (or ``none``), with a confidence."""
    kinds = Literal[(*names, NONE)]  # type: ignore[valid-type]
    return create_model(
        "DocTypeChoice",
        doc_type=(kinds, Field(description="The kind of document this is, or none.")),
        confidence=(float, Field(ge=0, le=1, description="How sure you are of the choice, from 0 to 1.")),
    )


@functools.cache
def _wrapped(model: type[BaseModel]) -> type[BaseModel]:
    """Instructor's ResponseSchema subclass of ``model``, made once.

    instructor wraps a plain model anew on every call, which defeats its own schema cache and
    costs ~17 ms of CPU per call; wrapping once keeps the client fast at high concurrency.
    """
    return response_schema(model)


def _unavailable(exc: BaseException) -> ExtractionError:
    status = getattr(exc, "status_code", None)
    detail = f"HTTP {status}" if status else type(exc).__name__
    return ExtractionError("llm_unavailable", f"the endpoint failed after retries ({detail})")


class HybridExtractor(LLMExtractor):
    """Rules first; the LLM is asked only for the fields the rules left empty or unverified, and for
    the parts of a document the rules found but could not read (a doc type's Reread), each alone."""

    name = "hybrid"

    def __init__(self, context: ExtractorContext) -> None:
        super().__init__(context)
        self._rules = RulesExtractor(context)
        self._rereads = dict(context.rereads)

    def extract_many(self, items: Sequence[tuple[ParsedDocument, str]]) -> list[Extraction | DataError]:
        """Rules for every document, then one LLM pass over the gaps and unread parts of those that have any."""
        results: list[Extraction | DataError] = list(self._rules.extract_many(items))
        requests: list[tuple[ParsedDocument, str, frozenset[str] | None, BaseModel | None]] = []
        targets: list[tuple[int, Excerpt | None]] = []
        for position, ((doc, doc_type), result) in enumerate(zip(items, results, strict=True)):
            if not self._rules.has_rules(doc_type):
                requests.append((doc, doc_type, None, None))  # a doc type without rules is the model's alone
                targets.append((position, None))
                continue
            if not isinstance(result, Extraction):
                continue
            gaps = missing_fields(result.record)
            if gaps:
                requests.append((doc, doc_type, frozenset(gaps), result.record))
                targets.append((position, None))
            reread = self._rereads.get(doc_type)
            for part in reread.excerpts(doc, result.record) if reread else []:
                requests.append((doc.excerpt(part.first, part.last), doc_type, part.fields, None))
                targets.append((position, part))
        if requests:
            answers = asyncio.run(self._run(requests))
            # Whole-document answers first: they replace the rules' record; parts then join it.
            ordered = sorted(zip(targets, answers, strict=True), key=lambda pair: pair[0][1] is not None)
            for (position, target), answer in ordered:
                results[position] = self._combine(items[position], results[position], answer, target)
        return [_flag_checked(doc, result) for (doc, _), result in zip(items, results, strict=True)]

    def _combine(
        self,
        item: tuple[ParsedDocument, str],
        current: Extraction | DataError,
        answer: Extraction | DataError,
        excerpt: Excerpt | None,
    ) -> Extraction | DataError:
        doc, doc_type = item
        if isinstance(current, DataError) and self._rules.has_rules(doc_type):
            return current
        if excerpt is None or isinstance(answer, DataError):
            return answer  # a whole-document answer replaces the rules' record; a failed part stops the document
        if isinstance(current, DataError):
            return current
        part = _placed(answer.record, doc.elements[excerpt.first].start, excerpt.first)
        record = self._rereads[doc_type].absorb(current.record, part, excerpt, doc)
        usage = sum((u for u in (current.usage, answer.usage) if u is not None), Usage())
        return Extraction(record, usage)


def _flag_checked(doc: ParsedDocument, result: Extraction | DataError) -> Extraction | DataError:
    """``result``, or the review it earns when one of its values, the rules' included, was read from a
    flagged sentence (a hybrid record is the model's and the rules' together: all of it is asked)."""
    if isinstance(result, Extraction):
        try:
            check_flagged(result.record, doc)
        except DataError as error:
            log.info("document %s stopped at extract: %s", doc.source.doc_id[:12], error.reason)
            return error
    return result


def _placed(node: Any, chars: int, elements: int) -> Any:
    """``node`` with every Evidence in it moved ``chars`` characters and ``elements`` elements on."""
    if isinstance(node, Evidence):
        return node.shifted(chars, elements)
    if isinstance(node, BaseModel):
        return node.model_copy(
            update={name: _placed(getattr(node, name), chars, elements) for name in type(node).model_fields}
        )
    if isinstance(node, list):
        return [_placed(item, chars, elements) for item in node]
    return node
