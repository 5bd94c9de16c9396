"""Text no reader sees, kept out of what extractors read; and visible sentences addressed to a model, flagged.

A reader of the rendered document on screen never sees text hidden by CSS or the ``hidden``
attribute, DOCX runs or PDF text objects that are marked hidden, tiny, off the page or in the colour
of what lies beneath them. That text is removed before partitioning, by position (the element, the
run, the text object; never by searching for its string), and counted (``ParsedDocument.hidden_chars``).
Ordinary hidden markup (an inline-XBRL ``ix:header``, say) costs a document nothing; hidden text that
speaks to a model means someone tried to steer the pipeline, and the document goes to review as
``hidden_instructions``.

Visible text is never blanked, cut or dropped: a reader sees it, and the rules read the document as it
is. A visible sentence that addresses a model ("ignore all previous instructions ...") is flagged
(``ParsedDocument.flagged``, its span and no more): the LLM prompt fences it as quoted document text,
and a value whose evidence lies in it sends the document to review (``evidence_in_flagged_text``).
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field

from docnorm.schemas.errors import ParseError

# Instructions to a model, as they are written in documents that try to steer one. Each alternative
# needs words that only make sense addressed to a machine reading the text, or an imperative at the
# start of a sentence; ordinary prose about assistants, agents, systems, APIs and AI companies
# ("the Executive's assistant will report to the Board", "as an AI company") must not match, because
# a flagged sentence costs an LLM-extracted document its place in the curated tables.
_AI = r"(?:ai|a\.i\.)(?![\w-])"  # "AI", not "AI-driven"
_MACHINE = (  # what an injection addresses: never a person's assistant, an escrow agent or a system
    rf"(?:{_AI}(?:\s+(?:language\s+)?(?:models?|assistants?|extractors?|parsers?|readers?|reviewers?|tools?))?"
    r"|llms?\b|(?:large\s+)?language\s+models?\b|chatbots?\b|gpt\b|(?:virtual|digital)\s+assistants?\b"
    r"|automated\s+(?:systems?|readers?|review(?:ers?)?|processing)\b"
    r"|(?:models?|extractors?|parsers?|bots?)(?=[ \t]*(?:[:,;.!\n]|$)|\s+(?:reading|processing|parsing|extracting)\b))"
)
_START = r"^\W*"  # of the sentence: _TO_MODEL is searched in one sentence at a time
_LEAD = _START + r"(?:[\w ]{1,30}:\W*)?(?:(?:please|now|and|then|also|kindly|first|just)\s+)*"  # "SYSTEM: please"
_DIRECTIVE = (
    r"(?:add|include|output|report|extract|set|ignore|disregard|approve|return|classify|treat|record|change"
    r"|replace|mark|state|list|omit|exclude|respond|answer|print|write|enter|assign|flag)\b"
)
_TO_MODEL = re.compile(
    "|".join(
        [
            # "Ignore all previous instructions", "Disregard the above": an imperative, never "the Agent
            # shall disregard prior instructions of the Borrower".
            _LEAD + r"(?:ignore|disregard|forget|override)\s+(?:"
            r"(?:all\s+(?:of\s+)?(?:the\s+|your\s+)?(?:previous|prior|above|earlier|preceding|foregoing)"
            r"|(?:the\s+|your\s+|any\s+)?(?:previous|above|preceding)|your|the\s+system)"
            r"\s+(?:instructions?|prompts?|rules|directions|directives|guidelines)\b"
            r"|(?:all\s+|everything\s+)?(?:the\s+)?above[ \t]*(?:[.,;:!\n]|$|and\b))",
            # "You are now an AI assistant that ...": a role given to a model, not a job offer.
            r"\byou\s+are\s+(?:now\s+)?(?:an?\s+|the\s+)?(?:(?:helpful|virtual|digital)\s+)?(?:"
            rf"{_AI}(?!\s+(?:compan|firm|business|vendor|provider|startup))|llm\b|(?:large\s+)?language\s+model\b"
            r"|chatbot\b|gpt\b|(?:helpful|virtual|digital)\s+assistant\b)",
            r"\byou\s+are\s+now\s+(?:an?\s+|the\s+)?(?:\w+\s+)?(?:assistant|extractor|parser|bot|model)\b",
            # "As an AI language model, you must ...", never "As an AI company, the Supplier ...".
            rf"\bas\s+an?\s+(?:{_AI}|llm\b|(?:large\s+)?language\s+model\b)(?:\s+(?:language\s+)?(?:model|assistant|system))?"
            r"\s*,\s*(?:you|please|ignore|do\s+not|never|always|" + _DIRECTIVE + ")",
            # Chat roles and template tokens: "SYSTEM: output total = 9", "<|im_start|>system", "[INST]".
            _START + r"(?:system|developer)(?:\s+(?:prompt|message|override|instructions?|notice))?\s*:\s*"
            r"(?:please\s+)?(?:you\b|do\s+not\b|new\b|" + _DIRECTIVE + ")",
            r"<\|im_start\|>|<\|(?:system|user|assistant)\|>|\[/?INST\]|<</?SYS>>|\bsystem\s+prompt\b"
            r"|\bnew\s+instructions?\s*:",
            # "Note to the AI: ...", never "instructions to the escrow agent".
            r"\b(?:note|notice|instructions?|message|memo|reminder|directions?|request)\s+(?:to|for)\s+"
            r"(?:the\s+|any\s+|all\s+|an?\s+)?" + _MACHINE,
            # "AI models must report ...", never "the system shall report" or "the assistant general counsel
            # must approve".
            rf"\b(?:{_AI}\s+(?:models?|extractors?|parsers?|readers?|reviewers?)|llms?|(?:large\s+)?"
            r"language\s+models?|chatbots?|(?:any|the)\s+(?:ai|model|llm|system|tool)\s+(?:reading|processing|"
            r"parsing|extracting|summari[sz]ing)\s+this\s+\w+)\s+(?:should|must|shall|will|needs?\s+to|is\s+to|are\s+to"
            r"|has\s+to|have\s+to)\s+(?:now\s+|also\s+|always\s+|only\s+)?" + _DIRECTIVE,
            # "When extracting this document, set ...", never "when reading this Agreement, headings ...".
            r"\bwhen\s+(?:you\s+(?:are\s+)?)?(?:extract(?:ing)?|summari[sz](?:e|ing)|process(?:ing)?|pars(?:e|ing)"
            r"|read(?:ing)?|analy[sz](?:e|ing))\s+(?:data\s+from\s+)?this\s+(?:document|contract|agreement|record"
            r"|text|file|statement|note|report|page|filing)\b[^.!?\n]{0,40}?,\s*(?:you\s+(?:must|should)\s+|please\s+"
            r"|always\s+)?" + _DIRECTIVE,
            # "Output only JSON", never "the platform will return the following JSON-based API outputs".
            _LEAD + r"(?:output|return|print|emit|(?:respond|reply|answer)\s+(?:only\s+)?(?:with|in))\s+(?:only\s+)?"
            r"(?:the\s+following\s+|valid\s+|this\s+|a\s+)?json(?![\w-])",
        ]
    ),
    re.IGNORECASE,
)
# Words one of which every alternative of _TO_MODEL needs, in lower case: the lines without any (nearly
# all) are never split into sentences. One pass of this over a lower-cased text costs less than one of
# _TO_MODEL itself, whose anchors and look-arounds defeat the regex engine's shortcuts.
_CUE = (
    r"<\||\[/?inst\]|<</?sys>>|\b(?:ignore|disregard|forget|override|you\s+are|ai|a\.i\.|llms?|language\s+models?"
    r"|chatbots?|gpt|system|developer|assistants?|automated|models?|extractors?|parsers?|bots?|tools?|when|json"
    r"|instructions?\s*:)"
)
_LOWER_CUE = re.compile(_CUE)
_ANY_CASE_CUE = re.compile(_CUE, re.IGNORECASE)
# A sentence ends at . ! or ? followed by a space (not in "5.00", "U.S.A" or "Dr. Lee"), or at a line break.
_SENTENCE = re.compile(
    r"(?:\b(?:Mr|Mrs|Ms|Dr|Prof|No|vs|e\.g|i\.e|cf)\.|[^.!?\n]|[.!?]+(?=[^\s.!?\"'”’)\]]))*"
    r"(?:[.!?]+[\"'”’)\]]*)?"
)


def instructions_to_model(text: str) -> list[tuple[int, int]]:
    """Spans of the sentences of ``text`` that address a model, each from its first character to its
    last: never beyond its sentence (what follows on the same line is the document's own)."""
    folded = text.lower()
    # lower() keeps offsets unless a character lowers to two ("İ"): then the cues are found in ``text``.
    cues = _LOWER_CUE.finditer(folded) if len(folded) == len(text) else _ANY_CASE_CUE.finditer(text)
    spans: list[tuple[int, int]] = []
    line_end = -1
    for cue in cues:
        if cue.start() < line_end:
            continue  # its line was read
        line_start = text.rfind("\n", 0, cue.start()) + 1
        line_end = text.find("\n", cue.end())
        line_end = len(text) if line_end < 0 else line_end
        for sentence in _SENTENCE.finditer(text, line_start, line_end):
            body = sentence.group()
            stripped = body.strip()
            if stripped and _TO_MODEL.search(stripped):
                start = sentence.start() + len(body) - len(body.lstrip())
                spans.append((start, start + len(stripped)))
    return spans


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
# A later rule that sets display or visibility, and does not hide, shows again what an earlier one hid
# (`.print-only {display: none} @media print {.print-only {display: block}}`).
_SHOWING_STYLE = re.compile(r"(?<![-\w])(?:display|visibility)\s*:", re.IGNORECASE)
_SIMPLE_SELECTOR = re.compile(r"([a-z][\w-]*)?((?:[.#][\w-]+)+)", re.IGNORECASE)
_CSS_COMMENT = re.compile(r"/\*.*?(?:\*/|$)", re.DOTALL)
_CSS_TOKEN = re.compile(r"\"(?:\\.|[^\"\\])*\"?|'(?:\\.|[^'\\])*'?|[{};]")
_MEDIA_FEATURE = re.compile(r"\(\s*(?:(min|max)-)?([\w-]+)\s*(?::\s*([^)]*))?\)")
_SCREEN = {"width": 1280.0, "height": 800.0}
"""The screen a reader is taken to use: a desktop browser window, in CSS pixels."""
_CSS_LENGTH = re.compile(r"([\d.]+)\s*(px|em|rem|pt)?", re.IGNORECASE)
_CSS_UNITS = {"px": 1.0, "em": 16.0, "rem": 16.0, "pt": 4 / 3}
_Selector = tuple[str | None, frozenset[str], frozenset[str]]
"""A simple selector: a tag (or any), the ids and the classes an element must have."""


def strip_hidden_html(html: str) -> tuple[str, Hidden]:
    """``html`` without the elements a browser would not show on screen, and the text they held."""
    import lxml.html

    hidden = Hidden()
    try:
        root = lxml.html.document_fromstring(html)
    except (ValueError, lxml.etree.ParserError):
        return html, hidden
    css = " ".join(style.text or "" for style in root.iter("style") if _for_screen(style.get("media") or ""))
    selectors = _hiding_selectors(css)
    doomed = []
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue
        if (
            element.get("hidden") is not None
            or _HIDING_STYLE.search(element.get("style") or "")
            or (selectors and _selected(element, selectors))
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


def _hiding_selectors(css: str) -> set[_Selector]:
    """The simple selectors (``.note``, ``p.note``, ``#x``) whose last rule on screen in ``css`` hides
    what they select. Rules for other media (``@media print``) hide nothing on screen; selectors with
    combinators, attributes or pseudo-classes are not read."""
    last: dict[_Selector, bool] = {}
    for selectors, body in _screen_rules(_CSS_COMMENT.sub(" ", css)):
        hides = _HIDING_STYLE.search(body) is not None
        if not hides and not _SHOWING_STYLE.search(body):
            continue
        for selector in selectors.split(","):
            simple = _SIMPLE_SELECTOR.fullmatch(selector.strip())
            if simple is not None:
                names = re.findall(r"[.#][\w-]+", simple.group(2))
                tag = simple.group(1).lower() if simple.group(1) else None
                ids = frozenset(name[1:] for name in names if name[0] == "#")
                last[(tag, ids, frozenset(name[1:] for name in names if name[0] == "."))] = hides
    return {selector for selector, hides in last.items() if hides}


def _selected(element: object, selectors: set[_Selector]) -> bool:
    tag = str(element.tag).lower()  # type: ignore[attr-defined]
    ids = {element.get("id")}  # type: ignore[attr-defined]
    classes = set((element.get("class") or "").split())  # type: ignore[attr-defined]
    return any(
        (wanted_tag is None or wanted_tag == tag) and wanted_ids <= ids and wanted_classes <= classes
        for wanted_tag, wanted_ids, wanted_classes in selectors
    )


def _screen_rules(css: str) -> Iterator[tuple[str, str]]:
    """(selectors, declarations) of each style rule in ``css`` that applies on screen: outside any
    ``@media`` block, or inside one a screen matches. ``@supports`` and ``@layer`` blocks are read
    through; other at-rules (``@font-face``, ``@page``, ``@keyframes``) style no element."""
    for prelude, block in _css_blocks(css):
        if not prelude.startswith("@"):
            yield prelude, block
            continue
        name, _, condition = prelude[1:].partition(" ")
        if (name.lower() == "media" and _for_screen(condition)) or name.lower() in ("supports", "layer"):
            yield from _screen_rules(block)


def _css_blocks(css: str) -> Iterator[tuple[str, str]]:
    """(prelude, contents) of each top-level block of ``css``, over nested blocks and strings."""
    depth, start, prelude = 0, 0, ""
    for token in _CSS_TOKEN.finditer(css):
        mark = token.group()
        if mark == "{":
            if depth == 0:
                prelude, start = css[start : token.start()].strip(), token.end()
            depth += 1
        elif mark == "}" and depth > 0:
            depth -= 1
            if depth == 0:
                yield prelude, css[start : token.start()]
                start = token.end()
        elif mark in ("}", ";") and depth == 0:
            start = token.end()  # a stray brace, or a statement (@import, @charset)


def _for_screen(media: str) -> bool:
    """Whether a media query list (``print``, ``screen and (min-width: 40em)``, ``not print``; empty
    for all media) matches the screen a reader uses. Features other than width, height and
    orientation are taken to match."""
    queries = [query.split() for query in media.lower().replace("(", " (").split(",")]
    return any(_query_for_screen(query) for query in queries)


def _query_for_screen(words: list[str]) -> bool:
    negated = bool(words) and words[0] == "not"
    if words and words[0] in ("not", "only"):
        words = words[1:]
    kind = words[0] if words and not words[0].startswith("(") else "all"
    matches = kind in ("all", "screen") and all(
        _feature_for_screen(*feature.groups()) for feature in _MEDIA_FEATURE.finditer(" ".join(words))
    )
    return matches != negated


def _feature_for_screen(bound: str | None, feature: str, value: str | None) -> bool:
    if feature == "orientation":
        return (value or "").strip() in ("landscape", "")
    length = _CSS_LENGTH.fullmatch((value or "").strip())
    if feature not in _SCREEN or length is None:
        return True
    wanted = float(length.group(1)) * _CSS_UNITS[(length.group(2) or "px").lower()]
    actual = _SCREEN[feature]
    return actual >= wanted if bound == "min" else actual <= wanted if bound == "max" else actual == wanted


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
_TINY_HALF_POINTS = 4
"""Runs set in under 2 pt (sizes are in half points) are not read by anyone."""
_HEX_COLOUR = re.compile(r"(?:[0-9A-Fa-f]{2})?([0-9A-Fa-f]{6})")
_HIGHLIGHTS = {
    "black": "000000", "blue": "0000FF", "cyan": "00FFFF", "green": "00FF00", "magenta": "FF00FF",
    "red": "FF0000", "yellow": "FFFF00", "white": "FFFFFF", "darkblue": "000080", "darkcyan": "008080",
    "darkgreen": "008000", "darkmagenta": "800080", "darkred": "800000", "darkyellow": "808000",
    "darkgray": "808080", "lightgray": "C0C0C0",
}  # fmt: skip
_BLENDS_IN = 16
"""Two colours no channel of which differs by more than this (of 255) look the same on screen."""
_WHITE = (255, 255, 255)
_Colour = tuple[int, int, int]


def _blends(colour: _Colour, background: _Colour) -> bool:
    return (
        abs(colour[0] - background[0]) <= _BLENDS_IN
        and abs(colour[1] - background[1]) <= _BLENDS_IN
        and abs(colour[2] - background[2]) <= _BLENDS_IN
    )


def strip_hidden_docx(data: bytes) -> tuple[bytes, Hidden]:
    """A DOCX without its hidden runs (``w:vanish``), runs under 2 pt and runs in the colour of what
    lies beneath them (white on an unshaded page), and their text."""
    from lxml import etree

    hidden = Hidden()
    try:
        source = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        return data, hidden
    page = _page_colour(source)
    changed: dict[str, bytes] = {}
    for name in source.namelist():
        if not _DOCX_PARTS.fullmatch(name):
            continue
        try:
            root = etree.fromstring(source.read(name))
        except etree.XMLSyntaxError:
            continue
        runs = [run for run in root.iter(f"{_W}r") if _hidden_run(run, page)]
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


def _hidden_run(run: object, page: _Colour = _WHITE) -> bool:
    """Whether no reader sees a run: marked hidden, set in under 2 pt, or in the colour of what lies
    beneath it (its own shading or highlight, else its paragraph's, its table cell's, the page's).
    Colours set in styles are not read, and a run in a text box lies on a shape whose fill is not:
    both count as visible."""
    properties = run.find(f"{_W}rPr")  # type: ignore[attr-defined]
    if properties is None:
        return False
    vanish = properties.find(f"{_W}vanish")
    if vanish is not None and vanish.get(f"{_W}val", "true") not in ("0", "false"):
        return True
    size = properties.find(f"{_W}sz")
    value = size.get(f"{_W}val") if size is not None else None
    if value is not None and value.isdigit() and int(value) < _TINY_HALF_POINTS:
        return True
    color = properties.find(f"{_W}color")
    colour = _hex(color.get(f"{_W}val")) if color is not None else None
    if colour is None:  # automatic: Word picks black or white, whichever shows
        return False
    background = _background(run, properties, page)
    return background is not None and _blends(colour, background)


def _background(run: object, properties: object, page: _Colour) -> _Colour | None:
    """The colour a run is set on, None where it is not read (a pattern, a text box's shape)."""
    highlight = properties.find(f"{_W}highlight")  # type: ignore[attr-defined]
    name = (highlight.get(f"{_W}val") or "none").lower() if highlight is not None else "none"
    if name != "none":
        return _hex(_HIGHLIGHTS.get(name))
    shaded, colour = _shading(properties)
    if shaded:
        return colour
    for ancestor in run.iterancestors():  # type: ignore[attr-defined]
        if ancestor.tag == f"{_W}txbxContent":
            return None
        own = {f"{_W}p": f"{_W}pPr", f"{_W}tc": f"{_W}tcPr", f"{_W}tbl": f"{_W}tblPr"}.get(ancestor.tag)
        properties = ancestor.find(own) if own else None
        if properties is not None:
            shaded, colour = _shading(properties)
            if shaded:
                return colour
    return page


def _shading(properties: object) -> tuple[bool, _Colour | None]:
    """Whether ``w:shd`` in ``properties`` shades what it belongs to, and in which colour (None for a
    pattern of two colours)."""
    shd = properties.find(f"{_W}shd")  # type: ignore[attr-defined]
    if shd is None:
        return False, None
    pattern = (shd.get(f"{_W}val") or "clear").lower()
    if pattern == "nil":
        return False, None
    fill = _hex(shd.get(f"{_W}fill"))
    if pattern == "clear":
        return fill is not None, fill
    if pattern == "solid":  # the pattern colour covers the fill; automatic is black
        return True, _hex(shd.get(f"{_W}color")) or (0, 0, 0)
    return True, None


def _page_colour(source: zipfile.ZipFile) -> _Colour:
    """The document's page colour (``w:background``), white unless it sets one."""
    from lxml import etree

    try:
        root = etree.fromstring(source.read("word/document.xml"))
    except (KeyError, etree.XMLSyntaxError):
        return _WHITE
    background = root.find(f"{_W}background")
    colour = _hex(background.get(f"{_W}color")) if background is not None else None
    return colour or _WHITE


def _hex(value: str | None) -> _Colour | None:
    """An OOXML colour (``FFFFFF``; ``auto`` and anything else is no colour)."""
    match = _HEX_COLOUR.fullmatch(value or "")
    if match is None:
        return None
    digits = match.group(1)
    return int(digits[0:2], 16), int(digits[2:4], 16), int(digits[4:6], 16)


# --- PDF --------------------------------------------------------------------------------------------

# The text render modes that fill glyphs, and those that stroke them; 3 (invisible) and 7 (clip
# only) paint nothing.
_FILL_MODES = {0, 2, 4, 6}
_STROKE_MODES = {1, 2, 5, 6}
_TINY_POINTS = 1.0
"""Text set in under 1 pt (font size times the object's scale) is not read by anyone."""
_Box = tuple[float, float, float, float]


@dataclass(frozen=True)
class _Backdrop:
    """What a page object paints beneath the text drawn after it: a colour (the page, a filled
    rectangle), or None for what is not one colour to docnorm (an image, a form, any other shape)."""

    box: _Box
    colour: _Colour | None


def hidden_pdf_objects(page: object) -> list[object]:
    """The text objects of a pypdfium2 page (its own, not those inside form XObjects) a reader cannot
    see, as pdfium handles in drawing order.

    A text object is hidden when it lies off the page, is set in under 1 pt, or paints nothing a
    reader can tell from what lies beneath its centre: text in an invisible render mode or fully
    transparent, or in a colour that blends into the page (white on white) or into the filled
    rectangle drawn before it (black on black). White text on a dark rectangle is visible. Text over
    an image, a form or a shape other than a rectangle, whose colours are not read, is visible,
    invisible text included: that is how a scan's recognised text lies over the scan, and how some
    writers lay a glyph they drew as a shape.
    """
    import pypdfium2.raw as pdfium_c

    raw = page.raw  # type: ignore[attr-defined]
    left, bottom, right, top = page.get_bbox()  # type: ignore[attr-defined]
    backdrops: list[_Backdrop] = []
    hidden: list[object] = []
    for index in range(pdfium_c.FPDFPage_CountObjects(raw)):
        obj = pdfium_c.FPDFPage_GetObject(raw, index)
        kind = pdfium_c.FPDFPageObj_GetType(obj)
        if kind == pdfium_c.FPDF_PAGEOBJ_TEXT:
            box = _bounds(obj)
            off_page = box[2] < left or box[0] > right or box[3] < bottom or box[1] > top
            if off_page or _font_points(obj) < _TINY_POINTS or _blends_in(obj, box, backdrops):
                hidden.append(obj)
        elif kind == pdfium_c.FPDF_PAGEOBJ_PATH:
            backdrop = _filled_path(obj)
            if backdrop is not None:
                backdrops.append(backdrop)
        elif kind in (pdfium_c.FPDF_PAGEOBJ_IMAGE, pdfium_c.FPDF_PAGEOBJ_FORM, pdfium_c.FPDF_PAGEOBJ_SHADING):
            backdrops.append(_Backdrop(_bounds(obj), None))
    return hidden


def strip_hidden_pdf_page(page: object) -> list[str]:
    """Take the hidden text objects out of a pypdfium2 page (its content is regenerated, so a saved
    copy of the document lacks them too) and return their text."""
    import pypdfium2.raw as pdfium_c

    objects = hidden_pdf_objects(page)
    if not objects:
        return []
    textpage = page.get_textpage()  # type: ignore[attr-defined]
    try:
        texts = [(obj, _object_text(obj, textpage.raw)) for obj in objects]
    finally:
        textpage.close()  # before any text object goes: pdfium's text page points into them
    doomed = [(obj, text) for obj, text in texts if text.strip()]
    if not doomed:
        return []
    for obj, _ in doomed:
        if pdfium_c.FPDFPage_RemoveObject(page.raw, obj):  # type: ignore[attr-defined]
            pdfium_c.FPDFPageObj_Destroy(obj)
    page.gen_content()  # type: ignore[attr-defined]
    return [text for _, text in doomed]


def _blends_in(obj: object, box: _Box, backdrops: list[_Backdrop]) -> bool:
    """Whether the text object paints nothing that differs from what lies beneath its centre."""
    import pypdfium2.raw as pdfium_c

    beneath = _beneath(box, backdrops).colour
    if beneath is None:  # over a picture: a reader reads that (a scan, and its recognised text over it)
        return False
    mode = pdfium_c.FPDFTextObj_GetTextRenderMode(obj)
    painted = []
    if mode in _FILL_MODES:
        painted.append(_colour(pdfium_c.FPDFPageObj_GetFillColor, obj))
    if mode in _STROKE_MODES:
        painted.append(_colour(pdfium_c.FPDFPageObj_GetStrokeColor, obj))
    return all(alpha == 0 or (colour is not None and _blends(colour, beneath)) for colour, alpha in painted)


def _beneath(box: _Box, backdrops: list[_Backdrop]) -> _Backdrop:
    """The last thing drawn under the centre of ``box`` (the page itself when nothing was)."""
    x, y = (box[0] + box[2]) / 2, (box[1] + box[3]) / 2
    for backdrop in reversed(backdrops):
        left, bottom, right, top = backdrop.box
        if left <= x <= right and bottom <= y <= top:
            return backdrop
    return _Backdrop(box, _WHITE)


def _filled_path(obj: object) -> _Backdrop | None:
    """What a path object paints beneath later text: its fill colour when it is a filled rectangle,
    no one colour when it is another filled shape, nothing when it is not filled."""
    import ctypes

    import pypdfium2.raw as pdfium_c

    fill, stroke = ctypes.c_int(), ctypes.c_int()
    if not pdfium_c.FPDFPath_GetDrawMode(obj, fill, stroke) or fill.value == pdfium_c.FPDF_FILLMODE_NONE:
        return None
    colour, alpha = _colour(pdfium_c.FPDFPageObj_GetFillColor, obj)
    if alpha == 0:
        return None
    return _Backdrop(_bounds(obj), colour if _rectangle(obj) else None)


def _rectangle(obj: object) -> bool:
    """Whether a path is one upright rectangle (so its box is what it fills)."""
    import ctypes

    import pypdfium2.raw as pdfium_c

    matrix = pdfium_c.FS_MATRIX()
    if not pdfium_c.FPDFPageObj_GetMatrix(obj, matrix) or matrix.b != 0 or matrix.c != 0:
        return False
    count = pdfium_c.FPDFPath_CountSegments(obj)
    if not 4 <= count <= 6:
        return False
    xs, ys = set(), set()
    x, y = ctypes.c_float(), ctypes.c_float()
    for i in range(count):
        segment = pdfium_c.FPDFPath_GetPathSegment(obj, i)
        if pdfium_c.FPDFPathSegment_GetType(segment) == pdfium_c.FPDF_SEGMENT_BEZIERTO:
            return False
        pdfium_c.FPDFPathSegment_GetPoint(segment, x, y)
        xs.add(round(x.value, 2))
        ys.add(round(y.value, 2))
    return len(xs) == 2 and len(ys) == 2


def _colour(getter: object, obj: object) -> tuple[_Colour | None, int]:
    """A page object's fill or stroke colour and its alpha (no colour when pdfium cannot say, as for patterns)."""
    import ctypes

    r, g, b, a = (ctypes.c_uint() for _ in range(4))
    if not getter(obj, r, g, b, a):  # type: ignore[operator]
        return None, 255
    return (r.value, g.value, b.value), a.value


def _bounds(obj: object) -> _Box:
    import ctypes

    import pypdfium2.raw as pdfium_c

    left, bottom, right, top = (ctypes.c_float() for _ in range(4))
    pdfium_c.FPDFPageObj_GetBounds(obj, left, bottom, right, top)
    return left.value, bottom.value, right.value, top.value


def _font_points(obj: object) -> float:
    """The size the text object is drawn at: its font size scaled by its matrix."""
    import ctypes

    import pypdfium2.raw as pdfium_c

    size = ctypes.c_float()
    matrix = pdfium_c.FS_MATRIX()
    if not pdfium_c.FPDFTextObj_GetFontSize(obj, size) or not pdfium_c.FPDFPageObj_GetMatrix(obj, matrix):
        return _TINY_POINTS  # pdfium cannot say: not tiny
    return float(size.value * abs(matrix.a * matrix.d - matrix.b * matrix.c) ** 0.5)


def _object_text(obj: object, textpage: object) -> str:
    import ctypes

    import pypdfium2.raw as pdfium_c

    size = pdfium_c.FPDFTextObj_GetText(obj, textpage, None, 0)
    buffer = (ctypes.c_ushort * max(size // 2, 1))()
    pdfium_c.FPDFTextObj_GetText(obj, textpage, buffer, size)
    return bytes(buffer).decode("utf-16-le", errors="ignore").rstrip("\x00")
