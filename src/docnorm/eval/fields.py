"""docnorm's own gold layout: records as dotted field paths, values normalised by type."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def normalise_value(value: Any) -> str:
    """A comparison form that ignores formatting: ISO dates, canonical decimals, case and spacing."""
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, int | float | Decimal):
        return _decimal(Decimal(str(value)))
    text = str(value).strip()
    if _ISO_DATE.match(text):
        return text
    try:
        return _decimal(Decimal(text.replace(",", "")))
    except InvalidOperation:
        pass
    return " ".join(text.casefold().rstrip(".").split())


def _decimal(number: Decimal) -> str:
    normalised = number.normalize()
    return format(normalised, "f") if normalised == normalised.to_integral() else str(normalised)


def normalise_fields(fields: dict[str, Any]) -> dict[str, list[str]]:
    """Gold or predicted fields as path → normalised values (a scalar becomes a one-item list)."""
    out: dict[str, list[str]] = {}
    for path, value in fields.items():
        values = value if isinstance(value, list) else [value]
        out[path] = [normalise_value(v) for v in values if v is not None]
    return out
