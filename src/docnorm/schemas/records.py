"""Walking a doc-type record: its leaf values by dotted path, and what its annotations wrap."""

from __future__ import annotations

import types
from typing import Any, Union, get_args, get_origin

from pydantic import BaseModel

from docnorm.schemas.evidence import Extracted


def flatten_record(record: BaseModel) -> dict[str, list[Any]]:
    """Every leaf value of a record under its dotted path; list items collect under one path.

    Extracted wrappers contribute their value; evidence is not a field.
    """
    out: dict[str, list[Any]] = {}
    _walk(record, "", out)
    return out


def _walk(node: Any, path: str, out: dict[str, list[Any]]) -> None:
    if isinstance(node, Extracted):
        _walk(node.value, path, out)
    elif isinstance(node, BaseModel):
        for name in type(node).model_fields:
            if name != "evidence":
                _walk(getattr(node, name), f"{path}.{name}" if path else name, out)
    elif isinstance(node, list):
        for item in node:
            _walk(item, path, out)
    elif node is not None:
        out.setdefault(path, []).append(node)


def extracted_type(annotation: Any) -> Any | None:
    """T when ``annotation`` is Extracted[T], else None."""
    metadata = getattr(annotation, "__pydantic_generic_metadata__", None)
    if metadata and metadata.get("origin") is Extracted and metadata.get("args"):
        return metadata["args"][0]
    return None


def is_model(annotation: Any) -> bool:
    """True for a pydantic model class."""
    return isinstance(annotation, type) and issubclass(annotation, BaseModel)


def list_item(annotation: Any) -> Any | None:
    """T for ``list[T]`` (optional or not), else None."""
    bare = strip_optional(annotation)
    return get_args(bare)[0] if get_origin(bare) is list and get_args(bare) else None


def strip_optional(annotation: Any) -> Any:
    """X for ``X | None``; anything else unchanged."""
    if get_origin(annotation) in (Union, types.UnionType):
        args = [a for a in get_args(annotation) if a is not type(None)]
        return args[0] if len(args) == 1 else annotation
    return annotation
