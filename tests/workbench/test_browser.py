"""The workbench in a real browser: Playwright driving Debian's chromium against the app on loopback.

A reviewer signs in, filters, finds the evidence boxed on the right PDF page, corrects a value so a
check fails (and sees why), corrects it properly, approves and rejects the rest; two browsers claim one
item; a POST without the CSRF token is refused; nothing answers without a session. Then
``review sync`` publishes the resolved records exactly once. With DOCNORM_SCREENSHOTS=1 the queue and
an item page are saved to docs/ (how the screenshots there were made).
"""

from __future__ import annotations

import os
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pyarrow.dataset as ds
import pytest
import uvicorn

from docnorm.review_queue import ReviewQueue
from docnorm.settings import Settings
from docnorm.validators import ValidationOptions
from docnorm.workbench.app import create_app
from tests.conftest import ROOT
from tests.workbench.conftest import PASSWORDS

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="needs Debian's chromium: apt-get install chromium"),
]
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]  # fmt: skip


@pytest.fixture
def server(queue_settings: Settings) -> Iterator[str]:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    # log_config=None: uvicorn installs no handlers of its own (they would write to pytest's closed capture).
    config = uvicorn.Config(create_app(queue_settings), host="127.0.0.1", port=port, log_config=None)
    app = uvicorn.Server(config)
    thread = threading.Thread(target=app.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not app.started and time.monotonic() < deadline:
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    app.should_exit = True
    thread.join(10)


@pytest.fixture
def browser() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield chromium
        chromium.close()


def _signed_in(browser: object, base: str, name: str) -> object:
    context = browser.new_context(viewport={"width": 1400, "height": 900})  # type: ignore[attr-defined]
    page = context.new_page()
    page.goto(f"{base}/")
    assert "/login" in page.url
    page.fill("input[name=username]", name)
    page.fill("input[name=password]", PASSWORDS[name])
    page.click("button[type=submit]")
    page.wait_for_selector("table.items")
    return page


def _shot(page: object, name: str) -> None:
    if os.environ.get("DOCNORM_SCREENSHOTS") == "1":
        page.screenshot(path=str(ROOT / "docs" / name))  # type: ignore[attr-defined]


def test_a_reviewer_clears_the_queue_in_the_browser_and_sync_publishes_once(
    prefect_api: None, server: str, browser: object, queue_settings: Settings
) -> None:
    page = _signed_in(browser, server, "alice")
    assert page.locator("td.reasons code", has_text="icd10cm_code_exists").count() == 1
    _shot(page, "workbench-queue.png")

    # Filter: only the balance sheets that do not balance.
    page.select_option("select[name=reason]", "balance_sheet_balances")
    page.wait_for_url("**reason=balance_sheet_balances**")
    assert page.locator("tbody tr[data-item]").count() == 2

    # The PDF item: its line items' evidence is boxed on page 2, inside the page image.
    page.click("a[href^='/items/3']")
    box = page.locator("figure.page[data-page='2'] .box").first
    box.wait_for()
    picture = page.locator("figure.page[data-page='2'] img")
    picture.scroll_into_view_if_needed()
    picture.evaluate("img => img.complete && img.naturalWidth ? true : new Promise(done => img.onload = done)")
    image = picture.bounding_box()
    inner = box.bounding_box()
    assert image and inner and image["x"] <= inner["x"] and inner["x"] + inner["width"] <= image["x"] + image["width"]
    assert image["y"] <= inner["y"] and inner["y"] + inner["height"] <= image["y"] + image["height"]
    # Clicking a field scrolls to and marks its evidence.
    page.locator("tr[data-path^='line_items.0.value']").click()
    assert page.locator(".box.active").count() >= 1
    _shot(page, "workbench-item.png")
    page.click("#approve")  # a statement that truly does not balance
    page.wait_for_url("**/items/2**")

    # The text item: approve it too, with the keyboard.
    page.keyboard.press("a")
    page.wait_for_url("**/?reason=balance_sheet_balances**")

    # The referral: a correction that fails its check is shown, and Save stays off; then a good one.
    page.goto(f"{server}/items/4")
    # Selecting text in the document fills the chosen field's value and quote.
    row = page.locator("tr[data-path='diagnoses.0.icd10_code']")
    row.click()
    mark = row.get_attribute("data-mark")
    selected = page.evaluate(
        """(mark) => { const el = document.querySelector(`mark[data-mark="${mark}"]`);
           const range = document.createRange(); range.selectNodeContents(el);
           const sel = window.getSelection(); sel.removeAllRanges(); sel.addRange(range);
           document.getElementById("document").dispatchEvent(new MouseEvent("mouseup", {bubbles: true}));
           return el.textContent.trim(); }""",
        mark,
    )
    assert page.input_value("input[name='quote.diagnoses.0.icd10_code']") == selected
    assert page.input_value("input[name='set.diagnoses.0.icd10_code']") == selected
    field = page.locator("input[name='set.diagnoses.0.icd10_code']")
    field.fill("R53.999")
    page.wait_for_selector("#problems.bad")
    assert "icd10cm_code_exists" in page.inner_text("#problems")
    assert page.locator("#correct").is_disabled()
    field.fill("R53.83")
    page.wait_for_selector("#problems.good")
    page.click("#correct")
    page.wait_for_url(lambda url: "/items/4" not in url)
    trail = [
        (e.action, e.field) for e in ReviewQueue.open(queue_settings.review_database_url, ValidationOptions()).audit(4)
    ]
    assert ("quoted", "diagnoses.0.icd10_code") in trail and ("corrected", None) in trail

    # The memo: rejected with a reason.
    page.goto(f"{server}/items/1")
    page.fill("#note", "a lunch memo, not a business document")
    page.click("#reject")
    page.wait_for_url(lambda url: "/items/1" not in url)
    # The damaged PDF has no record: it can only be rejected.
    page.goto(f"{server}/items/5")
    assert page.locator("#approve").is_disabled()
    page.fill("#note", "the scan is damaged; ask for it again")
    page.keyboard.press("Enter")
    page.wait_for_url(lambda url: "/items/5" not in url)
    queue = ReviewQueue.open(queue_settings.review_database_url, ValidationOptions())
    assert queue.items() == [], "the queue is cleared in the browser, without the CLI"
    assert {i.id: i.status for i in queue.items(status=None)} == {1: "rejected", 2: "approved", 3: "approved",
                                                                   4: "corrected", 5: "rejected"}  # fmt: skip

    from docnorm.flows import review_sync

    assert sorted(review_sync(out_dir=str(queue_settings.out_dir)).synced) == [2, 3, 4]
    assert review_sync(out_dir=str(queue_settings.out_dir)).synced == [], "a second sync writes nothing"
    rows = ds.dataset(queue_settings.out_dir / "curated" / "financial_statements").to_table().to_pylist()
    assert sorted(r["review_resolution"] for r in rows) == ["approved", "approved"]


def test_two_browsers_cannot_work_one_item(server: str, browser: object) -> None:
    alice = _signed_in(browser, server, "alice")
    bob = _signed_in(browser, server, "bob")
    alice.goto(f"{server}/items/2")
    alice.wait_for_selector("#claim")
    bob.goto(f"{server}/items/2")
    assert "alice is working on this item" in bob.inner_text("#claimed")
    assert bob.locator("#approve").is_disabled() and bob.locator("#reject").is_disabled()


def test_a_post_without_the_csrf_token_is_refused_and_nothing_answers_without_a_session(
    server: str, browser: object
) -> None:
    page = _signed_in(browser, server, "alice")
    page.goto(f"{server}/items/2")
    refused = page.request.post(f"{server}/items/2/approve", form={"version": "1"})
    assert refused.status == 403
    stranger = browser.new_context().new_page()  # type: ignore[attr-defined]
    for path in ("/", "/items/2", "/items/3/pages/2.png"):
        stranger.goto(f"{server}{path}")
        assert "/login" in stranger.url
    assert stranger.request.post(f"{server}/api/items/2/check", data={}).status == 401
