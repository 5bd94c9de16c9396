"""Response models derived from the doc-type models, so a new doc type needs no prompt code.

Every ``Extracted[T]`` becomes ``{value, quote}`` and every nested ``evidence`` becomes a
``quote``; field descriptions carry over and become the model's instructions. Answers are
turned back into the doc-type record with evidence found by the grounding check.
"""

from __future__ import annotations

import types
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache
from typing import Any, Union, get_args, get_origin

from pydantic import BaseModel, Field, create_model

from docnorm.extractors.llm.grounding import Grounder, value_in_quote
from docnorm.schemas.evidence import Extracted
from docnorm.schemas.records import extracted_type, is_model, list_item, strip_optional

QUOTE_HELP = "The exact text in the document this value was read from, copied character for character."


@cache
def response_model(model: type[BaseModel], only: frozenset[str] | None = None) -> type[BaseModel]:
    """The LLM-facing model for ``model``; with ``only``, just those top-level fields (hybrid)."""
    fields: dict[str, Any] = {}
    for name, info in model.model_fields.items():
        if only is not None and name not in only:
            continue
        if name == "evidence":
            fields["quote"] = (str | None, Field(default=None, description=QUOTE_HELP))
            continue
        annotation = _convert(info.annotation)
        default: Any = ... if info.is_required() else (None if get_origin(info.annotation) is not list else [])
        if get_origin(info.annotation) is list and not info.is_required():
            fields[name] = (annotation, Field(default_factory=list, description=info.description))
        else:
            fields[name] = (annotation, Field(default=default, description=info.description))
    suffix = "Extraction" if only is None else "ExtractionPart" + "".join(sorted(n[:2] for n in only))
    return create_model(f"{model.__name__}{suffix}", __doc__=model.__doc__, **fields)


@cache
def _quoted(inner: Any) -> type[BaseModel]:
    name = getattr(inner, "__name__", str(inner)).title().replace(".", "")
    return create_model(
        f"Quoted{name}",
        value=(inner | None, Field(default=None, description="The value, normalised to its type.")),
        quote=(str | None, Field(default=None, description=QUOTE_HELP)),
    )


def _convert(annotation: Any) -> Any:
    origin = get_origin(annotation)
    if origin in (Union, types.UnionType):
        return Union[tuple(_convert(arg) for arg in get_args(annotation))]  # noqa: UP007 - built from a tuple
    if origin is list:
        return list[_convert(get_args(annotation)[0])]  # type: ignore[misc]
    extracted = extracted_type(annotation)
    if extracted is not None:
        return _quoted(extracted)
    if is_model(annotation):
        return response_model(annotation)
    return annotation


@dataclass
class Grounded:
    """An answer turned into record data, and the paths whose quotes were not in the document."""

    data: dict[str, Any]
    ungrounded: list[str] = field(default_factory=list)


def ground(answer: BaseModel, model: type[BaseModel], grounder: Grounder) -> Grounded:
    """Record data for ``model`` from ``answer``: ungrounded values are dropped and listed."""
    result = Grounded({})
    result.data = _ground_model(answer, model, grounder, "", result.ungrounded)
    return result


def _ground_model(
    answer: BaseModel, model: type[BaseModel], grounder: Grounder, path: str, bad: list[str]
) -> dict[str, Any]:
    data: dict[str, Any] = {}
    for name, info in model.model_fields.items():
        if name == "evidence":
            continue
        if name not in type(answer).model_fields:
            continue
        value = getattr(answer, name)
        data[name] = _ground_value(
            value, info.annotation, grounder, f"{path}{name}", bad, _in_quote(info), info.json_schema_extra
        )
    if "evidence" in model.model_fields:
        evidence = grounder.find(getattr(answer, "quote", None))
        supported = evidence is not None and all(
            value_in_quote(data.get(name), evidence.quote, verbatim=True)
            for name, info in model.model_fields.items()
            if _in_quote(info)
        )
        if not supported:
            bad.append(path.rstrip(".") or "record")
        data["evidence"] = evidence
    return data


def _in_quote(info: Any) -> bool:
    extra = info.json_schema_extra
    return isinstance(extra, dict) and bool(extra.get("in_quote"))


def _unstated_default(extra: Any) -> Any:
    return extra.get("unstated_default") if isinstance(extra, dict) else None


def _ground_value(
    value: Any,
    annotation: Any,
    grounder: Grounder,
    path: str,
    bad: list[str],
    in_quote: bool = False,
    info_extra: Any = None,
) -> Any:
    if value is None:
        return None
    if isinstance(value, list):
        inner = list_item(annotation) or Any
        items = [_ground_value(item, inner, grounder, f"{path}[{i}]", bad, in_quote) for i, item in enumerate(value)]
        return [item for item in items if item is not _DROP]
    extracted = extracted_type(strip_optional(annotation))
    if extracted is not None:
        if value.value is None:
            return None
        if value.quote is None and _unstated_default(info_extra) == value.value:
            return {"value": value.value, "evidence": None}
        evidence = grounder.find(value.quote)
        if evidence is None or not value_in_quote(value.value, evidence.quote, verbatim=in_quote):
            bad.append(path)
            return _DROP if _is_list_item(path) else None
        return {"value": value.value, "evidence": evidence}
    target = strip_optional(annotation)
    if isinstance(value, BaseModel) and is_model(target):
        before = len(bad)
        data = _ground_model(value, target, grounder, f"{path}.", bad)
        if len(bad) > before and _is_list_item(path):
            return _DROP
        return data
    return value


_DROP = object()


def _is_list_item(path: str) -> bool:
    return path.endswith("]")


def to_answer(record: BaseModel) -> dict[str, Any]:
    """A record as the LLM would answer it (value + quote): the test double's answer format."""
    answer: dict[str, Any] = _answer(record)
    return answer


def _answer(node: Any) -> Any:
    if isinstance(node, Extracted):
        return {"value": _answer(node.value), "quote": node.quote}
    if isinstance(node, BaseModel):
        out = {name: _answer(getattr(node, name)) for name in type(node).model_fields if name != "evidence"}
        if "evidence" in type(node).model_fields:
            evidence = getattr(node, "evidence", None)
            out["quote"] = evidence.quote if evidence is not None else None
        return out
    if isinstance(node, list):
        return [_answer(item) for item in node]
    if hasattr(node, "isoformat"):
        return node.isoformat()
    if isinstance(node, Iterable) and not isinstance(node, str):
        return list(node)
    return node if isinstance(node, str | int | float | bool) or node is None else str(node)
