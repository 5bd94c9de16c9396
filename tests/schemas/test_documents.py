"""ParsedDocument turns char spans into evidence with the element and page they sit in."""

from __future__ import annotations

from docnorm.schemas.documents import Element, FileKind, ParsedDocument, SourceDocument


def _doc() -> ParsedDocument:
    source = SourceDocument(doc_id="0" * 64, source_uri="file:///x.pdf", kind=FileKind.PDF, size_bytes=1)
    text = "Title\n\nBody on page two"
    return ParsedDocument(
        source=source,
        text=text,
        elements=[
            Element(type="Title", text="Title", page=1, start=0, end=5),
            Element(type="NarrativeText", text="Body on page two", page=2, start=7, end=23),
        ],
    )


def test_evidence_points_at_the_element_and_page_holding_the_span() -> None:
    evidence = _doc().evidence(15, 19)
    assert (evidence.quote, evidence.page, evidence.element, evidence.verified) == ("page", 2, 1, True)


def test_evidence_at_the_first_char_belongs_to_the_first_element() -> None:
    evidence = _doc().evidence(0, 5)
    assert (evidence.quote, evidence.page, evidence.element) == ("Title", 1, 0)
