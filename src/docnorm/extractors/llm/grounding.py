"""The grounding check: is a quoted value really in the document, and where?

Matching tolerates what parsers and models change: case, runs of whitespace, curly
quotes and words hyphenated across a line break. A quote that sits inside text
addressed to a language model ("ignore previous instructions ...") is not evidence.
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from typing import Any

from docnorm.extractors.text import parse_date
from docnorm.schemas.documents import ParsedDocument
from docnorm.schemas.evidence import Evidence

_QUOTES = str.maketrans({"“": '"', "”": '"', "‘": "'", "’": "'", "–": "-", "—": "-"})
_INSTRUCTION = re.compile(
    r"ignore (?:all |any )?(?:the )?(?:previous|prior|above) instructions|disregard (?:all |the )?(?:previous|prior)"
    r"|you are (?:an? )?(?:ai|assistant|language model)|system prompt|as an ai|new instructions?:",
    re.IGNORECASE,
)


class Grounder:
    """Finds quotes in one parsed document; built once per document."""

    def __init__(self, doc: ParsedDocument) -> None:
        self.doc = doc
        self._folded, self._positions = _fold(doc.text)
        self._suspect = [(m.start(), m.end()) for m in _sentences_with_instructions(doc.text)]

    def find(self, quote: str | None) -> Evidence | None:
        """Evidence for ``quote`` (page, span, verified) or None when it is not in the document."""
        if not quote or not quote.strip():
            return None
        needle, _ = _fold(quote)
        at = self._folded.find(needle.strip())
        if at < 0:
            return None
        start = self._positions[at]
        end = self._positions[at + len(needle.strip()) - 1] + 1
        if any(start < s_end and end > s_start for s_start, s_end in self._suspect):
            return None
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


def _sentences_with_instructions(text: str) -> list[re.Match[str]]:
    return [m for m in re.finditer(r"[^.!?\n]*[.!?\n]?", text) if m.group() and _INSTRUCTION.search(m.group())]
