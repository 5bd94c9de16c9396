"""Sniffing reads the bytes, never the extension, and names why a file is refused."""

from __future__ import annotations

import codecs
import io
import zipfile
from pathlib import Path

import pytest

from docnorm.parsers.sniff import sniff
from docnorm.schemas.documents import FileKind
from docnorm.schemas.errors import ParseError

LIMIT = 10 * 1024 * 1024


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("master-services-agreement.pdf", FileKind.PDF),
        ("non-disclosure-agreement.docx", FileKind.DOCX),
        ("supply-agreement.html", FileKind.HTML),
        ("lease-agreement.eml", FileKind.EML),
        ("consulting-agreement.txt", FileKind.TXT),
    ],
)
def test_each_example_format_is_recognised_from_its_bytes(examples_dir: Path, name: str, kind: FileKind) -> None:
    assert sniff((examples_dir / name).read_bytes(), max_decompressed_bytes=LIMIT).kind is kind


def test_html_without_doctype_is_still_html() -> None:
    assert sniff(b"<div><p>Total assets</p><table></table></div>", max_decompressed_bytes=LIMIT).kind is FileKind.HTML


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"", "empty"),
        (b"  \n\t ", "empty"),
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, "unsupported_type"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 64, "unsupported_type"),
        (bytes(range(256)) * 4, "unsupported_type"),
        (b"PK\x03\x04 not really a zip", "corrupt"),
    ],
)
def test_refused_bytes_raise_a_typed_reason(data: bytes, reason: str) -> None:
    with pytest.raises(ParseError) as caught:
        sniff(data, max_decompressed_bytes=LIMIT)
    assert caught.value.reason == reason


def _zip(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def test_a_spreadsheet_is_unsupported_not_corrupt() -> None:
    with pytest.raises(ParseError, match="XLSX") as caught:
        sniff(_zip({"xl/workbook.xml": b"<workbook/>"}), max_decompressed_bytes=LIMIT)
    assert caught.value.reason == "unsupported_type"


def test_a_docx_that_expands_past_the_limit_is_too_large() -> None:
    bomb = _zip({"word/document.xml": b"0" * 2_000_000})
    assert len(bomb) < 20_000
    with pytest.raises(ParseError) as caught:
        sniff(bomb, max_decompressed_bytes=1_000_000)
    assert caught.value.reason == "too_large"


@pytest.mark.parametrize(
    ("data", "encoding"),
    [
        ("Café contract".encode(), "utf-8"),
        ("Café contract ½".encode("latin-1"), "cp1252"),
        (codecs.BOM_UTF16_LE + "Agreement".encode("utf-16-le"), "utf-16"),
        (codecs.BOM_UTF8 + b"Agreement", "utf-8-sig"),
    ],
)
def test_text_encodings_are_detected(data: bytes, encoding: str) -> None:
    sniffed = sniff(data, max_decompressed_bytes=LIMIT)
    assert (sniffed.kind, sniffed.encoding) == (FileKind.TXT, encoding)


def test_headers_at_the_top_make_an_email_but_a_label_line_does_not() -> None:
    email = b"From: a@example.com\nTo: b@example.com\nSubject: x\n\nbody\n"
    note = b"Patient Name: Jane\nDOB: 01/01/1990\n"
    assert sniff(email, max_decompressed_bytes=LIMIT).kind is FileKind.EML
    assert sniff(note, max_decompressed_bytes=LIMIT).kind is FileKind.TXT
