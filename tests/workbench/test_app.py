"""The workbench's pages and endpoints: signed-in only, CSRF on every change, no caching, claims, checks
as you correct (nothing invalid saved), an audit trail, and messages instead of errors."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from pypdf import PdfWriter
from sqlalchemy import update
from sqlalchemy.orm import Session

from docnorm.parsers import document_id
from docnorm.review_queue import ReviewQueue
from docnorm.settings import Settings
from docnorm.sinks import ReviewItem, open_database
from docnorm.validators import ValidationOptions
from docnorm.workbench.app import create_app
from tests.workbench.conftest import PASSWORDS, sign_in

BALANCE, PDF_ITEM, REFERRAL, MEMO = 2, 3, 4, 1


def _queue(settings: Settings) -> ReviewQueue:
    return ReviewQueue.open(settings.review_database_url, ValidationOptions())


def _version(settings: Settings, item_id: int) -> int:
    return _queue(settings).get(item_id).version


@pytest.mark.parametrize(
    ("method", "path"),
    [("GET", "/"), ("GET", f"/items/{BALANCE}"), ("GET", f"/items/{PDF_ITEM}/pages/2.png"), ("GET", "/items/next"),
     ("POST", f"/items/{BALANCE}/approve"), ("POST", f"/items/{BALANCE}/correct"), ("POST", f"/items/{BALANCE}/reject"),
     ("POST", f"/api/items/{BALANCE}/check"), ("POST", "/logout")],
)  # fmt: skip
def test_nothing_answers_without_a_session(client: TestClient, method: str, path: str) -> None:
    response = client.request(method, path, data={"csrf": "x", "version": "1"} if method == "POST" else None)
    if method == "GET":
        assert response.status_code == 303 and response.headers["location"].startswith("/login")
    else:
        assert response.status_code == 401
    assert response.headers["cache-control"] == "no-store"


def test_signing_in_shows_the_queue_with_reason_codes_and_no_page_is_cached(client: TestClient) -> None:
    sign_in(client)
    page = client.get("/")
    assert page.status_code == 200 and page.headers["cache-control"] == "no-store"
    for code in ("unknown_type", "balance_sheet_balances", "icd10cm_code_exists"):
        assert f"<code>{code}</code>" in page.text
    assert "script-src 'self'" in page.headers["content-security-policy"]


def test_filters_narrow_the_queue_and_show_their_counts(client: TestClient) -> None:
    sign_in(client)
    page = client.get("/", params={"reason": "balance_sheet_balances"}).text
    rows = page.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    assert rows.count("<tr data-item=") == 2 and "icd10cm_code_exists</code>" not in rows
    assert "balance_sheet_balances (2)" in page and "financial_statement (2)" in page


def test_wrong_passwords_are_refused_limited_and_logged(client: TestClient, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="docnorm.workbench"):
        statuses = [client.post("/login", data={"username": "alice", "password": "wrong"}).status_code
                    for _ in range(6)]  # fmt: skip
        right_but_blocked = client.post("/login", data={"username": "alice", "password": PASSWORDS["alice"]})
    assert statuses == [401] * 5 + [429]
    assert right_but_blocked.status_code == 429
    assert sum("sign-in failed for alice" in r.message for r in caplog.records) == 5
    assert not any(PASSWORDS["alice"] in r.message or "wrong" in r.message.split() for r in caplog.records)


def test_the_sign_in_limit_holds_across_workbench_processes(queue_settings: Settings) -> None:
    # Two apps on one queue, as two processes behind a balancer would be: failures count together.
    with (TestClient(create_app(queue_settings), follow_redirects=False) as one,
          TestClient(create_app(queue_settings), follow_redirects=False) as two):  # fmt: skip
        wrong = {"username": "bob", "password": "wrong"}
        statuses = [client.post("/login", data=wrong).status_code for client in (one, two, one, two, one, two)]
        assert statuses == [401] * 5 + [429]
        assert one.post("/login", data={"username": "bob", "password": PASSWORDS["bob"]}).status_code == 429
        assert two.post("/login", data={"username": "alice", "password": PASSWORDS["alice"]}).status_code == 303


def test_a_change_without_the_csrf_token_is_refused(client: TestClient, queue_settings: Settings) -> None:
    sign_in(client)
    client.get(f"/items/{BALANCE}")
    response = client.post(f"/items/{BALANCE}/approve", data={"version": _version(queue_settings, BALANCE)})
    assert response.status_code == 403
    assert _queue(queue_settings).get(BALANCE).status == "pending"


def test_an_invalid_correction_is_shown_and_never_saved_then_a_valid_one_is(
    client: TestClient, queue_settings: Settings
) -> None:
    csrf = sign_in(client)
    client.get(f"/items/{REFERRAL}")
    before = _queue(queue_settings).get(REFERRAL)
    checked = client.post(f"/api/items/{REFERRAL}/check", json={"changes": {"diagnoses.0.icd10_code": "R53.999"}},
                          headers={"X-CSRF-Token": csrf})  # fmt: skip
    assert checked.json()["problems"] and checked.json()["problems"][0].startswith("icd10cm_code_exists")
    form = {"csrf": csrf, "version": before.version, "set.diagnoses.0.icd10_code": "R53.999",
            "was.diagnoses.0.icd10_code": "R53.99"}  # fmt: skip
    refused = client.post(f"/items/{REFERRAL}/correct", data=form)
    assert refused.status_code == 422 and "nothing was saved" in refused.text
    after = _queue(queue_settings).get(REFERRAL)
    assert (after.version, after.record, after.status) == (before.version, before.record, "pending")

    saved = client.post(f"/items/{REFERRAL}/correct", data={**form, "set.diagnoses.0.icd10_code": "R53.83"})
    assert saved.status_code == 303 and saved.headers["location"].startswith(f"/items/next?after={REFERRAL}")
    item = _queue(queue_settings).get(REFERRAL)
    assert (item.status, item.reviewer) == ("corrected", "alice")
    trail = [(e.action, e.field, e.before, e.after, e.reviewer) for e in _queue(queue_settings).audit(REFERRAL)]
    assert trail == [("corrected field", "diagnoses.0.icd10_code", "R53.99", "R53.83", "alice"),
                     ("corrected", None, "pending", "corrected", "alice")]  # fmt: skip
    assert "R53.83" in client.get(f"/items/{REFERRAL}").text.split('id="audit"', 1)[1]


def test_one_reviewer_holds_an_item_and_another_cannot_act_on_it(queue_settings: Settings) -> None:
    with (TestClient(create_app(queue_settings), follow_redirects=False) as alice,
          TestClient(create_app(queue_settings), follow_redirects=False) as bob):  # fmt: skip
        sign_in(alice, "alice")
        bob_csrf = sign_in(bob, "bob")
        assert "Claimed by you" in alice.get(f"/items/{BALANCE}").text
        page = bob.get(f"/items/{BALANCE}").text
        assert "alice is working on this item" in page
        refused = bob.post(f"/items/{BALANCE}/approve", data={"csrf": bob_csrf, "version": _version(queue_settings, 2)})
        assert refused.status_code == 409 and "alice is working on this item" in refused.text
        # Bob's "next" skips the item Alice holds.
        assert bob.get("/items/next").headers["location"].split("?")[0] != f"/items/{BALANCE}"
    assert _queue(queue_settings).get(BALANCE).status == "pending"


def test_a_stale_form_gets_a_conflict_not_an_overwrite(client: TestClient, queue_settings: Settings) -> None:
    csrf = sign_in(client)
    client.get(f"/items/{BALANCE}")
    stale = _version(queue_settings, BALANCE)
    _queue(queue_settings).reject(BALANCE, "carol", "handled on paper")  # someone else, from the CLI
    response = client.post(f"/items/{BALANCE}/approve", data={"csrf": csrf, "version": stale})
    assert response.status_code == 409 and "already rejected by carol" in response.text
    assert _queue(queue_settings).get(BALANCE).status == "rejected"


def test_the_pdf_item_shows_its_pages_with_the_evidence_boxed(client: TestClient) -> None:
    sign_in(client)
    page = client.get(f"/items/{PDF_ITEM}").text
    assert 'data-page="2"' in page and 'class="box"' in page.split('data-page="2"', 1)[1].split("</figure>", 1)[0]
    image = client.get(f"/items/{PDF_ITEM}/pages/2.png")
    assert image.status_code == 200 and image.content[:8] == b"\x89PNG\r\n\x1a\n"
    assert client.get(f"/items/{PDF_ITEM}/pages/9.png").status_code == 404


def test_a_moved_source_an_unknown_doc_type_and_a_huge_pdf_are_messages(
    client: TestClient, queue_settings: Settings, tmp_path: Path
) -> None:
    sign_in(client)
    item = _queue(queue_settings).get(BALANCE)
    Path(item.source_uri.removeprefix("file://")).unlink()
    moved = client.get(f"/items/{BALANCE}")
    assert moved.status_code == 200 and "no longer where it was processed" in moved.text

    engine = open_database(queue_settings.review_database_url)
    with Session(engine) as session, session.begin():
        session.execute(update(ReviewItem).where(ReviewItem.id == REFERRAL).values(doc_type="lease"))
    unknown = client.get(f"/items/{REFERRAL}")
    assert unknown.status_code == 200 and "Doc type lease is not registered" in unknown.text

    huge = tmp_path / "huge.pdf"
    writer = PdfWriter()
    for _ in range(3000):
        writer.add_blank_page(width=200, height=200)
    writer.write(huge)
    with Session(engine) as session, session.begin():
        session.execute(update(ReviewItem).where(ReviewItem.id == PDF_ITEM)
                        .values(source_uri=huge.as_uri(), doc_id=document_id(huge)))  # fmt: skip
    long = client.get(f"/items/{PDF_ITEM}")
    assert long.status_code == 200 and "This PDF has 3000 pages" in long.text
    assert long.text.count('<figure class="page"') <= 12


def test_after_an_action_the_next_item_opens(client: TestClient, queue_settings: Settings) -> None:
    csrf = sign_in(client)
    client.get(f"/items/{MEMO}")
    rejected = client.post(f"/items/{MEMO}/reject", data={"csrf": csrf, "version": _version(queue_settings, MEMO),
                                                          "note": "not a business document"})  # fmt: skip
    assert rejected.status_code == 303
    assert client.get(rejected.headers["location"]).headers["location"].startswith(f"/items/{BALANCE}")
