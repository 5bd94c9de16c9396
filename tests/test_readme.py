"""The README documents what the code does: every setting, and the two quick-start commands."""

from __future__ import annotations

from docnorm.settings import Settings
from tests.conftest import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_every_setting_is_documented() -> None:
    missing = [f"DOCNORM_{name.upper()}" for name in Settings.model_fields if f"DOCNORM_{name.upper()}" not in README]
    assert missing == []


def test_quick_start_names_the_commands_ci_runs() -> None:
    assert "make demo" in README and "make test" in README
    assert "make test" in (ROOT / ".ci" / "run").read_text(encoding="utf-8")


def test_every_reason_code_is_listed_under_failure_handling() -> None:
    import re

    section = README.split("## Failure handling", 1)[1].split("\n## ", 1)[0]
    codes: set[str] = set()
    for path in (ROOT / "src" / "docnorm").rglob("*.py"):
        source = path.read_text(encoding="utf-8")
        codes |= set(re.findall(r'(?:Error|_refused|_skipped)\(\s*(?:path,\s*)?"([a-z_0-9]+)"', source))
        codes |= set(re.findall(r'\bcode="([a-z_0-9]+)"', source))
        if "validators" in path.parts:
            codes |= set(re.findall(r'\bname="([a-z_0-9]+)"', source))
    assert len(codes) > 30, "the scan finds the codes"
    assert sorted(c for c in codes if f"`{c}`" not in section) == []
