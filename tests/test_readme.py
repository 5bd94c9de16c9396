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
