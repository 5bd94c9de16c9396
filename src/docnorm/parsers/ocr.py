"""OCR for PDFs without a text layer: pages rendered by pdfium, read by the tesseract command.

tesseract is an optional system package (``apt-get install tesseract-ocr``); without it an
image-only PDF goes to review as ``no_text_layer`` instead of being guessed at.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from docnorm.schemas.errors import ParseError

_DPI = 300
_PAGE_SECONDS = 60


def tesseract() -> str | None:
    """Path of the tesseract command, or None when it is not installed."""
    return shutil.which("tesseract")


def ocr_pages(data: bytes, max_pages: int) -> list[tuple[int, str]]:
    """(page number, text) of the first ``max_pages`` pages of a PDF, read by tesseract."""
    import pypdfium2

    command = tesseract()
    if command is None:
        raise ParseError("no_text_layer", "PDF has no text layer and OCR is not available (install tesseract-ocr)")
    pdf = pypdfium2.PdfDocument(data)
    pages: list[tuple[int, str]] = []
    # One tesseract per worker process: parallelism comes from the parse workers, not from OpenMP.
    env = {**os.environ, "OMP_THREAD_LIMIT": "1"}
    try:
        with tempfile.TemporaryDirectory(prefix="docnorm-ocr-") as folder:
            image = Path(folder) / "page.png"
            for index in range(min(len(pdf), max_pages)):
                pdf[index].render(scale=_DPI / 72).to_pil().save(image)
                done = subprocess.run(
                    [command, str(image), "stdout", "-l", "eng"],
                    capture_output=True,
                    timeout=_PAGE_SECONDS,
                    env=env,
                    check=False,
                )
                if done.returncode != 0:
                    raise ParseError("ocr_failed", f"tesseract exited with code {done.returncode} on page {index + 1}")
                pages.append((index + 1, done.stdout.decode("utf-8", errors="replace")))
    except subprocess.TimeoutExpired:
        raise ParseError("ocr_failed", f"tesseract took longer than {_PAGE_SECONDS} s on one page") from None
    finally:
        pdf.close()
    return pages
