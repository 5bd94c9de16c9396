"""Real files other people wrote (../shared/corpus/parse-only) parse offline into grounded elements."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import CORPUS, parse_file

PARSE_ONLY = CORPUS / "parse-only"
FILES = sorted([*PARSE_ONLY.glob("docx/*.docx"), *PARSE_ONLY.glob("pdf/*.pdf")]) if PARSE_ONLY.is_dir() else []

pytestmark = [
    pytest.mark.corpus,
    pytest.mark.skipif(not FILES, reason=f"shared corpus not found at {PARSE_ONLY}"),
]


@pytest.mark.parametrize("path", FILES, ids=[p.name for p in FILES])
def test_real_documents_parse_into_elements_over_the_canonical_text(path: Path) -> None:
    doc = parse_file(path)
    assert len(doc.elements) >= 3 and len(doc.text) >= 1000
    assert all(doc.text[e.start : e.end] == e.text for e in doc.elements)
    if path.suffix == ".pdf":
        assert {e.page for e in doc.elements} >= {1, 2}
