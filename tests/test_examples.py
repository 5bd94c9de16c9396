"""The bundled examples are exactly what the generator script makes, and stay small."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.conftest import EXAMPLES, ROOT


def test_examples_are_reproducible_from_the_script(tmp_path: Path) -> None:
    subprocess.run([sys.executable, str(ROOT / "scripts" / "make_examples.py"), str(tmp_path)], check=True)
    generated = {p.name: p.read_bytes() for p in tmp_path.iterdir()}
    committed = {p.name: p.read_bytes() for p in EXAMPLES.iterdir()}
    assert generated.keys() == committed.keys()
    assert [name for name in generated if generated[name] != committed[name]] == []


def test_examples_cover_three_types_five_formats_and_stay_under_2_mb() -> None:
    files = list(EXAMPLES.iterdir())
    assert len(files) >= 15
    assert {p.suffix for p in files} == {".pdf", ".docx", ".html", ".txt", ".eml"}
    assert sum(p.stat().st_size for p in files) < 2 * 1024 * 1024


def test_gold_sets_are_reproducible_from_the_script(tmp_path: Path) -> None:
    subprocess.run([sys.executable, str(ROOT / "scripts" / "make_gold.py"), str(tmp_path)], check=True)
    committed_root = ROOT / "examples" / "gold"
    generated = {p.relative_to(tmp_path): p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()}
    committed = {p.relative_to(committed_root): p.read_bytes() for p in committed_root.rglob("*") if p.is_file()}
    assert generated.keys() == committed.keys()
    assert [str(name) for name in generated if generated[name] != committed[name]] == []
    assert len(list((committed_root / "financial_statements" / "documents").iterdir())) >= 10
    assert len(list((committed_root / "medical_records" / "documents").iterdir())) >= 10
