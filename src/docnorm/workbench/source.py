"""The source document of a review item, as the workbench shows it beside the record.

The file comes from the queue's own record of the item (its source_uri), never from a path in a
request. A PDF is shown as page images (pypdfium2) with each field's evidence boxed on its page
(character boxes from the text layer); other formats as the canonical text docnorm parsed, with the
evidence spans marked. A file that moved or vanished, or cannot be read, is a message, never a 500.
"""

from __future__ import annotations

import functools
import io
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlparse

from docnorm.parsers import Limits, document_id
from docnorm.parsers.job import parse_one
from docnorm.schemas.documents import FileKind, ParsedDocument
from docnorm.schemas.errors import DataError
from docnorm.settings import Settings

MAX_PAGES_SHOWN = 12
"""Pages of a long PDF shown at once: those holding evidence first, then the first pages."""
RENDER_SCALE = 1.4


@dataclass(frozen=True)
class Box:
    """A rectangle on a page, as percentages of the page's width and height from its top left."""

    left: float
    top: float
    width: float
    height: float


@dataclass(frozen=True)
class EvidenceMark:
    """Where one field's evidence is in the document: boxes on a PDF page, or a span of the text."""

    number: int
    field: str
    page: int | None = None
    boxes: tuple[Box, ...] = ()
    start: int | None = None
    end: int | None = None


@dataclass
class SourceView:
    """What the document pane shows: PDF pages or text, the evidence marks, or why it cannot."""

    problem: str | None = None
    kind: str | None = None
    pages: list[int] = field(default_factory=list)
    page_count: int = 0
    text: str = ""
    marks: list[EvidenceMark] = field(default_factory=list)


def source_path(source_uri: str) -> Path | None:
    """The local file a queue item's source_uri names, or None for a remote URL."""
    parsed = urlparse(source_uri)
    if parsed.scheme not in ("", "file"):
        return None
    return Path(unquote(parsed.path))


def view(source_uri: str, doc_id: str, evidence: list[tuple[str, dict[str, object]]], settings: Settings) -> SourceView:
    """The document pane of an item whose fields have ``evidence`` (path, evidence dict)."""
    path = source_path(source_uri)
    if path is None or not path.is_file():
        return SourceView(problem="The source file is no longer where it was processed (moved or deleted).")
    try:
        if not _unchanged(path, doc_id):
            return SourceView(problem="The file at the source's path has changed since it was processed.")
    except OSError:
        return SourceView(problem="The source file cannot be read.")
    if path.suffix.lower() == ".pdf":
        return _pdf(path, evidence)
    parsed = parse_one(path, doc_id, Limits.of(settings))
    if isinstance(parsed, DataError):
        return SourceView(problem=f"The source file cannot be shown: {parsed.message}.")
    return _text(parsed, evidence)


def _text(parsed: ParsedDocument, evidence: list[tuple[str, dict[str, object]]]) -> SourceView:
    marks = []
    for number, (path, ev) in enumerate(evidence):
        start, end = ev.get("start"), ev.get("end")
        if isinstance(start, int) and isinstance(end, int) and 0 <= start < end <= len(parsed.text):
            marks.append(EvidenceMark(number, path, start=start, end=end))
    return SourceView(kind=parsed.source.kind.value if parsed.source.kind is not FileKind.PDF else "text",
                      text=parsed.text, marks=marks)  # fmt: skip


def _pdf(path: Path, evidence: list[tuple[str, dict[str, object]]]) -> SourceView:
    import pypdfium2

    try:
        pdf = pypdfium2.PdfDocument(path)
    except pypdfium2.PdfiumError:
        return SourceView(problem="The source PDF cannot be opened.")
    try:
        count = len(pdf)
        marks = []
        for number, (field_path, ev) in enumerate(evidence):
            page, quote = ev.get("page"), ev.get("quote")
            if isinstance(page, int) and isinstance(quote, str) and 1 <= page <= count:
                marks.append(EvidenceMark(number, field_path, page=page, boxes=tuple(_boxes(pdf[page - 1], quote))))
        with_evidence = sorted({m.page for m in marks if m.page})
        first = [n for n in range(1, count + 1) if n not in with_evidence][
            : max(0, MAX_PAGES_SHOWN - len(with_evidence))
        ]
        pages = sorted([*with_evidence[:MAX_PAGES_SHOWN], *first])
        return SourceView(kind="pdf", pages=pages, page_count=count, marks=marks)
    finally:
        pdf.close()


def _boxes(page: object, quote: str) -> list[Box]:
    """Line rectangles around ``quote`` on ``page`` (each line of the quote searched on its own)."""
    width, height = page.get_size()  # type: ignore[attr-defined]
    textpage = page.get_textpage()  # type: ignore[attr-defined]
    boxes: list[Box] = []
    try:
        for line in (part.strip() for part in quote.splitlines()):
            if len(line) < 2:
                continue
            searcher = textpage.search(line, match_case=True)
            found = searcher.get_next()
            searcher.close()
            if not found:
                continue
            index, count = found
            chars = [textpage.get_charbox(i) for i in range(index, index + count)]
            rows: dict[int, list[tuple[float, float, float, float]]] = {}
            for left, bottom, right, top in chars:
                if right > left:
                    rows.setdefault(round(bottom / 4), []).append((left, bottom, right, top))
            for row in rows.values():
                left, bottom = min(c[0] for c in row), min(c[1] for c in row)
                right, top = max(c[2] for c in row), max(c[3] for c in row)
                boxes.append(Box(100 * left / width, 100 * (height - top) / height,
                                 100 * (right - left) / width, 100 * (top - bottom) / height))  # fmt: skip
    finally:
        textpage.close()
    return boxes


def _unchanged(path: Path, doc_id: str) -> bool:
    """Whether the file still holds the bytes that were processed (hashed once per size and mtime)."""
    stat = path.stat()
    return _digest(str(path), stat.st_size, stat.st_mtime_ns) == doc_id


@functools.lru_cache(maxsize=256)
def _digest(path: str, size: int, mtime_ns: int) -> str:
    # A page view asks for every page's image: without this, a long PDF is hashed once per image.
    return document_id(Path(path))


def page_png(source_uri: str, doc_id: str, number: int) -> bytes | None:
    """Page ``number`` of the item's PDF as PNG, or None when the file or the page is not there."""
    import pypdfium2

    path = source_path(source_uri)
    if path is None or not path.is_file() or path.suffix.lower() != ".pdf" or not _unchanged(path, doc_id):
        return None
    pdf = pypdfium2.PdfDocument(path)
    try:
        if not 1 <= number <= len(pdf):
            return None
        image = pdf[number - 1].render(scale=RENDER_SCALE).to_pil()
        out = io.BytesIO()
        image.save(out, format="PNG")
        return out.getvalue()
    finally:
        pdf.close()
