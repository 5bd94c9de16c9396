"""The grounding check: is a quoted value really in the document, and where?

Matching tolerates what parsers and models change: case, runs of whitespace, curly
quotes, words hyphenated across a line break and the prompt's marks around a flagged
sentence. Whether a value came from a flagged sentence is another question, asked of the
grounded record (docnorm.extractors.llm.flagged), from the parsed document's flags alone.
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from typing import Any

from docnorm.extractors.llm.prompt import QUOTED
from docnorm.extractors.text import parse_date
from docnorm.schemas.documents import ParsedDocument
from docnorm.schemas.evidence import Evidence

_QUOTES = str.maketrans({"“": '"', "”": '"', "‘": "'", "’": "'", "–": "-", "—": "-"})


class Grounder:
    """Finds quotes in one parsed document; built once per document."""

    def __init__(self, doc: ParsedDocument) -> None:
        self.doc = doc
        self._folded, self._positions = _fold(doc.text)

    def find(self, quote: str | None) -> Evidence | None:
        """Evidence for ``quote`` (page, span, verified) or None when it is not in the document."""
        text = quote or ""
        for mark in QUOTED:  # a model may copy the marks into its quote; they are not the document's
            text = text.replace(mark, "")
        if not text.strip():
            return None
        needle, _ = _fold(text)
        at = self._folded.find(needle.strip())
        if at < 0:
            return None
        start = self._positions[at]
        end = self._positions[at + len(needle.strip()) - 1] + 1
        return self.doc.evidence(start, end, "llm")


def value_in_quote(value: Any, quote: str, *, verbatim: bool = False) -> bool:
    """Whether the quote supports the value: a hallucinated value with a real quote fails here.

    Dates are always checked. Text and numbers only when ``verbatim`` (fields marked
    IN_QUOTE): normalised values such as ISO codes, enum members or a term in months
    are not written as such in the document.
    """
    if value is None or isinstance(value, bool):
        return True
    if isinstance(value, date):
        return parse_date(quote) == value or str(value.year) in quote
    if not verbatim:
        return True
    if isinstance(value, int | float | Decimal):
        return _significant(str(value)) in _significant(quote) if _significant(str(value)) else True
    folded_value, _ = _fold(str(value))
    folded_quote, _ = _fold(quote)
    return folded_value.strip() in folded_quote or folded_quote.strip() in folded_value


def _significant(text: str) -> str:
    """The digits of a number without sign, separators, decimals of zero or scale zeros."""
    digits = re.sub(r"\.0+\b", "", text)
    return re.sub(r"\D", "", digits).strip("0")


def _fold(text: str) -> tuple[str, list[int]]:
    """Casefolded text with whitespace runs as one space and line-break hyphenation removed,
    plus the original offset of every folded character."""
    out: list[str] = []
    positions: list[int] = []
    i = 0
    text = text.translate(_QUOTES)
    while i < len(text):
        char = text[i]
        if char == "-" and i + 1 < len(text) and text[i + 1] == "\n":
            i += 2
            while i < len(text) and text[i] in " \t\n":
                i += 1
            continue
        if char.isspace():
            if out and out[-1] != " ":
                out.append(" ")
                positions.append(i)
            i += 1
            continue
        out.append(char.casefold())
        positions.append(i)
        i += 1
    return "".join(out), positions
