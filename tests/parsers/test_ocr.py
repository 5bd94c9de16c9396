"""Image-only PDFs: read by OCR when tesseract is installed, otherwise sent to review with that reason."""

from __future__ import annotations

from pathlib import Path

import pytest

from docnorm.parsers import Limits, document_id, intake, parse
from docnorm.parsers.ocr import tesseract
from docnorm.schemas.errors import ParseError
from tests.hostile import image_only_pdf

LIMITS = Limits(10**8, 100, 10**8, ocr_pages=5)


@pytest.fixture
def scan(tmp_path: Path) -> Path:
    path = tmp_path / "scan.pdf"
    path.write_bytes(image_only_pdf(["DISCHARGE SUMMARY", "Medication: Metformin 500 mg twice daily"]))
    return path


@pytest.mark.skipif(
    tesseract() is None, reason="OCR needs tesseract: apt-get install tesseract-ocr (.ci/run installs it)"
)
def test_a_scan_is_read_by_ocr_with_page_numbers(scan: Path) -> None:
    parsed = parse(intake(scan, document_id(scan), LIMITS), ocr_pages=LIMITS.ocr_pages)
    assert "Metformin 500 mg" in parsed.text
    assert {element.page for element in parsed.elements} == {1}


def test_without_ocr_a_scan_goes_to_review_as_no_text_layer(scan: Path) -> None:
    with pytest.raises(ParseError) as caught:
        parse(intake(scan, document_id(scan), LIMITS), ocr_pages=0)
    assert caught.value.reason == "no_text_layer"


def test_without_tesseract_the_reason_says_how_to_get_it(scan: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", "/nonexistent")
    with pytest.raises(ParseError) as caught:
        parse(intake(scan, document_id(scan), LIMITS), ocr_pages=5)
    assert caught.value.reason == "no_text_layer"
    assert "install tesseract-ocr" in caught.value.message
