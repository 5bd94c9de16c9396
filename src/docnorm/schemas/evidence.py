"""Where an extracted value came from, and the wrapper that carries it with the value."""

from __future__ import annotations

from typing import Generic, TypeVar

from pydantic import BaseModel, ConfigDict, Field
from pydantic.config import JsonDict

T = TypeVar("T")

IN_QUOTE: JsonDict = {"in_quote": True}
"""Marks a field of an evidenced item whose value must be readable in the item's quote."""


class Evidence(BaseModel):
    """The quote a value was read from and its position in the parsed document."""

    model_config = ConfigDict(frozen=True)

    quote: str = Field(description="The text exactly as it appears in the document.")
    page: int | None = Field(default=None, description="1-based page number, when the format has pages.")
    start: int | None = Field(default=None, description="Char offset of the quote in the canonical text.")
    end: int | None = Field(default=None, description="Char offset just past the quote.")
    element: int | None = Field(default=None, description="Index of the parsed element holding the quote.")
    verified: bool = Field(default=False, description="True when the quote was found in the source text at start:end.")
    method: str | None = Field(
        default=None, description="How the value was found (e.g. label, preamble, llm); feeds its confidence."
    )

    def shifted(self, chars: int, elements: int) -> Evidence:
        """This evidence as it reads in a document that holds its own one ``chars`` characters and
        ``elements`` elements further on (an excerpt's evidence placed back in the whole document)."""
        return self.model_copy(
            update={
                "start": None if self.start is None else self.start + chars,
                "end": None if self.end is None else self.end + chars,
                "element": None if self.element is None else self.element + elements,
            }
        )


class Extracted(BaseModel, Generic[T]):
    """A value read from a document, with its evidence.

    ``value`` is None when the quote was found but could not be normalised
    (for example a date that does not exist); validation then flags it.
    """

    value: T | None = None
    evidence: Evidence | None = None

    @property
    def quote(self) -> str | None:
        """The source text of the value, if any."""
        return self.evidence.quote if self.evidence else None
