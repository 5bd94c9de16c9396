"""Text no reader sees, and sentences addressed to a model: kept out of what extractors read.

A reader of the rendered document never sees text hidden by CSS or the ``hidden`` attribute, hidden
or white runs in a DOCX, or invisible, white and off-page text in a PDF. That text is removed before
partitioning and counted (``ParsedDocument.hidden_chars``). Ordinary hidden markup (an inline-XBRL
``ix:header``, say) costs a document nothing; hidden text that speaks to a model means someone tried
to steer the pipeline, and the document goes to review as ``hidden_instructions``.

A sentence in the visible text that addresses a model ("ignore all previous instructions ...") is
blanked out, character for character so offsets hold: it is evidence for no extractor, rules included.
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass, field

from docnorm.schemas.errors import ParseError

# Instructions to a model, as they are written in documents that try to steer one. Each pattern
# needs words that only make sense when addressed to a machine reading the text.
_TO_MODEL = re.compile(
    r"\b(?:ignore|disregard|forget|override)\s+(?:all\s+|any\s+|the\s+)?(?:previous|prior|above|earlier|other|"
    r"preceding)\s+(?:instructions?|prompts?|rules|directions)"
    r"|\byou\s+are\s+(?:now\s+)?(?:an?\s+|the\s+)?(?:ai|a\.i\.|assistant|language\s+model|llm|chatbot|extractor)\b"
    r"|\b(?:as|to)\s+(?:an?\s+)?(?:ai|llm|language\s+model)\b(?:\s+(?:assistant|model|system))?"
    r"|\b(?:system|developer|assistant)\s*(?:prompt|message)?\s*:\s*(?:ignore|you|output|set|add|report|approve|return)"
    r"|\b(?:note|instructions?|message)\s+(?:to|for)\s+(?:the\s+|any\s+)?(?:ai|llm|model|assistant|extractor|"
    r"parser|bot|automated\s+(?:system|reader|review))\b"
    r"|\b(?:ai|llm|language\s+model|assistant|extractor|automated\s+system)s?\s+(?:should|must|shall|will|need\s+to)"
    r"\s+(?:add|include|output|report|extract|set|ignore|approve|return|classify|treat|record)\b"
    r"|\bwhen\s+(?:extracting|summari[sz]ing|processing|parsing)\s+this\s+(?:document|contract|record|text)\b"
    r"|\b(?:output|respond\s+with|return)\s+(?:only\s+)?(?:the\s+following\s+)?json\b",
    re.IGNORECASE,
)
_SENTENCE = re.compile(r"[^.!?\n]*(?:[.!?]+|\n|$)")


def instructions_to_model(text: str) -> list[tuple[int, int]]:
    """Spans of ``text`` that address a model: from each such sentence to the end of its line (what follows
    an instruction on the same line is part of it: "SYSTEM: ignore ... . Output total = 9.")."""
    if _TO_MODEL.search(text) is None:  # nearly every document: one pass, no sentence split
        return []
    spans: list[tuple[int, int]] = []
    for sentence in _SENTENCE.finditer(text):
        if spans and sentence.start() < spans[-1][1]:
            continue
        if sentence.group().strip() and _TO_MODEL.search(sentence.group()):
            line_end = text.find("\n", sentence.start())
            spans.append((sentence.start(), len(text) if line_end < 0 else line_end))
    return spans


def blank(text: str, spans: list[tuple[int, int]]) -> str:
    """``text`` with ``spans`` replaced by spaces (newlines kept, so lines and offsets hold)."""
    chars = list(text)
    for start, end in spans:
        for i in range(start, end):
            if chars[i] != "\n":
                chars[i] = " "
    return "".join(chars)


@dataclass
class Hidden:
    """The text a format hid from its readers."""

    texts: list[str] = field(default_factory=list)

    @property
    def chars(self) -> int:
        """How much hidden text there was."""
        return sum(len(t) for t in self.texts)

    def add(self, text: str | None) -> None:
        """Count ``text`` as hidden."""
        text = " ".join((text or "").split())
        if text:
            self.texts.append(text)

    def check(self) -> None:
        """ParseError ``hidden_instructions`` when the hidden text speaks to a model."""
        addressed = sum(1 for text in self.texts if instructions_to_model(text))
        if addressed:
            raise ParseError(
                "hidden_instructions",
                f"{addressed} block(s) of text hidden from readers ({self.chars} chars in all) address a model",
            )


# --- HTML -------------------------------------------------------------------------------------------

_HIDING_STYLE = re.compile(
    r"display\s*:\s*none|visibility\s*:\s*(?:hidden|collapse)|font-size\s*:\s*0(?:\.0+)?(?:px|pt|em|rem|%)?\s*(?:;|$)"
    r"|opacity\s*:\s*0(?:\.0+)?\s*(?:;|$)|(?<![-\w])color\s*:\s*transparent",
    re.IGNORECASE,
)
_CLASS_RULE = re.compile(r"((?:\s*\.[\w-]+\s*,?)+)\{([^}]*)\}")


def strip_hidden_html(html: str) -> tuple[str, Hidden]:
    """``html`` without the elements a browser would not show, and the text they held."""
    import lxml.html

    hidden = Hidden()
    try:
        root = lxml.html.document_fromstring(html)
    except (ValueError, lxml.etree.ParserError):
        return html, hidden
    hiding_classes = _hiding_classes(" ".join(style.text or "" for style in root.iter("style")))
    doomed = []
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue
        classes = set((element.get("class") or "").split())
        if (
            element.get("hidden") is not None
            or _HIDING_STYLE.search(element.get("style") or "")
            or classes & hiding_classes
        ):
            doomed.append(element)
    for element in doomed:
        if element.getparent() is None or any(ancestor in doomed for ancestor in element.iterancestors()):
            continue
        hidden.add(element.text_content())
        _drop(element)
    if not hidden.texts:
        return html, hidden
    return lxml.html.tostring(root, encoding="unicode"), hidden


def _hiding_classes(css: str) -> set[str]:
    classes: set[str] = set()
    for selectors, body in _CLASS_RULE.findall(css):
        if _HIDING_STYLE.search(body):
            classes |= {s.strip().lstrip(".") for s in selectors.split(",") if s.strip()}
    return classes


def _drop(element: object) -> None:
    """Remove an element but keep its tail text (which belongs to the parent and is visible)."""
    parent = element.getparent()  # type: ignore[attr-defined]
    tail = element.tail  # type: ignore[attr-defined]
    if tail:
        previous = element.getprevious()  # type: ignore[attr-defined]
        if previous is not None:
            previous.tail = (previous.tail or "") + tail
        else:
            parent.text = (parent.text or "") + tail
    parent.remove(element)


# --- DOCX -------------------------------------------------------------------------------------------

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_DOCX_PARTS = re.compile(r"word/(?:document|header\d*|footer\d*|footnotes|endnotes)\.xml")
_WHITE = {"FFFFFF", "FFFFFFFF"}
_TINY_HALF_POINTS = 4
"""Runs set in under 2 pt (sizes are in half points) are not read by anyone."""


def strip_hidden_docx(data: bytes) -> tuple[bytes, Hidden]:
    """A DOCX without its hidden runs (``w:vanish``), white runs and runs under 2 pt, and their text."""
    from lxml import etree

    hidden = Hidden()
    try:
        source = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        return data, hidden
    changed: dict[str, bytes] = {}
    for name in source.namelist():
        if not _DOCX_PARTS.fullmatch(name):
            continue
        try:
            root = etree.fromstring(source.read(name))
        except etree.XMLSyntaxError:
            continue
        runs = [run for run in root.iter(f"{_W}r") if _hidden_run(run)]
        for run in runs:
            hidden.add("".join(t.text or "" for t in run.iter(f"{_W}t")))
            run.getparent().remove(run)
        if runs:
            changed[name] = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
    if not changed:
        return data, hidden
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            target.writestr(item, changed.get(item.filename) or source.read(item.filename))
    return out.getvalue(), hidden


def _hidden_run(run: object) -> bool:
    properties = run.find(f"{_W}rPr")  # type: ignore[attr-defined]
    if properties is None:
        return False
    vanish = properties.find(f"{_W}vanish")
    if vanish is not None and vanish.get(f"{_W}val", "true") not in ("0", "false"):
        return True
    color = properties.find(f"{_W}color")
    shaded = properties.find(f"{_W}shd") is not None or properties.find(f"{_W}highlight") is not None
    if color is not None and (color.get(f"{_W}val") or "").upper() in _WHITE and not shaded:
        return True
    size = properties.find(f"{_W}sz")
    value = size.get(f"{_W}val") if size is not None else None
    return value is not None and value.isdigit() and int(value) < _TINY_HALF_POINTS


# --- PDF --------------------------------------------------------------------------------------------

_INVISIBLE_RENDER_MODES = {3, 7}
"""PDF text render modes that paint nothing (3: invisible; 7: clip only)."""


def hidden_pdf_text(page: object) -> list[str]:
    """Text of a pypdfium2 page's text objects a reader cannot see: invisible, white, or off the page."""
    import ctypes

    import pypdfium2.raw as pdfium_c

    width, height = page.get_size()  # type: ignore[attr-defined]
    textpage = page.get_textpage()  # type: ignore[attr-defined]
    found = []
    try:
        for obj in page.get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_TEXT], max_depth=1):  # type: ignore[attr-defined]
            r, g, b, a = (ctypes.c_uint() for _ in range(4))
            pdfium_c.FPDFPageObj_GetFillColor(obj.raw, r, g, b, a)
            white = r.value > 245 and g.value > 245 and b.value > 245
            transparent = a.value == 0
            invisible = pdfium_c.FPDFTextObj_GetTextRenderMode(obj.raw) in _INVISIBLE_RENDER_MODES
            left, bottom, right, top = obj.get_bounds()
            off_page = right < 0 or top < 0 or left > width or bottom > height
            if white or transparent or invisible or off_page:
                size = pdfium_c.FPDFTextObj_GetText(obj.raw, textpage.raw, None, 0)
                buffer = (ctypes.c_ushort * max(size // 2, 1))()
                pdfium_c.FPDFTextObj_GetText(obj.raw, textpage.raw, buffer, size)
                text = bytes(buffer).decode("utf-16-le", errors="ignore").rstrip("\x00")
                if text.strip():
                    found.append(text)
    finally:
        textpage.close()
    return found


def without(text: str, hidden: list[str]) -> str:
    """``text`` with each hidden string taken out once (where pdfium put it in the page's text)."""
    for piece in hidden:
        at = text.find(piece)
        if at < 0:
            at = text.find(piece.strip())
            piece = piece.strip()
        if at >= 0:
            text = text[:at] + text[at + len(piece) :]
    return text
