"""Page images within a pixel budget: a few-KB PDF of giant pages can no longer take the workbench's
memory or threads (each page is drawn smaller, with a note on the page, one render at a time, within a
time limit), a normal page is drawn at the usual scale, and the evidence boxes land on the quote at any
scale."""

from __future__ import annotations

import io
import math
import os
import re
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient
from PIL import Image
from reportlab.pdfgen import canvas
from sqlalchemy import update
from sqlalchemy.orm import Session

from docnorm.parsers import document_id
from docnorm.review_queue import ReviewQueue, record_values
from docnorm.settings import Settings
from docnorm.sinks import ReviewItem, open_database
from docnorm.validators import ValidationOptions
from docnorm.workbench import source
from tests.workbench.conftest import PASSWORDS, sign_in

PDF_ITEM = 3
GIANT = 14_400.0
"""Points: a 200-inch page, the largest a PDF may have; 20,160 px square at the usual scale."""
BOX = re.compile(r'data-left="([\d.]+)" data-top="([\d.]+)" data-width="([\d.]+)" data-height="([\d.]+)"')


def giant_pdf(quote: str = "") -> bytes:
    """Twelve 14,400 pt square pages in a few KB; page 2 holds ``quote``, alone, in 400 pt type."""
    out = io.BytesIO()
    pdf = canvas.Canvas(out, pagesize=(GIANT, GIANT), invariant=1)
    for number in range(1, 13):
        if number == 2 and quote:
            pdf.setFont("Helvetica", 400)
            pdf.drawString(1200, 9000, quote)
        pdf.showPage()
    pdf.save()
    return out.getvalue()


def _show(settings: Settings, path: Path) -> None:
    """Make ``path`` the PDF item's source, as if it had been processed from there."""
    with Session(open_database(settings.review_database_url)) as session, session.begin():
        session.execute(update(ReviewItem).where(ReviewItem.id == PDF_ITEM)
                        .values(source_uri=path.as_uri(), doc_id=document_id(path)))  # fmt: skip


def _quote_on_page_2(settings: Settings) -> str:
    """A one-line quote of the PDF item's record that is evidence on page 2."""
    record = ReviewQueue.open(settings.review_database_url, ValidationOptions()).get(PDF_ITEM).record
    quotes = [e["quote"] for _, _, e in record_values(record) if e and e.get("page") == 2 and "\n" not in e["quote"]]
    return str(quotes[0])


def _boxes(page: str, number: int) -> list[tuple[float, ...]]:
    figure = page.split(f'data-page="{number}"', 1)[1].split("</figure>", 1)[0]
    return [tuple(float(v) for v in found) for found in BOX.findall(figure)]


def _ink(image: Image.Image) -> tuple[int, int, int, int] | None:
    """The bounding box (left, top, right, bottom) of the dark pixels of ``image``."""
    return image.convert("L").point(lambda v: 255 if v < 128 else 0).getbbox()


def _pixels(box: tuple[float, ...], size: tuple[int, int]) -> tuple[float, float, float, float]:
    left, top, width, height = box
    return (left * size[0] / 100, top * size[1] / 100, (left + width) * size[0] / 100, (top + height) * size[1] / 100)


def test_a_normal_page_is_drawn_at_the_usual_scale_with_its_evidence_on_the_quote(client: TestClient) -> None:
    sign_in(client)
    page = client.get(f"/items/{PDF_ITEM}").text
    assert "page shown at" not in page
    image = Image.open(io.BytesIO(client.get(f"/items/{PDF_ITEM}/pages/2.png").content))
    assert image.size == (math.ceil(612 * source.RENDER_SCALE), math.ceil(792 * source.RENDER_SCALE))
    boxes = _boxes(page, 2)
    assert boxes
    for box in boxes:
        left, top, right, bottom = _pixels(box, image.size)
        # Text under the box, and the box around the text: the ink inside spans nearly all of it.
        ink = _ink(image.crop((math.floor(left), math.floor(top), math.ceil(right), math.ceil(bottom))))
        assert ink is not None
        assert ink[2] - ink[0] >= 0.8 * (right - left) and ink[3] - ink[1] >= 0.6 * (bottom - top), (box, ink)


def test_a_giant_page_is_drawn_within_the_budget_with_a_note_and_its_evidence_on_the_quote(
    client: TestClient, queue_settings: Settings, tmp_path: Path
) -> None:
    giant = tmp_path / "giant.pdf"
    giant.write_bytes(giant_pdf(_quote_on_page_2(queue_settings)))
    _show(queue_settings, giant)
    sign_in(client)
    page = client.get(f"/items/{PDF_ITEM}").text
    percent = round(100 * (source.MAX_SIDE_PX / GIANT) / source.RENDER_SCALE)
    assert page.count(f"page shown at {percent}% of the usual resolution — large page") == 12
    image = Image.open(io.BytesIO(client.get(f"/items/{PDF_ITEM}/pages/2.png").content))
    assert max(image.size) <= source.MAX_SIDE_PX and image.size[0] * image.size[1] <= source.MAX_PIXELS
    assert image.size == (source.MAX_SIDE_PX, source.MAX_SIDE_PX), "as large as the budget allows"
    # The quote is all there is on the page: its ink and its box are one rectangle, to a few pixels.
    (box,) = _boxes(page, 2)
    ink = _ink(image)
    assert ink is not None
    assert all(abs(a - b) <= 3 for a, b in zip(ink, _pixels(box, image.size), strict=True)), (ink, box)


