"""Party names in one canonical legal form, for joining the same company or person across documents.

The form keeps the name as printed but writes its punctuation one way: no commas, "&" as "and",
legal suffixes in one spelling ("Incorporated" → "Inc.", "L.L.C." → "LLC", "Limited" → "Ltd."),
no honorifics or degrees around a person's name, one space between words. Letter case is kept:
compare case-insensitively.
"""

from __future__ import annotations

import re
import unicodedata

_SUFFIXES = [
    (re.compile(r"\bIncorporated$", re.IGNORECASE), "Inc."),
    (re.compile(r"\bInc$", re.IGNORECASE), "Inc."),
    (re.compile(r"\bLimited$", re.IGNORECASE), "Ltd."),
    (re.compile(r"\bLtd$", re.IGNORECASE), "Ltd."),
    (re.compile(r"\bL\.?\s?L\.?\s?C\.?$", re.IGNORECASE), "LLC"),
    (re.compile(r"\bL\.?\s?L\.?\s?P\.?$", re.IGNORECASE), "LLP"),
    (re.compile(r"\bL\.?\s?P\.?$", re.IGNORECASE), "LP"),
    (re.compile(r"\bP\.?\s?L\.?\s?C\.?$", re.IGNORECASE), "plc"),
]
_HONORIFIC = re.compile(r"^(?:Mr|Mrs|Ms|Miss|Dr|Prof)\.?\s+", re.IGNORECASE)
_DEGREE = re.compile(r"\s+(?:M\.D\.|Ph\.D\.|Esq\.?|J\.D\.|CPA)$", re.IGNORECASE)
_APOSTROPHES = str.maketrans({"’": "'", "`": "'"})


def canonical_name(name: str) -> str:
    """``name`` in the canonical legal form described above ("Kite Pharma, Inc." → "Kite Pharma Inc.")."""
    text = unicodedata.normalize("NFKC", name).translate(_APOSTROPHES)
    text = " ".join(text.replace(",", " ").split())
    text = re.sub(r"\s*&\s*", " and ", text).strip()
    text = _HONORIFIC.sub("", text)
    text = _DEGREE.sub("", text)
    for pattern, spelling in _SUFFIXES:
        text = pattern.sub(spelling, text)
    return " ".join(text.split())
