"""A plain pydantic model as docnorm reads it: every value with the evidence it was read from.

``evidenced(Invoice)`` turns each scalar field ``T`` into ``Extracted[T] | None`` (nested models and
list items likewise), so extraction, grounding, provenance and confidence treat a user's model
exactly as they treat the built-in ones. A model whose values already carry evidence (an
``Extracted`` field, or an item with its own ``evidence``) is used as it is.
"""

from __future__ import annotations

from enum import Enum
from functools import cache
from typing import Any

from pydantic import BaseModel, Field, create_model
from pydantic.fields import FieldInfo

from docnorm.schemas.evidence import Extracted
from docnorm.schemas.records import extracted_type, is_model, list_item, strip_optional


@cache
def evidenced(model: type[BaseModel]) -> type[BaseModel]:
    """The model docnorm extracts into for ``model``: the same class when it needs no change."""
    fields: dict[str, Any] = {}
    changed = False
    for name, info in model.model_fields.items():
        annotation, default = _field(name, info, item_evidence="evidence" in model.model_fields)
        changed = changed or annotation is not info.annotation
        fields[name] = (annotation, default)
    if not changed:
        return model
    derived: type[BaseModel] = create_model(
        model.__name__, __doc__=model.__doc__, __module__=model.__module__, **fields
    )
    _DECLARED[derived] = model
    return derived


_DECLARED: dict[type[BaseModel], type[BaseModel]] = {}


def declared_of(model: type[BaseModel]) -> type[BaseModel]:
    """The declared model an evidenced one was derived from (itself when it was used as declared).

    Derived models are made at run time, so they pickle by their declared model: ``evidenced`` of it
    gives the same class again in any process.
    """
    return _DECLARED.get(model, model)


def _field(name: str, info: FieldInfo, *, item_evidence: bool) -> tuple[Any, Any]:
    annotation = info.annotation
    bare = strip_optional(annotation)
    keep = (annotation, info)
    if name == "evidence" or extracted_type(bare) is not None:
        return keep
    item = list_item(annotation)
    if item is not None and (is_model(item) or extracted_type(item) is not None or item_evidence):
        if is_model(item) and evidenced(item) is not item:
            return list[evidenced(item)], Field(default_factory=list, description=info.description)  # type: ignore[misc]
        return keep
    if is_model(bare):
        inner = evidenced(bare)
        if inner is bare and info.is_required() is False:
            return keep
        return inner | None, Field(default=None, description=info.description)
    if item_evidence:
        return keep  # the item's own evidence covers its scalars (the built-in types' style)
    return Extracted[bare] | None, Field(  # type: ignore[valid-type]
        default=None, description=info.description, json_schema_extra=_grounding(bare, info)
    )


def _grounding(annotation: Any, info: FieldInfo) -> Any:
    """Text and numbers must be readable in their quote; normalised values (enums, Literals) need not."""
    extra = info.json_schema_extra
    if isinstance(extra, dict) and "in_quote" in extra:
        return extra
    verbatim = annotation in (str, int, float) or getattr(annotation, "__name__", "") == "Decimal"
    if isinstance(annotation, type) and issubclass(annotation, Enum):
        verbatim = False
    merged = dict(extra) if isinstance(extra, dict) else {}
    merged["in_quote"] = verbatim
    return merged


def lift(record: BaseModel, model: type[BaseModel], find: Any) -> BaseModel:
    """A plain ``record`` (what a plugin's rules return) as an instance of ``evidenced(model)``:
    each value's evidence is where ``find`` locates its text in the document (None when it cannot)."""
    target = evidenced(model)
    if isinstance(record, target):
        return record
    return target.model_validate(_lift(record, find))


def _lift(node: Any, find: Any) -> Any:
    if isinstance(node, BaseModel):
        target = evidenced(type(node))
        out: dict[str, Any] = {}
        for name, info in target.model_fields.items():
            value = getattr(node, name, None)
            if extracted_type(strip_optional(info.annotation)) is not None and not isinstance(value, Extracted):
                out[name] = None if value is None else {"value": value, "evidence": find(_text(value))}
            else:
                out[name] = _lift(value, find)
        return out
    if isinstance(node, list):
        return [_lift(item, find) for item in node]
    return node


def _text(value: Any) -> str:
    if isinstance(value, Enum):
        return str(value.value)
    return value.isoformat() if hasattr(value, "isoformat") else str(value)


def plain(record: BaseModel, model: type[BaseModel]) -> BaseModel:
    """The evidenced ``record`` as an instance of the declared ``model`` (values only).

    Raises ValidationError when the values do not make a valid ``model`` (a required field missing,
    a constraint broken): the record's checks run on complete records only.
    """
    if isinstance(record, model):
        return record
    return model.model_validate(_values(record))


def _values(node: Any) -> Any:
    if isinstance(node, Extracted):
        return _values(node.value)
    if isinstance(node, BaseModel):
        return {name: _values(getattr(node, name)) for name in type(node).model_fields}
    if isinstance(node, list):
        return [_values(item) for item in node]
    return node
