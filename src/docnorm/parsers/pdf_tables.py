"""Ruled PDF tables read with pdfplumber, laid over unstructured's "fast" elements.

The fast strategy (the only offline one without OCR) returns no tables: a ruled
statement comes back as one element per cell, out of reading order. On pages
whose text looks like a financial statement, pdfplumber finds the ruled tables;
each replaces the cell elements inside its box, so the table is read once, whole,
where it stands on the page.
"""

from __future__ import annotations

import html
import io
import re
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from docnorm.parsers.hidden import Hidden, hidden_pdf_text, without

if TYPE_CHECKING:
    from unstructured.documents.elements import Element as UElement

# Pages worth the ~70 ms pdfplumber spends on each: the ones that read like a statement.
_STATEMENT_PAGE = re.compile(
    r"balance sheets?|statements? of (?:consolidated )?(?:operations|income|earnings|cash flows?|financial position)"
    r"|income statements?|\btotal (?:assets|liabilities|revenues?)\b|\bnet cash\b",
    re.IGNORECASE,
)
Box = tuple[float, float, float, float]


def statement_like(text: str) -> bool:
    """Whether a page's text reads like a financial statement."""
    return _STATEMENT_PAGE.search(text) is not None


def only_pages(data: bytes, numbers: Sequence[int]) -> bytes:
    """A PDF of just the pages ``numbers`` (1-based, in order) of the PDF ``data``."""
    import pypdfium2

    source = pypdfium2.PdfDocument(data)
    part = pypdfium2.PdfDocument.new()
    try:
        part.import_pages(source, [n - 1 for n in numbers])
        out = io.BytesIO()
        part.save(out)
        return out.getvalue()
    finally:
        part.close()
        source.close()


def text_layer(data: bytes, hidden: Hidden | None = None) -> list[str]:
    """Each page's text as pdfium reads it (empty strings for pages without a text layer), without the
    text a reader cannot see, which goes into ``hidden``."""
    import pypdfium2

    pdf = pypdfium2.PdfDocument(data)
    try:
        pages = []
        for page in pdf:
            textpage = page.get_textpage()
            text = textpage.get_text_range().replace("\r\n", "\n").replace("\r", "\n")
            textpage.close()
            unseen = _unseen(page) if hidden is not None and text.strip() else []
            for piece in unseen:
                hidden.add(piece)  # type: ignore[union-attr]
            pages.append(without(text, unseen))
            page.close()
        return pages
    finally:
        pdf.close()


def _unseen(page: Any) -> list[str]:
    """The page's hidden text, or none when pdfium cannot tell (looking for it never costs a document)."""
    try:
        return hidden_pdf_text(page)
    except Exception:  # pdfium's object API on a damaged page: the text layer itself was read
        return []


def with_ruled_tables(data: bytes, elements: list[UElement]) -> list[UElement]:
    """``elements`` with every ruled table of a statement-like page in place of the cells it covers."""
    pages = sorted({_page(e) for e in elements if _page(e) and _STATEMENT_PAGE.search(str(e.text or ""))})
    if not pages:
        return elements
    import pdfplumber

    found: dict[int, list[tuple[Box, list[list[str]]]]] = {}
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        for number in pages:
            if number <= len(pdf.pages):
                ruled = pdf.pages[number - 1].find_tables()
                found[number] = [(table.bbox, _clean(table.extract())) for table in ruled]
    out = list(elements)
    for number, boxes in found.items():
        for box, rows in boxes:
            if len(rows) >= 2:
                out = _replace(out, number, box, rows)
    return out


def _clean(rows: Sequence[Sequence[str | None]]) -> list[list[str]]:
    cleaned = [[" ".join((cell or "").split()) for cell in row] for row in rows]
    return [row for row in cleaned if any(row)]


def _replace(elements: list[UElement], page: int, box: Box, rows: list[list[str]]) -> list[UElement]:
    from unstructured.documents.elements import ElementMetadata, Table

    inside = [i for i, e in enumerate(elements) if _page(e) == page and _centre_in(e, box)]
    if not inside:
        return elements
    table = Table(
        text=" ".join(cell for row in rows for cell in row if cell),
        metadata=ElementMetadata(text_as_html=_html(rows), page_number=page),
    )
    covered = set(inside)
    kept = [e for i, e in enumerate(elements) if i not in covered]
    kept.insert(inside[0], table)
    return kept


def _html(rows: list[list[str]]) -> str:
    body = "".join("<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in row) + "</tr>" for row in rows)
    return f"<table>{body}</table>"


def _page(element: Any) -> int:
    return int(getattr(element.metadata, "page_number", None) or 0)


def _centre_in(element: Any, box: Box) -> bool:
    coordinates = getattr(element.metadata, "coordinates", None)
    if coordinates is None or not coordinates.points:
        return False
    xs = [p[0] for p in coordinates.points]
    ys = [p[1] for p in coordinates.points]
    x, y = (min(xs) + max(xs)) / 2, (min(ys) + max(ys)) / 2
    x0, top, x1, bottom = box
    return bool(x0 <= x <= x1 and top <= y <= bottom)
