"""``json_schema`` mode: the response model's JSON schema sent as ``response_format``.

Servers that constrain decoding by a grammar (llama.cpp, vLLM, Ollama) and OpenAI's strict structured
outputs read the same request. Strict mode wants every property listed as required (optional ones
are nullable instead), no extra properties and no defaults, so the schema is made strict here; an
answer that still does not fit is re-asked with the validation errors, as instructor does.
"""

from __future__ import annotations

import copy
from typing import Any

import openai
from pydantic import BaseModel, ValidationError

from docnorm.schemas.errors import ExtractionError

_MAX_REASON = 200


def strict_schema(model: type[BaseModel]) -> dict[str, Any]:
    """``model``'s JSON schema in the strict form: all properties required, none extra, no defaults."""
    schema = copy.deepcopy(model.model_json_schema())
    _strict(schema)
    return schema


def _strict(node: Any) -> None:
    if isinstance(node, dict):
        node.pop("default", None)
        if node.get("type") == "object" or "properties" in node:
            properties = node.setdefault("properties", {})
            node["required"] = list(properties)
            node["additionalProperties"] = False
        for value in node.values():
            _strict(value)
    elif isinstance(node, list):
        for item in node:
            _strict(item)


def response_format(model: type[BaseModel]) -> dict[str, Any]:
    """The ``response_format`` of a chat completion that must answer ``model``."""
    return {"type": "json_schema", "json_schema": {"name": model.__name__[:64], "schema": strict_schema(model),
                                                    "strict": True}}  # fmt: skip


async def ask_json_schema(
    client: openai.AsyncOpenAI,
    *,
    model: str,
    messages: list[dict[str, str]],
    answer_model: type[BaseModel],
    temperature: float,
    retries: int,
) -> tuple[BaseModel, Any]:
    """The validated answer and the last raw completion; ExtractionError ``llm_invalid_output`` when the
    server rejects the schema (with its reason) or no answer fits after ``retries`` re-asks."""
    prompt: list[dict[str, str]] = list(messages)
    fmt = response_format(answer_model)
    create: Any = client.chat.completions.create  # plain dicts for messages and format, as sent
    for _ in range(retries + 1):
        try:
            completion = await create(model=model, messages=prompt, temperature=temperature, response_format=fmt)
        except openai.BadRequestError as exc:
            reason = _reason(exc)
            raise ExtractionError("llm_invalid_output", f"the endpoint refused the response schema: {reason}") from None
        text = completion.choices[0].message.content or ""
        try:
            return answer_model.model_validate_json(text), completion
        except ValidationError as exc:
            problems = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors()[:10])
            prompt = [*prompt, {"role": "assistant", "content": text},
                      {"role": "user", "content": f"That JSON does not fit the schema ({problems}). Answer again."}]  # fmt: skip
    raise ExtractionError("llm_invalid_output", f"no schema-valid answer after {retries + 1} attempt(s)")


def _reason(exc: openai.BadRequestError) -> str:
    message: Any = None
    if isinstance(exc.body, dict):  # openai gives the body's "error" object, or the whole body
        inner = exc.body.get("error")
        message = exc.body.get("message") or (inner.get("message") if isinstance(inner, dict) else inner)
    text = " ".join(str(message or "HTTP 400").split())
    return text[:_MAX_REASON]
