"""A plugin with offline rules: its plain records get evidence, and it runs in the worker processes."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import duckdb

PLUGIN = """
    import re
    from datetime import date
    from decimal import Decimal
    from pydantic import BaseModel
    from docnorm import DocType

    class Receipt(BaseModel):
        number: str
        issued: date
        total: Decimal

    def read_receipt(doc):
        number = re.search(r"Receipt no\\.? (\\S+)", doc.text).group(1)
        total = re.search(r"Total: ([\\d.]+)", doc.text).group(1)
        return Receipt(number=number, issued=date(2026, 3, 4), total=Decimal(total))

    RECEIPT = DocType(model=Receipt, name="receipt", cues=["receipt", "total", "paid"], rules=read_receipt)
"""


def test_a_plugins_rules_run_in_the_worker_processes_and_their_values_are_grounded(tmp_path: Path) -> None:
    plugins = tmp_path / "plugins"
    plugins.mkdir()
    (plugins / "receipts.py").write_text(textwrap.dedent(PLUGIN))
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    for n in range(3):
        (inbox / f"r{n}.txt").write_text(f"RECEIPT\n\nReceipt no. R-{n}\n\nPaid on 2026-03-04.\n\nTotal: 1{n}.50\n")
    env = {
        **os.environ,
        "PYTHONPATH": str(plugins),
        "DOCNORM_DOCTYPES": "receipts:RECEIPT",
        "DOCNORM_PARSE_WORKERS": "2",
    }

    done = subprocess.run(
        [sys.executable, "-m", "docnorm.cli", "run", str(inbox), "--out", str(tmp_path / "out"), "-q"],
        env=env, capture_output=True, text=True, timeout=300,
    )  # fmt: skip

    assert done.returncode == 0, done.stderr
    curated = tmp_path / "out" / "curated"
    rows = duckdb.sql(f"select number, total from read_parquet('{curated}/receipt/**/*.parquet') order by 1").fetchall()
    assert [(number, str(total)) for number, total in rows] == [
        ("R-0", "10.5000"),
        ("R-1", "11.5000"),
        ("R-2", "12.5000"),
    ]
    evidence = duckdb.sql(
        f"select field, quote, verified, method from read_parquet('{curated}/field_provenance/**/*.parquet') "
        "where field = 'number' order by quote"
    ).fetchall()
    assert evidence == [("number", f"R-{n}", True, "rules") for n in range(3)]
    issued = duckdb.sql(
        f"select distinct quote from read_parquet('{curated}/field_provenance/**/*.parquet') where field = 'issued'"
    ).fetchall()
    assert issued == [("2026-03-04",)]  # the date's text, found in the document
