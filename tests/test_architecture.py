"""The layers in docs/architecture.md are enforced: import-linter's contracts in pyproject.toml hold on
the package, and a wrong import in a copy of it breaks them."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT

LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"


def _copy(tmp_path: Path) -> Path:
    shutil.copytree(
        ROOT / "src" / "docnorm", tmp_path / "src" / "docnorm", ignore=shutil.ignore_patterns("__pycache__")
    )
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    return tmp_path


def _lint(root: Path) -> subprocess.CompletedProcess[str]:
    # The copy comes first on the path, before the installed package.
    env = {**os.environ, "PYTHONPATH": str(root / "src")}
    return subprocess.run(
        [str(LINT_IMPORTS), "--config", str(root / "pyproject.toml"), "--no-cache"],
        cwd=root, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip


def _add_line(path: Path, line: str) -> None:
    path.write_text(path.read_text(encoding="utf-8") + f"\n{line}\n", encoding="utf-8")


def test_the_package_keeps_every_contract(tmp_path: Path) -> None:
    result = _lint(_copy(tmp_path))
    assert result.returncode == 0, result.stdout
    assert "0 broken" in result.stdout


@pytest.mark.parametrize(
    ("module", "line", "contract"),
    [
        ("schemas/run.py", "from docnorm.stages.run import Run  # noqa: E402", "Each layer imports only"),
        ("sinks/curated.py", "from docnorm.doctypes.builtin import REGISTRY  # noqa: E402", "Each layer imports only"),
        ("stages/route.py", "import prefect  # noqa: E402", "Only flows, the CLI"),
        ("eval/metrics.py", "from docnorm.eval import runner  # noqa: E402", "No import cycles"),
    ],
    ids=["schemas-up-to-stages", "sideways-sinks-to-doctypes", "prefect-in-a-stage", "cycle-in-eval"],
)
def test_a_wrong_import_breaks_a_contract(tmp_path: Path, module: str, line: str, contract: str) -> None:
    root = _copy(tmp_path)
    _add_line(root / "src" / "docnorm" / module, line)
    result = _lint(root)
    assert result.returncode != 0
    broken = [text for text in result.stdout.split("\n\n") if "BROKEN" in text]
    assert any(contract in text for text in broken), result.stdout
