"""The source document of a review item, as the workbench shows it beside the record.

The file comes from the queue's own record of the item (its source_uri), never from a path in a
request. A PDF is shown as page images (pypdfium2) with each field's evidence boxed on its page
(character boxes from the text layer); other formats as the canonical text docnorm parsed, with the
evidence spans marked. A file that moved or vanished, or cannot be read, is a message, never a 500.

A page image is drawn within a pixel budget (a huge page at a smaller scale, said on the page), by one
thread at a time per process (pdfium is not thread-safe) and within a time limit: one small PDF of
giant pages must not be able to take the workbench's memory or its threads.
"""

from __future__ import annotations

import functools
import io
import math
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote, urlparse

from docnorm.parsers import Limits, document_id
from docnorm.parsers.job import parse_one
from docnorm.schemas.documents import FileKind, ParsedDocument
from docnorm.schemas.errors import DataError
from docnorm.settings import Settings

if TYPE_CHECKING:
    from PIL.Image import Image

MAX_PAGES_SHOWN = 12
"""Pages of a long PDF shown at once: those holding evidence first, then the first pages."""
RENDER_SCALE = 1.4
"""Pixels per PDF point of a page image (a Letter page is 857 x 1109 px)."""
MAX_SIDE_PX = 2000
MAX_PIXELS = 4_000_000
"""The pixel budget of one page image: a page larger than this at RENDER_SCALE is drawn smaller. A page
may be 200 inches square (14,400 pt): 20,160 px and 2.4 GB at RENDER_SCALE, 12 MB within the budget."""
RENDER_WAIT_S = 3.0
"""How long a request waits for pdfium, busy with another request, before it is answered 503."""
RENDER_TIME_S = 5.0
"""pdfium stops drawing a page (a pathological content stream) after this long."""
RETRY_AFTER_S = 2

_PDFIUM = threading.Lock()
"""pdfium is not thread-safe, and the workbench's sync endpoints run in a thread pool: every call into it
(the page images and the item page's evidence search) holds this lock. So one render at a time, too."""


class Busy(Exception):
    """pdfium stayed busy with other requests for RENDER_WAIT_S."""


class Undrawable(Exception):
    """pdfium could not draw a page, or not within RENDER_TIME_S."""


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
    reduced: dict[int, int] = field(default_factory=dict)
    """Pages drawn below RENDER_SCALE to fit the pixel budget: page number -> percent of the usual scale."""


def render_scale(width: float, height: float) -> float:
    """The scale a ``width`` x ``height`` pt page is drawn at: RENDER_SCALE, or less to fit the budget."""
    width, height = max(width, 1.0), max(height, 1.0)
    scale = min(RENDER_SCALE, MAX_SIDE_PX / max(width, height), math.sqrt(MAX_PIXELS / (width * height)))
    # pypdfium2 sizes the bitmap with ceil(): step down past float rounding until that fits too.
    while scale > 0 and not _fits(math.ceil(width * scale), math.ceil(height * scale)):
        scale *= 0.999
    return scale


def _fits(width_px: int, height_px: int) -> bool:
    return max(width_px, height_px) <= MAX_SIDE_PX and width_px * height_px <= MAX_PIXELS


@contextmanager
def _pdfium() -> Iterator[None]:
    """Hold pdfium for this thread, or Busy after RENDER_WAIT_S."""
    if not _PDFIUM.acquire(timeout=RENDER_WAIT_S):
        raise Busy
    try:
        yield
    finally:
        _PDFIUM.release()


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
        try:
            with _pdfium():
                return _pdf(path, evidence)
        except Busy:
            return SourceView(problem="The workbench is busy drawing pages for others: reload in a moment.")
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
        reduced = {}
        for number in pages:
            scale = render_scale(*pdf.get_page_size(number - 1))
            if scale < RENDER_SCALE:
                reduced[number] = max(1, round(100 * scale / RENDER_SCALE))
        return SourceView(kind="pdf", pages=pages, page_count=count, marks=marks, reduced=reduced)
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
            # Characters come in reading order; one that overlaps the row's height is on its line (a
            # comma's box sits lower than its digits' and must not be a row, a box, of its own).
            rows: list[list[tuple[float, float, float, float]]] = []
            for char in chars:
                left, bottom, right, top = char
                if right <= left:
                    continue
                if rows and bottom < max(c[3] for c in rows[-1]) and top > min(c[1] for c in rows[-1]):
                    rows[-1].append(char)
                else:
                    rows.append([char])
            for row in rows:
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
    """Page ``number`` of the item's PDF as PNG within the pixel budget, or None when the file or the
    page is not there. Busy when pdfium stays taken by other requests; Undrawable past RENDER_TIME_S."""
    import pypdfium2

    path = source_path(source_uri)
    if path is None or not path.is_file() or path.suffix.lower() != ".pdf" or not _unchanged(path, doc_id):
        return None
    with _pdfium():
        try:
            pdf = pypdfium2.PdfDocument(path)
        except pypdfium2.PdfiumError:
            return None
        try:
            if not 1 <= number <= len(pdf):
                return None
            page = pdf[number - 1]
            try:
                image = _render(page, render_scale(*page.get_size()), time.monotonic() + RENDER_TIME_S)
            finally:
                page.close()
        finally:
            pdf.close()
    # PNG encoding needs no pdfium: the next request may render meanwhile.
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def _render(page: Any, scale: float, deadline: float) -> Image:
    """``page`` drawn at ``scale`` as a PIL image; Undrawable once ``deadline`` (monotonic) passes.

    pypdfium2's render() draws in one uninterruptible call; pdfium's progressive rendering asks a pause
    callback between page objects, so a page with a huge content stream can be given up on.
    """
    import pypdfium2
    import pypdfium2.internal as pdfium_i
    import pypdfium2.raw as pdfium_c

    width, height = page.get_size()
    width_px, height_px = math.ceil(width * scale), math.ceil(height * scale)
    bitmap = pypdfium2.PdfBitmap.new_native(width_px, height_px, format=pdfium_c.FPDFBitmap_BGR)
    bitmap.fill_rect((255, 255, 255, 255), 0, 0, width_px, height_px)
    pause = pdfium_c.IFSDK_PAUSE(version=1)
    pdfium_i.set_callback(pause, "NeedToPauseNow", lambda _: time.monotonic() > deadline)
    args = (bitmap, page, 0, 0, width_px, height_px, 0, pdfium_c.FPDF_ANNOT)
    try:
        status = pdfium_c.FPDF_RenderPageBitmap_Start(*args, pause)
        while status == pdfium_c.FPDF_RENDER_TOBECONTINUED:
            if time.monotonic() > deadline:
                raise Undrawable
            status = pdfium_c.FPDF_RenderPage_Continue(page, pause)
    finally:
        pdfium_c.FPDF_RenderPage_Close(page)
    if status != pdfium_c.FPDF_RENDER_DONE:
        raise Undrawable
    image: Image = bitmap.to_pil()
    return image
