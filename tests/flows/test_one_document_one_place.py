"""Nothing a document says can crash a run: a value its column cannot hold, or rows the writer cannot
write, send that document to review; the batch goes on, exits 0 and writes its manifest."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pyarrow.dataset as ds
import pytest
from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from docnorm.cli import app
from docnorm.sinks import ReviewItem
from tests.conftest import EXAMPLES

pytestmark = pytest.mark.slow

_E30 = 10**30


def _figure(times: int) -> str:
    return f"{times * _E30:,}"  # 31 digits: more than decimal128(24, 4) holds


BALANCED_31_DIGITS = f"""Initrode Capital LLC

Balance Sheet

As of December 31, 2024 (amounts in USD)

Assets
Cash and cash equivalents                            {_figure(4)}
Accounts receivable                                  {_figure(2)}
Total assets                                         {_figure(6)}
Liabilities
Accounts payable                                     {_figure(2)}
Total liabilities                                    {_figure(2)}
Equity
Common stock                                         {_figure(3)}
Retained earnings                                    {_figure(1)}
Total stockholders' equity                           {_figure(4)}
Total liabilities and stockholders' equity           {_figure(6)}
"""


@pytest.fixture
def inbox(tmp_path: Path) -> Path:
    """A statement whose figures balance but have 31 digits, beside an ordinary clinical note."""
    folder = tmp_path / "inbox"
    folder.mkdir()
    (folder / "balance-sheet-initrode.txt").write_text(BALANCED_31_DIGITS, encoding="utf-8")
    shutil.copy(EXAMPLES / "visit-note-diabetes.txt", folder)
    return folder


def _run(inbox: Path, out: Path) -> tuple[int, str, dict[str, dict]]:
    before = set((out / "runs").glob("*.json")) if (out / "runs").exists() else set()
    result = CliRunner().invoke(app, ["run", str(inbox), "--out", str(out)])
    [manifest] = set((out / "runs").glob("*.json")) - before
    entries = {Path(e["source_uri"]).name: e for e in json.loads(manifest.read_text())["inputs"]}
    return result.exit_code, result.output, entries


def _queue(out: Path) -> list[ReviewItem]:
    with Session(create_engine(f"sqlite:///{out / 'review.db'}")) as session:
        return list(session.scalars(select(ReviewItem)))


def _curated_doc_ids(out: Path, table: str) -> set[str]:
    folder = out / "curated" / table
    if not folder.exists():
        return set()
    return set(ds.dataset(folder, format="parquet", partitioning="hive").to_table().column("doc_id").to_pylist())


def test_a_31_digit_figure_sends_its_statement_to_review_and_the_batch_goes_on(
    prefect_api: None, inbox: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    code, output, entries = _run(inbox, out)
    assert code == 0, output
    sheet, note = entries["balance-sheet-initrode.txt"], entries["visit-note-diabetes.txt"]
    assert note["outcome"] == "curated"
    assert _curated_doc_ids(out, "medical_records") == {note["doc_id"]}
    assert (sheet["outcome"], sheet["stage"]) == ("review", "validate")
    # The manifest names each reason as code@field; the queue keeps the message, which holds no value.
    assert "value_out_of_range@financial_statements.total_assets" in sheet["reasons"]
    assert {r.split("@")[0] for r in sheet["reasons"]} == {"value_out_of_range"}
    shown = CliRunner().invoke(app, ["review", "list", "--out", str(out)]).output
    assert "value_out_of_range" in shown
    [item] = _queue(out)
    assert item.stage == "validate" and all("000" not in r["message"] for r in item.reasons), "no values"
    assert sheet["doc_id"] not in _curated_doc_ids(out, "financial_statements")
    # The file sitting in the inbox fails no later run either.
    code, output, again = _run(inbox, out)
    assert code == 0, output
    assert {e["outcome"] for e in again.values()} == {"skipped"}


def test_rows_the_writer_refuses_send_only_their_document_to_review_as_write_failed(
    prefect_api: None, inbox: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The column check is the first line; the writer is the last. Without the first, the second holds.
    monkeypatch.setattr("docnorm.stages.validate.unfit_tables", lambda tables, rows: {})
    out = tmp_path / "out"
    code, output, entries = _run(inbox, out)
    assert code == 0, output
    sheet, note = entries["balance-sheet-initrode.txt"], entries["visit-note-diabetes.txt"]
    assert note["outcome"] == "curated" and _curated_doc_ids(out, "medical_records") == {note["doc_id"]}
    assert (sheet["outcome"], sheet["stage"]) == ("review", "write")
    assert sheet["reasons"] == ["write_failed"]
    [item] = _queue(out)
    [reason] = item.reasons
    assert re.fullmatch(r"its rows could not be written to the curated tables \(\w+\)", reason["message"])
    assert item.record is not None, "the reviewer gets the record to correct"
    assert sheet["doc_id"] not in _curated_doc_ids(out, "financial_statements")
    assert sheet["doc_id"] not in _curated_doc_ids(out, "field_provenance"), "none of its rows, not some"
    listed = CliRunner().invoke(app, ["review", "list", "--out", str(out)])
    assert "write_failed" in listed.output and "write" in listed.output