def test_the_pixel_budget_keeps_small_pages_at_the_usual_scale_and_bounds_any_other() -> None:
    assert source.render_scale(612, 792) == source.RENDER_SCALE
    for width, height in [(GIANT, GIANT), (GIANT, 10), (2000, 1999), (1191, 1684), (1e6, 3e5)]:
        scale = source.render_scale(width, height)
        pixels = math.ceil(width * scale), math.ceil(height * scale)
        assert max(pixels) <= source.MAX_SIDE_PX and pixels[0] * pixels[1] <= source.MAX_PIXELS
        assert max(pixels) >= 0.99 * source.MAX_SIDE_PX or pixels[0] * pixels[1] >= 0.98 * source.MAX_PIXELS


def test_renders_take_turns_and_one_that_cannot_start_soon_is_refused_with_retry_after(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    sign_in(client)
    drawing, most = 0, 0
    draw = source._render

    def counted(page: object, scale: float, deadline: float) -> Image.Image:
        nonlocal drawing, most
        drawing += 1
        most = max(most, drawing)
        time.sleep(0.05)
        drawing -= 1
        image: Image.Image = draw(page, scale, deadline)
        return image

    monkeypatch.setattr(source, "_render", counted)
    answers: list[int] = []
    requests = [threading.Thread(target=lambda n=n: answers.append(client.get(f"/items/{PDF_ITEM}/pages/{n}.png")
                                                                   .status_code)) for n in (1, 2, 1, 2)]  # fmt: skip
    for request in requests:
        request.start()
    for request in requests:
        request.join()
    assert answers == [200] * 4 and most == 1

    monkeypatch.setattr(source, "RENDER_WAIT_S", 0.2)
    with source._PDFIUM:  # another request holds pdfium for longer than a request waits
        image = client.get(f"/items/{PDF_ITEM}/pages/2.png")
        item = client.get(f"/items/{PDF_ITEM}")
    assert image.status_code == 503 and image.headers["retry-after"] == str(source.RETRY_AFTER_S)
    assert item.status_code == 200 and "busy drawing pages for others" in item.text
    assert client.get(f"/items/{PDF_ITEM}/pages/2.png").status_code == 200


def test_a_page_that_takes_too_long_to_draw_is_given_up(
    client: TestClient, queue_settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture
) -> None:  # fmt: skip
    dense = tmp_path / "dense.pdf"
    out = io.BytesIO()
    pdf = canvas.Canvas(out, pagesize=(612, 792), invariant=1)
    for i in range(5000):  # many page objects: pdfium may stop between them
        pdf.rect(10 + i % 590, 10 + i // 590 * 20, 3, 3, fill=1)
    pdf.showPage()
    pdf.save()
    dense.write_bytes(out.getvalue())
    _show(queue_settings, dense)
    sign_in(client)
    monkeypatch.setattr(source, "RENDER_TIME_S", 0.0)
    given_up = client.get(f"/items/{PDF_ITEM}/pages/1.png")
    assert given_up.status_code == 503 and "cannot be drawn" in given_up.text
    assert "page 1 of item 3 could not be drawn" in caplog.text
    monkeypatch.setattr(source, "RENDER_TIME_S", 5.0)
    assert client.get(f"/items/{PDF_ITEM}/pages/1.png").status_code == 200, "pdfium is usable again"


@pytest.fixture
def served(queue_settings: Settings) -> Iterator[tuple[str, int]]:
    """``docnorm review serve`` over the queue, in a process of its own (its memory is measured)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {k: v for k, v in os.environ.items() if k != "DOCNORM_REVIEW_URL"}
    server = subprocess.Popen(
        [sys.executable, "-c", "from docnorm.cli import main; main()", "review", "serve",
         "--out", str(queue_settings.out_dir), "--port", str(port)],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and server.poll() is None:
        try:
            httpx.get(f"{base}/login", timeout=1)
            break
        except httpx.TransportError:
            time.sleep(0.2)
    try:
        yield base, server.pid
    finally:
        server.terminate()
        server.wait(10)


def _memory(pid: int, name: str) -> int:
    """VmRSS (now) or VmHWM (the peak so far) of process ``pid``, in bytes."""
    status = Path(f"/proc/{pid}/status").read_text()
    return int(re.search(rf"^{name}:\s+(\d+) kB", status, re.MULTILINE).group(1)) * 1024  # type: ignore[union-attr]


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="reads the server's memory from /proc")
def test_twelve_giant_pages_cost_the_server_little_memory_and_time(
    served: tuple[str, int], queue_settings: Settings, tmp_path: Path
) -> None:
    giant = tmp_path / "giant.pdf"
    giant.write_bytes(giant_pdf())
    assert giant.stat().st_size < 8 * 1024
    _show(queue_settings, giant)
    base, pid = served
    with httpx.Client(base_url=base, timeout=60) as http:
        signed_in = http.post("/login", data={"username": "alice", "password": PASSWORDS["alice"], "next": "/"})
        assert signed_in.status_code == 303
        assert http.get("/").status_code == 200
        before = _memory(pid, "VmRSS")
        started = time.monotonic()
        page = http.get(f"/items/{PDF_ITEM}")
        assert time.monotonic() - started < 5
        assert page.status_code == 200 and page.text.count('<figure class="page"') == 12
        for number in range(1, 13):
            started = time.monotonic()
            image = http.get(f"/items/{PDF_ITEM}/pages/{number}.png")
            took = time.monotonic() - started
            growth = _memory(pid, "VmHWM") - before
            assert growth < 300 * 1024 * 1024, f"the server's peak memory grew {growth // 2**20} MB by page {number}"
            assert image.status_code == 200 and took < 5, f"page {number} took {took:.1f} s"
            width, height = Image.open(io.BytesIO(image.content)).size
            assert max(width, height) <= source.MAX_SIDE_PX and width * height <= source.MAX_PIXELS
