"""A review queue to work: real items made by the stages from failing documents, reviewer accounts."""

from __future__ import annotations

import io
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from reportlab.lib.pagesizes import LETTER
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.platypus import PageBreak, Paragraph, Preformatted, SimpleDocTemplate
from sqlalchemy.orm import Session

from docnorm.doctypes.builtin import REGISTRY
from docnorm.settings import Settings
from docnorm.sinks import enqueue, open_database
from docnorm.stages.extract import extract_documents, make_extractor
from docnorm.stages.parse import parse_documents
from docnorm.stages.validate import validate_documents
from docnorm.validators import ValidationOptions
from docnorm.workbench.accounts import add_reviewer
from docnorm.workbench.app import create_app
from tests.conftest import EXAMPLES

PASSWORDS = {"alice": "alice-password-1234", "bob": "bob-password-12345"}
FAILING = ["balance-sheet-umbrella-2025.txt", "referral-unknown-code.eml", "team-lunch-memo.txt", "damaged-scan.pdf"]
"""The demo's four review items (a memo, two failed checks, a damaged PDF), and a PDF statement beside them."""


def statement_pdf() -> bytes:
    """A two-page annual report whose balance sheet (page 2) does not balance."""
    styles = getSampleStyleSheet()
    lines = (EXAMPLES / "balance-sheet-umbrella-2025.txt").read_text(encoding="utf-8").strip().splitlines()
    story: list = [Paragraph("Umbrella Holdings LLC annual report", styles["Title"]),
                   Paragraph("A letter to the members about the year.", styles["BodyText"]), PageBreak()]  # fmt: skip
    story += [Preformatted(line, styles["Code"]) for line in lines if line.strip()]
    out = io.BytesIO()
    SimpleDocTemplate(out, pagesize=LETTER, invariant=1).build(story)
    return out.getvalue()


def fill_queue(out: Path, inbox: Path) -> Settings:
    """Queue the failing documents in ``inbox`` as a run would, and add the reviewers."""
    settings = Settings(out_dir=out, parse_workers=0)
    parsed, stopped = parse_documents(sorted(inbox.iterdir()), settings)
    extracted, unclassified = extract_documents(parsed, settings, make_extractor(settings, REGISTRY), REGISTRY)
    _, failed = validate_documents(extracted, ValidationOptions(), REGISTRY)
    engine = open_database(settings.review_database_url)
    with Session(engine) as session, session.begin():
        enqueue(session, [*unclassified, *failed, *stopped], run_id="run-1")
    for name, password in PASSWORDS.items():
        add_reviewer(engine, name, password)
    return settings


@pytest.fixture
def queue_settings(tmp_path: Path) -> Settings:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    for name in FAILING:
        shutil.copy(EXAMPLES / name, inbox / name)
    (inbox / "umbrella-annual-report.pdf").write_bytes(statement_pdf())
    return fill_queue(tmp_path / "out", inbox)


@pytest.fixture
def client(queue_settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(queue_settings), follow_redirects=False) as test_client:
        yield test_client


def sign_in(client: TestClient, name: str = "alice") -> str:
    """Sign ``name`` in; returns the session's CSRF token (read from the queue page)."""
    response = client.post("/login", data={"username": name, "password": PASSWORDS[name], "next": "/"})
    assert response.status_code == 303, response.text
    page = client.get("/").text
    return page.split('name="csrf" value="', 1)[1].split('"', 1)[0]
