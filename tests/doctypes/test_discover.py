"""Doc types from DOCNORM_DOCTYPES: found when good, and a broken one stops every command with one line."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from docnorm.doctypes.discover import PluginError, load_registry

GOOD = """
    from datetime import date
    from decimal import Decimal
    from pydantic import BaseModel, Field
    from docnorm import DocType

    class Invoice(BaseModel):
        invoice_number: str = Field(description="The invoice number as printed")
        vendor: str
        issue_date: date
        total: Decimal

    INVOICE = DocType(model=Invoice, name="invoice", description="A supplier invoice asking for payment",
                      cues=["invoice number", "total due"])
"""


@pytest.fixture
def plugins(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A folder on sys.path holding plugin modules: a good one, one that fails to import, one invalid."""
    folder = tmp_path / "plugins"
    folder.mkdir()
    (folder / "my_invoices.py").write_text(textwrap.dedent(GOOD))
    (folder / "broken_import.py").write_text("import not_installed_anywhere\n")
    (folder / "bad_model.py").write_text(
        "from docnorm import DocType\nfrom pydantic import BaseModel\n"
        "class Blob(BaseModel):\n    data: dict[str, int]\n"
        "BLOB = DocType(model=Blob, name='blob')\n"
    )
    monkeypatch.syspath_prepend(str(folder))
    return folder


def test_a_module_attribute_in_docnorm_doctypes_joins_the_built_in_doc_types(plugins: Path) -> None:
    registry = load_registry(["my_invoices:INVOICE"])

    assert registry.names()[:3] == ["contract", "financial_statement", "medical_record"]
    assert registry["invoice"].origin == "DOCNORM_DOCTYPES my_invoices:INVOICE"
    assert registry["invoice"].ref == "my_invoices:INVOICE"


@pytest.mark.parametrize(
    ("ref", "problem"),
    [
        ("broken_import:X", "cannot be imported (ModuleNotFoundError"),
        ("my_invoices:NOPE", "cannot be imported (AttributeError"),
        ("my_invoices", "expected module:attribute"),
        ("my_invoices:Invoice", "expected a docnorm.DocType"),
        ("bad_model:BLOB", "Blob.data: type dict"),
    ],
)
def test_a_broken_plugin_is_an_error_naming_it_never_a_missing_doc_type(plugins: Path, ref: str, problem: str) -> None:
    with pytest.raises(PluginError) as raised:
        load_registry([ref])

    message = str(raised.value)
    assert message.startswith(f"doc type plugin {ref} (DOCNORM_DOCTYPES {ref})")
    assert problem in message
    assert "\n" not in message


def test_the_same_plugin_twice_is_refused() -> None:
    with pytest.raises(PluginError, match="already registered"):
        load_registry(["docnorm.doctypes.builtin:CONTRACT"])


@pytest.mark.parametrize(
    "command",
    [
        ["run", "{inbox}"],
        ["watch", "{inbox}", "--once"],
        ["serve"],
        ["eval", "{inbox}"],
        ["doctypes", "list"],
    ],
)
def test_every_command_stops_at_start_up_with_exit_2_and_one_line_on_a_broken_plugin(
    plugins: Path, tmp_path: Path, command: list[str]
) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "note.txt").write_text("INVOICE\n\nInvoice number: A-1\n\nTotal due: 5.00\n")
    env = {
        **os.environ,
        "PYTHONPATH": str(plugins),
        "DOCNORM_DOCTYPES": "my_invoices:INVOICE,broken_import:X",
        "DOCNORM_OUT_DIR": str(tmp_path / "out"),
    }
    args = [arg.format(inbox=inbox) for arg in command]

    done = subprocess.run(
        [sys.executable, "-m", "docnorm.cli", *args], env=env, capture_output=True, text=True, timeout=120
    )

    assert done.returncode == 2, done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1
    assert "doc type plugin broken_import:X" in lines[0] and "No module named 'not_installed_anywhere'" in lines[0]
    assert not (tmp_path / "out" / "curated").exists()  # nothing was processed
    assert (inbox / "note.txt").exists()  # nothing was claimed
