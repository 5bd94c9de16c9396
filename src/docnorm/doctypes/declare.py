"""``DocType``: a kind of document declared by a pydantic model and a name; everything else is optional.

Light on purpose (pydantic and the standard library): plugin modules import it at start-up.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from pydantic import BaseModel

if TYPE_CHECKING:
    import pandera.pandas as pa

    from docnorm.extractors.base import Reread
    from docnorm.extractors.classify import Cue
    from docnorm.keysets.base import KeySet
    from docnorm.schemas.documents import ParsedDocument
    from docnorm.schemas.tables import Row, TableSpec
    from docnorm.validators.options import ValidationOptions

RecordCheck = Callable[[Any], "str | Iterable[str | tuple[str, str]] | None"]
"""A check over one complete record (an instance of the doc type's model). It returns nothing when the
record passes; otherwise a message (the reason code is the function's name), or several messages or
``(code, message)`` pairs. Messages go to the review queue and logs: name fields, never values."""


class TableLayout(Protocol):
    """Hand-written curated tables for a doc type whose published tables predate derivation."""

    def tables(self, options: ValidationOptions) -> list[TableSpec]:
        """The tables and their checks."""
        ...

    def rows(self, record: Any) -> dict[str, list[Row]]:
        """One record as rows of those tables (without lineage)."""
        ...


@dataclass(frozen=True, eq=False)
class DocType:
    """A kind of document docnorm extracts, validates and curates.

    Only ``model`` and ``name`` are required. ``model`` is a plain pydantic model (nested models and
    lists of them allowed): docnorm derives the LLM's response model, evidence per field, grounding,
    the curated tables (scalars in one table named ``table`` or ``name``, each list of sub-models in
    a child table) and their pandera checks from it.
    """

    model: type[BaseModel]
    name: str
    description: str = ""
    """What documents of this kind are; the model reads it to classify and to extract."""
    cues: Sequence[str | re.Pattern[str] | Cue] = ()
    """Phrases (plain strings, matched case-insensitively as words) or regexes that point to this kind."""
    rules: Callable[[ParsedDocument], BaseModel] | None = None
    """Offline extraction: the parsed document to a record of ``model`` (the ``rules`` extractor)."""
    checks: Sequence[pa.Check | RecordCheck] = ()
    """pandera checks over the main table, or functions over the record (see ``RecordCheck``)."""
    table: str | None = None
    """Name of the main curated table (default: ``name``); child tables are ``<table>_<field>``."""
    layout: TableLayout | None = None
    """Published tables that stay as they are (the built-in doc types); None derives them from ``model``."""
    reread: Reread | None = None
    """What the hybrid extractor may send to a model on its own when the rules could not read it."""
    keysets: Sequence[KeySet] = ()
    """Public datasets' key families that label this doc type (for ``docnorm eval``)."""
