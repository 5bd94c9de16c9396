"""Intake: identity from the bytes, and typed refusals for files that cannot be parsed."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import pytest

from docnorm.parsers import Limits, document_id, intake
from docnorm.schemas.documents import FileKind
from docnorm.schemas.errors import ParseError
from tests.hostile import blank_pdf

LIMITS = Limits(max_file_bytes=1_000_000, max_pages=5, max_decompressed_bytes=10_000_000)


def test_doc_id_is_the_sha256_of_the_bytes_whatever_the_name(examples_dir: Path, tmp_path: Path) -> None:
    source = examples_dir / "master-services-agreement.pdf"
    renamed = Path(shutil.copy(source, tmp_path / "renamed.txt"))
    expected = hashlib.sha256(source.read_bytes()).hexdigest()
    assert document_id(source) == document_id(renamed) == expected
    accepted = intake(renamed, expected, LIMITS)
    assert accepted.source.kind is FileKind.PDF and accepted.source.pages == 1
    assert accepted.source.source_uri.endswith("renamed.txt")


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (blank_pdf(1, password="secret"), "encrypted"),
        (blank_pdf(6), "too_many_pages"),
        (b"%PDF-1.7\n" + b"\x00garbage" * 10, "corrupt"),
        (b"x" * 1_000_001, "too_large"),
    ],
)
def test_unparseable_files_are_refused_with_a_reason(tmp_path: Path, data: bytes, reason: str) -> None:
    path = tmp_path / "input.bin"
    path.write_bytes(data)
    with pytest.raises(ParseError) as caught:
        intake(path, document_id(path), LIMITS)
    assert caught.value.reason == reason
    assert caught.value.stage == "parse"
