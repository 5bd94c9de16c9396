"""Names of jurisdictions whose law can govern a contract: US states and territories, and countries."""

from __future__ import annotations

import re
from functools import cache

import pycountry

US_STATES = (
    "Alabama", "Alaska", "Arizona", "Arkansas", "California", "Colorado", "Connecticut", "Delaware", "Florida",
    "Georgia", "Hawaii", "Idaho", "Illinois", "Indiana", "Iowa", "Kansas", "Kentucky", "Louisiana", "Maine",
    "Maryland", "Massachusetts", "Michigan", "Minnesota", "Mississippi", "Missouri", "Montana", "Nebraska",
    "Nevada", "New Hampshire", "New Jersey", "New Mexico", "New York", "North Carolina", "North Dakota", "Ohio",
    "Oklahoma", "Oregon", "Pennsylvania", "Rhode Island", "South Carolina", "South Dakota", "Tennessee", "Texas",
    "Utah", "Vermont", "Virginia", "Washington", "West Virginia", "Wisconsin", "Wyoming", "District of Columbia",
    "Puerto Rico",
)  # fmt: skip
_EXTRA = ("England and Wales", "England", "Scotland", "Ontario", "British Columbia", "Quebec", "Hong Kong")


@cache
def jurisdiction_pattern() -> re.Pattern[str]:
    """One regex matching any known jurisdiction name as a whole word, longest names first."""
    countries = [c.name for c in pycountry.countries] + [getattr(c, "common_name", c.name) for c in pycountry.countries]
    names = sorted({*US_STATES, *_EXTRA, *countries}, key=len, reverse=True)
    return re.compile(r"\b(?:" + "|".join(re.escape(n) for n in names) + r")\b")
