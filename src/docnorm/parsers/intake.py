"""Intake: identify a file by the hash of its bytes, sniff its real type and enforce limits."""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass
from pathlib import Path

from docnorm.parsers.discover import source_uri
from docnorm.parsers.sniff import sniff
from docnorm.schemas.documents import FileKind, SourceDocument
from docnorm.schemas.errors import ParseError
from docnorm.settings import Settings

_CHUNK = 1024 * 1024


@dataclass(frozen=True)
class Limits:
    """What intake accepts."""

    max_file_bytes: int
    max_pages: int
    max_decompressed_bytes: int
    ocr_pages: int = 0
    """Pages of an image-only PDF to OCR (0: no OCR)."""

    @classmethod
    def of(cls, settings: Settings) -> Limits:
        """The limits ``settings`` set."""
        return cls(settings.max_file_bytes, settings.max_pages, settings.max_decompressed_bytes, settings.ocr_max_pages)


@dataclass(frozen=True)
class Intake:
    """An accepted file: its description and bytes, and for text formats the encoding."""

    source: SourceDocument
    data: bytes
    encoding: str | None


def document_id(path: Path) -> str:
    """sha256 of the file's bytes, read in chunks so a huge file never sits in memory."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def intake(path: Path, doc_id: str, limits: Limits) -> Intake:
    """Read and check one file; raise ParseError with a typed reason when it cannot be parsed."""
    size = path.stat().st_size
    if size > limits.max_file_bytes:
        raise ParseError("too_large", f"file is {size} bytes, limit is {limits.max_file_bytes}")
    data = path.read_bytes()
    sniffed = sniff(data, max_decompressed_bytes=limits.max_decompressed_bytes)
    pages = _pdf_pages(data) if sniffed.kind is FileKind.PDF else None
    if pages is not None and pages > limits.max_pages:
        raise ParseError("too_many_pages", f"PDF has {pages} pages, limit is {limits.max_pages}")
    source = SourceDocument(doc_id=doc_id, source_uri=source_uri(path), kind=sniffed.kind, size_bytes=size, pages=pages)
    return Intake(source=source, data=data, encoding=sniffed.encoding)


def _pdf_pages(data: bytes) -> int:
    """Page count of a PDF; ParseError when it is encrypted or damaged beyond reading."""
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted and not _opens_without_password(reader):
            raise ParseError("encrypted", "PDF is password-protected")
        return len(reader.pages)
    except ParseError:
        raise
    except (PyPdfError, ValueError, KeyError, TypeError, OSError) as exc:
        raise ParseError("corrupt", f"PDF structure is damaged ({type(exc).__name__})") from None


def _opens_without_password(reader: object) -> bool:
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    assert isinstance(reader, PdfReader)
    try:
        return bool(reader.decrypt(""))
    except (PyPdfError, NotImplementedError):
        return False
