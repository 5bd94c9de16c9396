"""The worked plugin (examples/plugins/invoices), installed into the venv as a user would, end to end.

It holds only a pydantic model, a DocType and two checks. Installed, it must be listed, extracted by
the llm extractor (here the OpenAITestDouble, answering from the plugin's script because no rules
exist for invoices) into typed tables with provenance, routed to review by its checks, and scored.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest

from docnorm.testing import OpenAITestDouble
from tests.conftest import ROOT

PLUGIN = ROOT / "examples" / "plugins" / "invoices"
pytestmark = pytest.mark.slow


def uv() -> str:
    found = shutil.which("uv") or str(ROOT / ".tools" / "bin" / "uv")
    if not Path(found).exists():
        pytest.fail("uv not found: run `make install` first")
    return found


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """docnorm-invoices installed into this venv (from a copy: building writes beside the sources)."""
    source = Path(shutil.copytree(PLUGIN, tmp_path_factory.mktemp("plugin") / "invoices"))
    pip = [uv(), "pip", "--quiet"]
    target = ["--python", sys.executable]
    subprocess.run([*pip, "install", *target, "--offline", "--no-deps", "--no-build-isolation", str(source)],
                   check=True, timeout=300)  # fmt: skip
    try:
        yield
    finally:
        subprocess.run([*pip, "uninstall", *target, "docnorm-invoices"], check=True, timeout=120)


@pytest.fixture(scope="module")
def double() -> Iterator[OpenAITestDouble]:
    lines = (PLUGIN / "llm-double-script.jsonl").read_text().splitlines()
    script = {item["contains"]: item["answer"] for item in map(json.loads, lines)}
    with OpenAITestDouble(scripted=script) as server:
        yield server


def docnorm(*args: str, double: OpenAITestDouble, out: Path) -> subprocess.CompletedProcess[str]:
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("DOCNORM_")},
        "DOCNORM_LLM_BASE_URL": double.base_url,
        "DOCNORM_LLM_API_KEY": "test-key",
        "DOCNORM_LLM_MODEL": "test-double",
        "DOCNORM_OUT_DIR": str(out),
    }
    command = [str(Path(sys.executable).with_name("docnorm")), *args]
    return subprocess.run(command, env=env, capture_output=True, text=True, timeout=600)


@pytest.mark.usefixtures("installed")
def test_the_installed_plugin_is_listed_with_its_package(double: OpenAITestDouble, tmp_path: Path) -> None:
    listed = docnorm("doctypes", "list", double=double, out=tmp_path)
    shown = docnorm("doctypes", "show", "invoice", double=double, out=tmp_path)

    assert listed.returncode == 0, listed.stderr
    assert "entry point invoice (docnorm-invoices 0.1.0)" in " ".join(listed.stdout.split())
    assert "invoice_line_items" in shown.stdout and "decimal128(24, 2)" in shown.stdout
    assert "line_items_sum_to_total, due_not_before_issue" in shown.stdout


@pytest.mark.usefixtures("installed")
def test_a_run_writes_typed_invoice_tables_with_provenance_and_sends_failed_checks_to_review(
    double: OpenAITestDouble, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    done = docnorm("run", str(PLUGIN / "gold" / "documents"), "--extractor", "llm", "-q", double=double, out=out)
    assert done.returncode == 0, done.stderr

    curated = out / "curated"
    con = duckdb.connect()
    types = dict(con.sql(f"select column_name, column_type from (describe select * from "
                         f"read_parquet('{curated}/invoice/**/*.parquet'))").fetchall())  # fmt: skip
    assert types["issue_date"] == "DATE" and types["total"] == "DECIMAL(24,2)" and types["doc_id"] == "VARCHAR"
    assert {"invoice_number", "vendor", "run_id", "extractor", "model"} <= set(types)
    rows = con.sql(f"select invoice_number, extractor from read_parquet('{curated}/invoice/**/*.parquet')").fetchall()
    assert len(rows) == 11 and {extractor for _, extractor in rows} == {"llm"}
    provenance = dict(con.sql(f"select table_name, count(*) from read_parquet('{curated}/field_provenance/**/*.parquet')"
                              " group by 1").fetchall())  # fmt: skip
    lines = con.sql(f"select count(*) from read_parquet('{curated}/invoice_line_items/**/*.parquet')").fetchall()[0][0]
    assert provenance["invoice_line_items"] == 3 * lines  # description, quantity and amount of every line
    assert provenance["invoice"] == 7 * 11 - 1  # every scalar of every curated invoice but the missed customer

    reasons = sqlite3.connect(out / "review.db").execute("select reasons from review_items").fetchall()
    codes = sorted(json.loads(r)[0]["code"] for (r,) in reasons)
    assert codes == ["due_not_before_issue", "line_items_sum_to_total"]
    user = next(m["content"] for m in double.requests[-1].body["messages"] if m["role"] == "user")
    assert "<document>\n" in user and user.rstrip().endswith("</document>")


@pytest.mark.usefixtures("installed")
def test_eval_scores_the_plugin_against_its_gold(double: OpenAITestDouble, tmp_path: Path) -> None:
    report_file = tmp_path / "eval.json"
    done = docnorm("eval", str(PLUGIN / "gold"), "--extractor", "llm", "--json", str(report_file), "-q",
                   double=double, out=tmp_path / "out")  # fmt: skip
    assert done.returncode == 0, done.stderr

    report = json.loads(report_file.read_text())
    assert report["classification_accuracy"] == 1.0
    assert report["per_key"]["customer"]["recall"] == pytest.approx(12 / 13, abs=1e-3)  # the script's one miss
    assert report["per_key"]["total"]["f1"] == 1.0
