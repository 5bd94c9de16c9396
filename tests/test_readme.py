"""The README and docs/ document what the code does: a short README whose links resolve, every setting,
every reason code, the commands CI runs, and the layers the import contracts enforce."""

from __future__ import annotations

import re
import tomllib

from docnorm.settings import Settings
from tests.conftest import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")
DOCS = ROOT / "docs"


def test_the_readme_reads_in_minutes() -> None:
    assert len(README.splitlines()) <= 200


def test_every_relative_link_in_the_readme_and_docs_resolves() -> None:
    broken = []
    for page in [ROOT / "README.md", *DOCS.glob("*.md")]:
        for target in re.findall(r"\]\(([^)#\s]+)(?:#[^)]*)?\)", page.read_text(encoding="utf-8")):
            if not target.startswith(("http://", "https://", "mailto:")) and not (page.parent / target).exists():
                broken.append(f"{page.relative_to(ROOT)} -> {target}")
    assert broken == []


def test_every_setting_is_documented() -> None:
    configuration = (DOCS / "configuration.md").read_text(encoding="utf-8")
    missing = [
        f"DOCNORM_{name.upper()}" for name in Settings.model_fields if f"DOCNORM_{name.upper()}" not in configuration
    ]
    assert missing == []


def test_quick_start_names_the_commands_ci_runs() -> None:
    assert "make demo" in README and "make test" in README
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "make check" in ci and "make test" in ci


def test_every_reason_code_is_listed_under_failure_handling() -> None:
    section = (DOCS / "failure-handling.md").read_text(encoding="utf-8")
    codes: set[str] = set()
    for path in (ROOT / "src" / "docnorm").rglob("*.py"):
        source = path.read_text(encoding="utf-8")
        codes |= set(re.findall(r'(?:Error|_refused|_skipped)\(\s*(?:path,\s*)?"([a-z_0-9]+)"', source))
        codes |= set(re.findall(r'\bcode="([a-z_0-9]+)"', source))
        if "validators" in path.parts:
            codes |= set(re.findall(r'\bname="([a-z_0-9]+)"', source))
    assert len(codes) > 30, "the scan finds the codes"
    assert sorted(c for c in codes if f"`{c}`" not in section) == []


def test_the_architecture_page_names_every_layer_the_contracts_enforce() -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    [layers] = [c for c in config["tool"]["importlinter"]["contracts"] if c["type"] == "layers"]
    architecture = (DOCS / "architecture.md").read_text(encoding="utf-8")
    diagram = architecture.split("```")[1]
    named = {name.strip() for layer in layers["layers"] for name in layer.split("|")}
    assert sorted(n for n in named if not re.search(rf"^\s*(.*\|\s*)?{re.escape(n)}\b", diagram, re.M)) == []
    packages = {p.stem if p.is_file() else p.name for p in (ROOT / "src" / "docnorm").iterdir()}
    packages -= {"__init__", "__pycache__", "_environment"}
    assert sorted(packages - named) == [], "every module of docnorm is in a layer"
