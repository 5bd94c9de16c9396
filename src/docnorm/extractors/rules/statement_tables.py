"""Read one statement table: its period columns from the header rows, and each row's label and figures.

Filings lay statements out as HTML (or PDF) tables whose header rows name the
periods ("Three Months Ended | Six Months Ended", then "2025 2024 2025 2024")
and whose body rows hold a label, then one figure per period column, with the
currency sign, parentheses and percent signs often in cells of their own.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from docnorm.schemas.financial import UnitScale

_FIGURE = re.compile(r"\(\s*\d(?:[\d,]*\d)?(?:\.\d+)?\s*\)|-?\d(?:[\d,]*\d)?(?:\.\d+)?|[—–-]+")
_YEAR = re.compile(r"\b(?:19|20)\d\d\b")
_MONTHS_WORDS = {"three": 3, "six": 6, "nine": 9, "twelve": 12, "3": 3, "6": 6, "9": 9, "12": 12}
_WEEKS = {"13": 3, "14": 3, "26": 6, "27": 6, "39": 9, "40": 9, "52": 12, "53": 12}
_DURATION = re.compile(
    r"\b(?P<months>three|six|nine|twelve|3|6|9|12)[ -]months?\b"
    r"|\b(?P<weeks>13|14|26|27|39|40|52|53)[ -]weeks?\b"
    r"|\b(?P<quarter>quarters?)\b"
    r"|\b(?P<year>(?:fiscal\s+)?years?|fiscal)\b",
    re.IGNORECASE,
)
_SCALE = re.compile(r"\b(?P<v>thousands|millions|billions)\b", re.IGNORECASE)
_SCALES = {"thousands": UnitScale.THOUSANDS, "millions": UnitScale.MILLIONS, "billions": UnitScale.BILLIONS}
_MONTH_DAY = re.compile(r"\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?\s+\d{1,2}\b", re.I)
_HAS_LETTER = re.compile(r"[A-Za-z]")


@dataclass(frozen=True)
class PeriodColumn:
    """One figure column: the year its header names and the length of its period in months (None for balances)."""

    year: int | None
    months: int | None


@dataclass(frozen=True)
class TableRow:
    """A body row: its label and its figures as printed, one per period column (empty for a heading)."""

    label: str
    figures: tuple[str, ...]


@dataclass(frozen=True)
class StatementLayout:
    """What the header says about a table: its columns, and the header text for scale and period wording."""

    columns: tuple[PeriodColumn, ...]
    header_text: str
    body: tuple[TableRow, ...]


def split_row(cells: list[str]) -> TableRow | None:
    """The label and figures of one row; None for a row with neither."""
    label = ""
    rest: list[str] = []
    for cell in cells:
        if not label and _HAS_LETTER.search(cell) and not _FIGURE.fullmatch(cell.strip()):
            label = cell.strip()
            continue
        if label or cell.strip():
            rest.append(cell)
    joined = " ".join(c.replace("$", " ").replace("%", " ") for c in rest)
    # A parenthesis in a cell of its own belongs to the figure beside it: "(" "1,333" ")".
    joined = re.sub(r"\(\s+", "(", re.sub(r"\s+\)", ")", joined))
    figures = tuple(match.group(0) for match in _FIGURE.finditer(joined))
    if not label and not figures:
        return None
    return TableRow(label, figures)


def _is_header(row: TableRow) -> bool:
    """Header rows carry only years (or nothing) as figures: "2025 2024", "September 28, 2024"."""
    return all(_YEAR.fullmatch(f) or f.isdigit() and int(f) <= 31 for f in row.figures)


def _names_period(row: TableRow) -> bool:
    """A header row: years as figures, or a label naming a date, a period or the scale."""
    return bool(row.figures or any(p.search(row.label) for p in (_YEAR, _DURATION, _SCALE, _MONTH_DAY)))


def layout(cells: list[list[str]]) -> StatementLayout | None:
    """Split ``cells`` into header and body and work out the period columns; None when no body row has figures."""
    numbered = [(i, row) for i, row in ((i, split_row(c)) for i, c in enumerate(cells)) if row is not None]
    rows = [row for _, row in numbered]
    first_body = next((i for i, row in enumerate(rows) if row.figures and not _is_header(row)), None)
    if first_body is None:
        return None
    # The header runs to the last row naming a period or the scale (a title row above it belongs to it);
    # a heading after it ("Operating activities") opens the body.
    last = max((i for i in range(first_body) if _names_period(rows[i])), default=-1)
    body = rows[last + 1 :]
    counts = Counter(len(row.figures) for row in body if row.figures)
    width = max(counts.items(), key=lambda item: (item[1], item[0]))[0]
    raw_header = cells[: numbered[last][0] + 1] if last >= 0 else []
    header_text = " | ".join(" ".join(c for c in raw if c) for raw in raw_header)
    return StatementLayout(_columns(header_text, width), header_text, tuple(body))


def _columns(header_text: str, width: int) -> tuple[PeriodColumn, ...]:
    years = [int(y) for y in _YEAR.findall(header_text)]
    if len(years) != width:
        years = []
    durations = [_months(match) for match in _DURATION.finditer(header_text)]
    months: list[int | None] = [None] * width
    if durations and width % len(durations) == 0:
        span = width // len(durations)
        months = [durations[i // span] for i in range(width)]
    return tuple(PeriodColumn(years[i] if years else None, months[i]) for i in range(width))


def _months(match: re.Match[str]) -> int:
    if match.group("months"):
        return _MONTHS_WORDS[match.group("months").lower()]
    if match.group("weeks"):
        return _WEEKS[match.group("weeks")]
    return 3 if match.group("quarter") else 12


def scale_of(text: str) -> tuple[UnitScale, str | None]:
    """The scale a table's caption or header states ("in millions"), with the word as written."""
    match = _SCALE.search(text)
    if match is None:
        return UnitScale.UNITS, None
    return _SCALES[match.group("v").lower()], match.group("v")


def pick_column(columns: tuple[PeriodColumn, ...], prefer_months: int | None, longest: bool) -> int:
    """The column of the reporting period: among the columns of the preferred period length (or the
    shortest, or with ``longest`` the longest), the latest year; the first on a tie, as filings print it."""
    lengths = {c.months for c in columns if c.months is not None}
    if prefer_months in lengths:
        wanted: int | None = prefer_months
    elif lengths:
        wanted = max(lengths) if longest else min(lengths)
    else:
        wanted = None
    candidates = [i for i, c in enumerate(columns) if wanted is None or c.months == wanted]
    latest = max((columns[i].year or 0 for i in candidates), default=0)
    return next(i for i in candidates if (columns[i].year or 0) == latest)
