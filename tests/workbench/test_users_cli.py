"""`docnorm review users add`: a generated password printed once, or one read from stdin; clear errors."""

from __future__ import annotations

import re
from pathlib import Path

from typer.testing import CliRunner

from docnorm.cli import app
from docnorm.settings import Settings
from docnorm.sinks import open_database
from docnorm.workbench.accounts import verify

runner = CliRunner()


def test_a_generated_password_is_printed_once_and_signs_in(tmp_path: Path) -> None:
    result = runner.invoke(app, ["review", "users", "add", "alice", "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    [password] = re.findall(r"password \(shown once, keep it\): (\S+)", result.output)
    engine = open_database(Settings(out_dir=tmp_path).review_database_url)
    assert verify(engine, "alice", password) and not verify(engine, "alice", password + "x")


def test_a_password_from_stdin_is_never_echoed(tmp_path: Path) -> None:
    result = runner.invoke(app, ["review", "users", "add", "bob", "--password-stdin", "--out", str(tmp_path)],
                           input="a-password-from-a-script\n")  # fmt: skip
    assert result.exit_code == 0 and "a-password-from-a-script" not in result.output
    assert verify(open_database(Settings(out_dir=tmp_path).review_database_url), "bob", "a-password-from-a-script")


def test_a_taken_name_or_a_short_password_is_one_line_and_exit_2(tmp_path: Path) -> None:
    runner.invoke(app, ["review", "users", "add", "carol", "--out", str(tmp_path)])
    again = runner.invoke(app, ["review", "users", "add", "carol", "--out", str(tmp_path)])
    short = runner.invoke(app, ["review", "users", "add", "dan", "--password-stdin", "--out", str(tmp_path)],
                          input="short\n")  # fmt: skip
    assert (again.exit_code, short.exit_code) == (2, 2)
    assert "already exists" in again.output and "at least 12 characters" in short.output
