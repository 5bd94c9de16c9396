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
from typing import TYPE_CHECKING, Any, NamedTuple

from docnorm.parsers.hidden import Hidden, strip_hidden_pdf_page

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


class TextLayer(NamedTuple):
    """A PDF's text as pdfium reads it, page by page, and the PDF that text was read from."""

    pages: list[str]
    """Each page's text (empty for pages without a text layer)."""
    data: bytes
    """The PDF without the text objects a reader cannot see (the input itself when it had none)."""


def text_layer(data: bytes, hidden: Hidden | None = None) -> TextLayer:
    """Each page's text as pdfium reads it. With ``hidden``, the text objects a reader cannot see are
    taken out of the pages first, and their text goes into ``hidden``: the text, and the PDF every later
    reader gets, lack exactly those objects, whatever else on the page reads the same."""
    import pypdfium2

    pdf = pypdfium2.PdfDocument(data)
    try:
        pages = []
        changed = False
        for page in pdf:
            text = _page_text(page)
            if hidden is not None and text.strip() and _unseen(page, hidden):
                changed = True
                text = _page_text(page)
            pages.append(text)
            page.close()
        if not changed:
            return TextLayer(pages, data)
        out = io.BytesIO()
        try:
            pdf.save(out)
        except Exception:  # pdfium could not write the document back: hidden text never costs a document
            return TextLayer(pages, data)
        return TextLayer(pages, out.getvalue())
    finally:
        pdf.close()


def _page_text(page: Any) -> str:
    textpage = page.get_textpage()
    try:
        return str(textpage.get_text_range()).replace("\r\n", "\n").replace("\r", "\n")
    finally:
        textpage.close()


def _unseen(page: Any, hidden: Hidden) -> bool:
    """Take the page's hidden text objects out of it into ``hidden``; whether there were any. Looking
    never costs a document: where pdfium's object API fails on a damaged page, the page stays as it is."""
    try:
        texts = strip_hidden_pdf_page(page)
    except Exception:
        return False
    for text in texts:
        hidden.add(text)
    return bool(texts)


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
