"""Tell a file's real format from its bytes; the extension is never trusted."""

from __future__ import annotations

import codecs
import io
import re
import zipfile
from dataclasses import dataclass

from docnorm.schemas.documents import FileKind
from docnorm.schemas.errors import ParseError

_SNIFF_WINDOW = 4096
_INFLATE_CHUNK = 1024 * 1024
_BINARY_SIGNATURES: dict[bytes, str] = {
    b"\x89PNG\r\n\x1a\n": "PNG image",
    b"\xff\xd8\xff": "JPEG image",
    b"GIF87a": "GIF image",
    b"GIF89a": "GIF image",
    b"II*\x00": "TIFF image",
    b"MM\x00*": "TIFF image",
    b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1": "legacy Office (OLE) file",
    b"\x1f\x8b": "gzip archive",
    b"7z\xbc\xaf\x27\x1c": "7z archive",
    b"Rar!": "RAR archive",
}
_HTML_START = re.compile(rb"^\s*(<!--.*?-->\s*)*<(!doctype\s+html|html|head|body)\b", re.IGNORECASE | re.DOTALL)
_HTML_ANYWHERE = re.compile(rb"<(html|body|table|div|p)\b[^>]*>", re.IGNORECASE)
_HEADER_LINE = re.compile(r"^[A-Za-z][A-Za-z0-9-]*:[ \t]")
_MAIL_HEADERS = {"from", "to", "subject", "date", "mime-version", "received", "message-id", "return-path"}


@dataclass(frozen=True)
class Sniffed:
    """A file's real format and, for text formats, its encoding."""

    kind: FileKind
    encoding: str | None = None


def sniff(data: bytes, *, max_decompressed_bytes: int) -> Sniffed:
    """Return the format of ``data`` or raise ParseError (empty, unsupported, corrupt)."""
    if not data.strip():
        raise ParseError("empty", "the file has no content")
    head = data[:_SNIFF_WINDOW]
    if b"%PDF-" in head[:1024]:
        return Sniffed(FileKind.PDF)
    if head.startswith(b"PK\x03\x04"):
        return _sniff_zip(data, max_decompressed_bytes)
    for signature, name in _BINARY_SIGNATURES.items():
        if head.startswith(signature):
            raise ParseError("unsupported_type", f"{name} is not a supported format")
    encoding = _text_encoding(data)
    if _HTML_START.search(head) or len(_HTML_ANYWHERE.findall(head)) >= 2:
        return Sniffed(FileKind.HTML, encoding)
    if _looks_like_email(data[:_SNIFF_WINDOW].decode(encoding, errors="replace")):
        return Sniffed(FileKind.EML, encoding)
    return Sniffed(FileKind.TXT, encoding)


def _sniff_zip(data: bytes, max_decompressed_bytes: int) -> Sniffed:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
            if "word/document.xml" not in names:
                kind = "spreadsheet (XLSX)" if "xl/workbook.xml" in names else "zip archive"
                raise ParseError("unsupported_type", f"{kind} is not a supported format")
            _check_expansion(archive, max_decompressed_bytes)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, EOFError, OSError, RuntimeError):
        raise ParseError("corrupt", "zip container is damaged") from None
    return Sniffed(FileKind.DOCX)


def _check_expansion(archive: zipfile.ZipFile, limit: int) -> None:
    """Inflate every member, counting, and stop at ``limit``: declared sizes can lie (zip bombs)."""
    declared = sum(info.file_size for info in archive.infolist())
    if declared > limit:
        raise ParseError("too_large", f"DOCX expands to {declared} bytes, limit is {limit}")
    expanded = 0
    for info in archive.infolist():
        with archive.open(info) as member:
            while chunk := member.read(_INFLATE_CHUNK):
                expanded += len(chunk)
                if expanded > limit:
                    raise ParseError("too_large", f"DOCX expands beyond the limit of {limit} bytes")


def _text_encoding(data: bytes) -> str:
    """The encoding text bytes decode with, or ParseError for binary data."""
    for bom, name in ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16")):
        if data.startswith(bom):
            return name
    sample = data[: 64 * 1024]
    if b"\x00" in sample:
        raise ParseError("unsupported_type", "binary data is not a supported format")
    try:
        sample.decode("utf-8")
    except UnicodeDecodeError as exc:
        # A multi-byte sequence cut at the sample's end is still UTF-8.
        if exc.start < len(sample) - 4:
            return "cp1252" if _decodes(sample, "cp1252") else "latin-1"
    return "utf-8"


def _decodes(data: bytes, encoding: str) -> bool:
    try:
        data.decode(encoding)
    except UnicodeDecodeError:
        return False
    return True


def _looks_like_email(head: str) -> bool:
    headers: set[str] = set()
    for line in head.splitlines():
        if not line.strip():
            break
        if line[0] in " \t":
            continue
        if not _HEADER_LINE.match(line):
            return False
        headers.add(line.split(":", 1)[0].lower())
    return len(headers & _MAIL_HEADERS) >= 2 and bool(headers & {"from", "mime-version", "received"})
