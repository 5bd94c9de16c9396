"""Hidden text goes by position (the PDF text object, the DOCX run, the HTML element), never by its string.

Each look-alike is built here, at test time, beside a control: the same document, without the hidden
text or with the suspect text drawn plainly. What a reader sees must parse to the same text in both;
what no reader sees is counted and never reaches the text.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path

import pytest
from docx import Document
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import RGBColor
from PIL import Image
from reportlab.lib.pagesizes import letter
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen.canvas import Canvas

from docnorm.parsers.hidden import Hidden, strip_hidden_html
from docnorm.parsers.pdf_tables import text_layer
from docnorm.schemas.documents import ParsedDocument
from tests.conftest import parse_file

Draw = Callable[[Canvas], None]
REPORT = ["Example Ledger Inc.", "Quarterly report to shareholders", "As of December 31, 2024", "Revenue grew."]
STATEMENT = [
    "Example Ledger Inc.",
    "Consolidated Balance Sheets",
    "As of December 31, 2024",
    "Total assets 5,000",
    "Total liabilities 2,000",
]


def _pdf(lines: list[str], *draws: Draw) -> bytes:
    out = io.BytesIO()
    page = Canvas(out, pagesize=letter, invariant=1)
    for number, line in enumerate(lines):
        page.drawString(72, 720 - 20 * number, line)
    for draw in draws:
        page.saveState()
        draw(page)
        page.restoreState()
    page.save()
    return out.getvalue()


def _text(words: str, x: float, y: float, rgb: tuple[float, float, float] = (0, 0, 0)) -> Draw:
    def draw(page: Canvas) -> None:
        page.setFillColorRGB(*rgb)
        page.drawString(x, y, words)

    return draw


def _box(x: float, y: float, width: float, height: float, rgb: tuple[float, float, float]) -> Draw:
    def draw(page: Canvas) -> None:
        page.setFillColorRGB(*rgb)
        page.rect(x, y, width, height, fill=1, stroke=0)

    return draw


def _invisible(words: str, x: float, y: float) -> Draw:
    def draw(page: Canvas) -> None:
        text = page.beginText(x, y)
        text.setTextRenderMode(3)
        text.textLine(words)
        page.drawText(text)

    return draw


def _picture(x: float, y: float) -> Draw:
    def draw(page: Canvas) -> None:
        page.drawImage(ImageReader(Image.new("RGB", (40, 10), (200, 200, 200))), x, y, width=400, height=40)

    return draw


def _tiny(words: str, x: float, y: float) -> Draw:
    def draw(page: Canvas) -> None:
        page.setFont("Helvetica", 0.5)
        page.drawString(x, y, words)

    return draw


WHITE, NAVY, BLACK = (1.0, 1.0, 1.0), (0.1, 0.1, 0.3), (0.0, 0.0, 0.0)
DARK_FOOTER = (_box(0, 0, 612, 60, NAVY), _text("2024", 72, 30, WHITE))


def _parse(tmp_path: Path, name: str, data: bytes) -> ParsedDocument:
    path = tmp_path / name
    path.write_bytes(data)
    return parse_file(path)


def _layer(data: bytes) -> tuple[str, Hidden]:
    hidden = Hidden()
    return "".join(text_layer(data, hidden).pages), hidden


# --- PDF --------------------------------------------------------------------------------------------


def test_white_text_on_a_dark_footer_is_read_like_the_same_text_printed_plainly(tmp_path: Path) -> None:
    footer = _parse(tmp_path, "footer.pdf", _pdf(REPORT, *DARK_FOOTER))
    plain = _parse(tmp_path, "plain.pdf", _pdf(REPORT, _text("2024", 72, 30)))
    assert footer.text == plain.text
    assert "As of December 31, 2024" in footer.text and footer.text.endswith("2024")
    assert footer.hidden_chars == 0


def test_white_on_white_text_goes_where_it_stands_and_the_same_visible_string_stays(tmp_path: Path) -> None:
    control = _parse(tmp_path, "control.pdf", _pdf(REPORT, *DARK_FOOTER))
    lookalike = _parse(tmp_path, "lookalike.pdf", _pdf(REPORT, *DARK_FOOTER, _text("2024", 300, 400, WHITE)))
    assert lookalike.text == control.text  # "December 31, 2024" and the footer's "2024" both kept
    assert (control.hidden_chars, lookalike.hidden_chars) == (0, 4)


def test_on_a_statement_page_only_the_hidden_text_objects_characters_go(tmp_path: Path) -> None:
    hidden_objects = (_text("2024", 300, 300, WHITE), _text("Total assets", 300, 250, WHITE))
    control = _parse(tmp_path, "statement.pdf", _pdf(STATEMENT, *DARK_FOOTER))
    lookalike = _parse(tmp_path, "statement-lookalike.pdf", _pdf(STATEMENT, *DARK_FOOTER, *hidden_objects))
    assert [e.text for e in lookalike.elements] == [e.text for e in control.elements]
    assert "As of December 31, 2024" in control.text and "Total assets 5,000" in control.text
    assert (control.hidden_chars, lookalike.hidden_chars) == (0, len("2024") + len("Total assets"))


@pytest.mark.parametrize(
    ("name", "draws", "shown"),
    [
        ("white on a dark rectangle", (_box(280, 390, 200, 30, NAVY), _text("Net of fees", 300, 400, WHITE)), True),
        ("black on a black rectangle", (_box(280, 390, 200, 30, BLACK), _text("Net of fees", 300, 400)), False),
        (
            "white on a white rectangle laid over a dark one",
            (_box(280, 390, 200, 30, NAVY), _box(290, 395, 150, 20, WHITE), _text("Net of fees", 300, 400, WHITE)),
            False,
        ),
        (
            "white under a dark rectangle drawn after it",
            (_text("Net of fees", 300, 400, WHITE), _box(280, 390, 200, 30, NAVY)),
            False,
        ),
        ("invisible over a scanned image", (_picture(280, 380), _invisible("Net of fees", 300, 400)), True),
        ("invisible on the page", (_invisible("Net of fees", 300, 400),), False),
        ("set in half a point", (_tiny("Net of fees", 300, 400),), False),
        ("off the page", (_text("Net of fees", 700, 400),), False),
    ],
)
def test_pdf_text_is_hidden_when_a_reader_cannot_tell_it_from_what_lies_beneath(
    name: str, draws: tuple[Draw, ...], shown: bool
) -> None:
    text, hidden = _layer(_pdf(REPORT, *draws))
    plain, nothing = _layer(_pdf(REPORT, _text("Net of fees", 300, 400)))
    assert nothing.texts == []
    if shown:
        assert text == plain and hidden.texts == []
    else:
        assert text == _layer(_pdf(REPORT))[0] and hidden.texts == ["Net of fees"]


def test_where_pdfium_cannot_look_for_hidden_text_the_page_is_read_as_it_is(monkeypatch: pytest.MonkeyPatch) -> None:
    def damaged(page: object) -> list[str]:
        raise RuntimeError("the object API failed on this page")

    monkeypatch.setattr("docnorm.parsers.pdf_tables.strip_hidden_pdf_page", damaged)
    data = _pdf(REPORT, _text("2024", 300, 400, WHITE))
    hidden = Hidden()
    layer = text_layer(data, hidden)
    assert "As of December 31, 2024" in layer.pages[0] and hidden.texts == []
    assert layer.data == data


def test_a_pdf_without_hidden_text_is_handed_on_as_it_came() -> None:
    data = _pdf(STATEMENT, *DARK_FOOTER)
    assert text_layer(data, Hidden()).data is data


# --- DOCX -------------------------------------------------------------------------------------------


def _shade(properties: object, fill: str) -> None:
    shading = OxmlElement("w:shd")
    shading.set(qn("w:val"), "clear")
    shading.set(qn("w:color"), "auto")
    shading.set(qn("w:fill"), fill)
    properties.append(shading)  # type: ignore[attr-defined]


def _docx(where: str, fill: str | None, white: bool) -> bytes:
    """A short report with one line, "Net of fees 2024", in a paragraph or a table cell, shaded ``fill``."""
    document = Document()
    for line in REPORT:
        document.add_paragraph(line)
    if where == "cell":
        cell = document.add_table(rows=1, cols=1).cell(0, 0)
        paragraph = cell.paragraphs[0]
        if fill:
            _shade(cell._tc.get_or_add_tcPr(), fill)
    else:
        paragraph = document.add_paragraph()
        if fill:
            _shade(paragraph._p.get_or_add_pPr(), fill)
    run = paragraph.add_run("Net of fees 2024")
    run.font.color.rgb = RGBColor(0xFF, 0xFF, 0xFF) if white else RGBColor(0, 0, 0)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


@pytest.mark.parametrize(
    ("where", "fill", "shown"),
    [("cell", "1F3864", True), ("paragraph", "1F3864", True), ("cell", None, False), ("paragraph", None, False)]
    + [("cell", "FFFFFF", False), ("paragraph", "auto", False)],
)
def test_white_docx_text_is_hidden_only_where_nothing_shades_it(
    tmp_path: Path, where: str, fill: str | None, shown: bool
) -> None:
    doc = _parse(tmp_path, "white.docx", _docx(where, fill, white=True))
    control = _parse(tmp_path, "black.docx", _docx(where, fill, white=False))
    assert "Net of fees 2024" in control.text and control.hidden_chars == 0
    if shown:
        assert doc.text == control.text and doc.hidden_chars == 0
    else:
        assert "Net of fees" not in doc.text and doc.hidden_chars == len("Net of fees 2024")
        assert "As of December 31, 2024" in doc.text


# --- HTML -------------------------------------------------------------------------------------------


def _html(css: str, style_media: str | None = None) -> str:
    media = f' media="{style_media}"' if style_media is not None else ""
    paragraphs = "".join(f"<p>{line}</p>" for line in REPORT)
    return f"<html><head><style{media}>{css}</style></head><body>{paragraphs}<p class='x'>Net of fees</p></body></html>"


@pytest.mark.parametrize(
    ("css", "style_media", "shown"),
    [
        ("@media print { .x { display: none } }", None, True),
        ("@media screen { .x { display: none } }", None, False),
        (".x { display: none }", "print", True),
        (".x { display: none }", "screen, print", False),
        ("@media (max-width: 600px) { .x { display: none } }", None, True),
        ("@media screen and (min-width: 40em) { .x { display: none } }", None, False),
        ("@media not print { .x { display: none } }", None, False),
        ("@media screen { @supports (display: grid) { p.x { visibility: hidden } } }", None, False),
        (".x { display: none } @media print { .x { display: block } }", None, False),
        ("@media print { .x { display: block } } .x { display: none } .x { display: inline }", None, True),
        ("/* .x { display: none } */ a { content: '}' } .y { display: none }", None, True),
    ],
)
def test_css_hides_only_what_it_hides_on_screen(css: str, style_media: str | None, shown: bool) -> None:
    visible, hidden = strip_hidden_html(_html(css, style_media))
    if shown:
        assert "Net of fees" in visible and hidden.texts == []
    else:
        assert "Net of fees" not in visible and hidden.texts == ["Net of fees"]
    assert "As of December 31, 2024" in visible


def test_print_only_rules_leave_the_parsed_text_as_it_is_without_them(tmp_path: Path) -> None:
    printed = _parse(tmp_path, "print.html", _html("@media print { .x { display: none } }").encode())
    control = _parse(tmp_path, "control.html", _html("").encode())
    screen = _parse(tmp_path, "screen.html", _html("@media screen { .x { display: none } }").encode())
    assert printed.text == control.text and printed.hidden_chars == 0
    assert "Net of fees" not in screen.text and screen.hidden_chars == len("Net of fees")
