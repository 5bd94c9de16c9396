"""Element types without spaCy: the same kinds of decision, from patterns and a verb list."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from docnorm.parsers import text_types
from tests.conftest import parse_text


@pytest.mark.parametrize(
    ("line", "kind"),
    [
        ("MEDICATIONS", "Title"),
        ("Assessment and Plan", "Title"),
        ("The patient reports improved sleep and denies chest pain.", "NarrativeText"),
        ("The Supplier shall deliver the goods within thirty days of the order.", "NarrativeText"),
        ("• Lisinopril 10 mg daily", "ListItem"),
        ("12,345", "UncategorizedText"),
    ],
)
def test_lines_get_the_types_the_rules_look_for(tmp_path: Path, line: str, kind: str) -> None:
    doc = parse_text(tmp_path / "note.txt", f"{line}\n\nEnd of note: nothing further was noted.")
    assert doc.elements[0].type == kind


def test_sentences_words_and_verbs_are_read_from_patterns() -> None:
    assert text_types.sent_tokenize("It rained. Then it stopped! ok") == ["It rained.", "Then it stopped! ok"]
    assert text_types.word_tokenize("Net cash (used) in 2024") == ["Net", "cash", "(", "used", ")", "in", "2024"]
    assert [t for _, t in text_types.pos_tag("Supplier agrees to deliver")] == ["NN", "VB", "NN", "VB"]


def test_parsing_never_loads_the_language_model(tmp_path: Path) -> None:
    page = tmp_path / "page.html"
    page.write_text("<h1>Balance Sheet</h1><p>The company reported revenue of 5 million this year.</p>" * 50)
    script = (
        "import sys; from tests.conftest import parse_file; from pathlib import Path\n"
        "from unstructured.nlp import tokenize\n"
        f"parse_file(Path({str(page)!r}))\n"
        "print(tokenize._get_nlp.cache_info().currsize)"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True, timeout=120)
    assert done.stdout.strip() == "0"
