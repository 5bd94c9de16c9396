"""Writers shared by the example and gold-set generators: one synthetic document per call, per format.

Output is byte-for-byte reproducible: reportlab runs with ``invariant=1``, DOCX zips get
fixed timestamps and emails fixed headers. Files go to ``OUT``, set by the calling script.
"""

from __future__ import annotations

import io
import zipfile
from email.message import EmailMessage
from pathlib import Path

from docx import Document
from reportlab.lib.pagesizes import LETTER
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.platypus import Paragraph, Preformatted, SimpleDocTemplate, Spacer

OUT = Path(".")
FIXED_ZIP_TIME = (2025, 1, 1, 0, 0, 0)
Blocks = list[str]


def write_txt(name: str, blocks: Blocks) -> None:
    (OUT / name).write_text("\n\n".join(blocks) + "\n", encoding="utf-8")


def write_pdf(name: str, blocks: Blocks) -> None:
    styles = getSampleStyleSheet()
    buffer = io.BytesIO()
    story: list = []
    for n, block in enumerate(blocks):
        if "\n" in block:
            # One paragraph per line, as statement and form PDFs lay them out.
            story.extend(Preformatted(line, styles["Code"]) for line in block.split("\n"))
        else:
            story.append(Paragraph(block, styles["Title" if n == 0 else "BodyText"]))
        story.append(Spacer(1, 6))
    SimpleDocTemplate(buffer, pagesize=LETTER, invariant=1, title=name).build(story)
    (OUT / name).write_bytes(buffer.getvalue())


def write_docx(name: str, blocks: Blocks, table: list[list[str]] | None = None) -> None:
    document = Document()
    document.core_properties.author = "docnorm examples"
    for n, block in enumerate(blocks):
        if n == 0:
            document.add_heading(block, level=1)
        else:
            for line in block.split("\n"):
                document.add_paragraph(line)
    if table:
        grid = document.add_table(rows=len(table), cols=len(table[0]))
        for r, row in enumerate(table):
            for c, value in enumerate(row):
                grid.cell(r, c).text = value
    buffer = io.BytesIO()
    document.save(buffer)
    (OUT / name).write_bytes(_fixed_zip(buffer.getvalue()))


def write_html(name: str, title: str, body: str) -> None:
    page = f"<!DOCTYPE html>\n<html><head><meta charset='utf-8'><title>{title}</title></head>\n<body>\n{body}\n</body></html>\n"
    (OUT / name).write_text(page, encoding="utf-8")


def write_eml(name: str, subject: str, blocks: Blocks) -> None:
    message = EmailMessage()
    message["From"] = "records@example.com"
    message["To"] = "intake@example.com"
    message["Subject"] = subject
    message["Date"] = "Mon, 03 Mar 2025 09:00:00 +0000"
    message["Message-ID"] = f"<{name}@example.com>"
    message.set_content("\n\n".join(blocks) + "\n")
    (OUT / name).write_bytes(bytes(message))


def _fixed_zip(data: bytes) -> bytes:
    """Rewrite a zip with fixed timestamps so DOCX output is byte-for-byte reproducible."""
    source = zipfile.ZipFile(io.BytesIO(data))
    target_buffer = io.BytesIO()
    with zipfile.ZipFile(target_buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=FIXED_ZIP_TIME)
            fixed.compress_type = zipfile.ZIP_DEFLATED
            target.writestr(fixed, source.read(info.filename))
    return target_buffer.getvalue()
