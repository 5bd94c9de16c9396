"""The command line: help, usage errors with one-line messages and exit 2, and a real run."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from docnorm.cli import app
from tests.conftest import EXAMPLES

runner = CliRunner()


def test_help_lists_the_commands() -> None:
    result = runner.invoke(app, ["--help"])
    assert result.exit_code == 0
    assert "run" in result.output


def test_a_path_that_names_nothing_is_a_usage_error(tmp_path: Path) -> None:
    result = runner.invoke(app, ["run", str(tmp_path / "nope" / "*.pdf"), "--out", str(tmp_path / "out")])
    assert result.exit_code == 2
    assert "no such file or folder" in result.output
    assert len(result.output.strip().splitlines()) == 1
    assert not (tmp_path / "out").exists()


def test_a_bad_setting_names_the_variable_to_fix(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DOCNORM_MAX_PAGES", "lots")
    result = runner.invoke(app, ["run", str(EXAMPLES), "--out", str(tmp_path / "out")])
    assert result.exit_code == 2
    assert "DOCNORM_MAX_PAGES" in result.output


def test_an_unknown_extractor_is_a_usage_error(tmp_path: Path) -> None:
    result = runner.invoke(app, ["run", str(EXAMPLES), "--out", str(tmp_path / "out"), "--extractor", "magic"])
    assert result.exit_code == 2
    assert "unknown extractor 'magic'" in result.output


@pytest.mark.slow
def test_run_prints_the_summary_and_exits_0_with_items_in_review(prefect_api: None, tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    for name in ("consulting-agreement.txt", "team-lunch-memo.txt"):
        shutil.copy(EXAMPLES / name, inbox / name)
    result = runner.invoke(app, ["run", str(inbox), "--out", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    assert "Documents by type and outcome" in result.output
    assert "contract" in result.output and "unknown" in result.output
    assert (tmp_path / "out" / "review.db").exists()
    assert list((tmp_path / "out" / "curated" / "contracts").rglob("*.parquet"))


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["run", str(EXAMPLES), "--task-runner", "cluster"], "DOCNORM_TASK_RUNNER"),
        (["watch", "no-such-inbox"], "drop folder no-such-inbox does not exist"),
        (["watch", str(EXAMPLES), "--stable-seconds", "-1"], "DOCNORM_WATCH_STABLE_SECONDS"),
        (["serve", "--source", "/data", "--cron", "nightly"], "DOCNORM_SCHEDULE_CRON"),
    ],
)
def test_production_commands_refuse_bad_options_in_one_line(args: list[str], says: str, tmp_path: Path) -> None:
    result = runner.invoke(app, [*args, "--out", str(tmp_path / "out")])
    assert result.exit_code == 2
    assert says in result.output and len(result.output.strip().splitlines()) == 1
