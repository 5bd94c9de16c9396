"""What a parse worker says when it cannot read a file the run could: its own problem, or the file's."""

from __future__ import annotations

import socket
from pathlib import Path

from docnorm.parsers import Limits
from docnorm.parsers.job import parse_one
from docnorm.schemas.errors import DataError
from docnorm.settings import Settings


def test_a_worker_that_cannot_see_the_folder_says_it_is_the_workers_problem_and_names_itself(tmp_path: Path) -> None:
    outcome = parse_one(tmp_path / "not-mounted" / "a.txt", "d" * 64, Limits.of(Settings()))

    assert isinstance(outcome, DataError)
    assert outcome.reason == "worker_cannot_read"
    assert f"worker {socket.gethostname()} (pid " in outcome.message and "not of the file" in outcome.message


def test_a_file_gone_from_a_folder_the_worker_sees_is_unreadable(tmp_path: Path) -> None:
    outcome = parse_one(tmp_path / "gone.txt", "d" * 64, Limits.of(Settings()))

    assert isinstance(outcome, DataError)
    assert outcome.reason == "unreadable"
    assert "gone or changed since planned" in outcome.message
