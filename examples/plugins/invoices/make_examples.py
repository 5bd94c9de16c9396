"""Write the plugin's synthetic invoices, their gold and the LLM test double's script (reproducibly).

    python examples/plugins/invoices/make_examples.py   # needs python-docx (docnorm's dev group)

Every invoice is made up. Two are wrong on purpose: one whose lines do not add up to its total, one
due before it was issued; their gold is what the document says, and the checks send them to review.
The script is what an obliging model would answer for each document, except one answer that leaves
out the customer (a miss the evaluation must count); it exists only for the test double.
"""

from __future__ import annotations

import html
import json
import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

HERE = Path(__file__).parent
GOLD = HERE / "gold"
FORMATS = ("txt", "html", "docx")
VENDORS = ["Northwind Supplies Ltd", "Fabrikam Office Goods", "Tailspin Logistics LLC", "Litware Print Co.",
           "Adatum Facilities Inc.", "Proseware Cleaning Services"]  # fmt: skip
CUSTOMERS = ["Contoso Manufacturing Inc.", "Woodgrove Bank", "Alpine Ski House", "Wide World Importers",
             "Blue Yonder Airlines", "Coho Winery"]  # fmt: skip
GOODS = ["Office chairs", "Desk lamps", "Printer toner", "Freight handling", "Floor cleaning", "Paper reams",
         "Monitor arms", "Courier delivery", "Window cleaning", "Label rolls"]  # fmt: skip
MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December"]  # fmt: skip


@dataclass
class Line:
    description: str
    quantity: int
    amount: Decimal


@dataclass
class Made:
    file: str
    number: str
    vendor: str
    customer: str
    issued: date
    due: date
    currency: str
    lines: list[Line]
    total: Decimal


def long_date(day: date) -> str:
    return f"{MONTHS[day.month - 1]} {day.day}, {day.year}"


def money(value: Decimal) -> str:
    return f"{value:,.2f}"


def invoices(rng: random.Random) -> list[Made]:
    made = []
    for n in range(13):
        issued = date(2026, 1, 5) + timedelta(days=rng.randint(0, 300))
        lines = [
            Line(good, rng.randint(1, 12), Decimal(rng.randint(2_000, 90_000)) / 100)
            for good in rng.sample(GOODS, rng.randint(1, 4))
        ]
        total = sum((line.amount for line in lines), Decimal("0.00"))
        due = issued + timedelta(days=30)
        if n == 11:
            total += Decimal("100.00")  # a typo on the invoice: the lines do not add up
        if n == 12:
            due = issued - timedelta(days=3)  # due before issued
        made.append(
            Made(
                file=f"invoice-{n:02d}.{FORMATS[n % 3]}",
                number=f"INV-2026-{1000 + n}",
                vendor=VENDORS[n % len(VENDORS)],
                customer=CUSTOMERS[(n * 5) % len(CUSTOMERS)],
                issued=issued,
                due=due,
                currency=rng.choice(["USD", "EUR", "GBP"]),
                lines=lines,
                total=total,
            )
        )
    return made


def header(inv: Made) -> list[str]:
    return [
        "INVOICE",
        f"Invoice number: {inv.number}",
        f"Issue date: {long_date(inv.issued)}",
        f"Due date: {long_date(inv.due)}",
        f"From: {inv.vendor}",
        f"Bill to: {inv.customer}",
    ]


def footer(inv: Made) -> list[str]:
    return [
        f"Currency: {inv.currency}",
        f"Total due: {inv.currency} {money(inv.total)}",
        "Thank you for your business.",
    ]


def write_txt(inv: Made, path: Path) -> None:
    rows = [f"{line.description:<24}{line.quantity:>5}{money(line.amount):>14}" for line in inv.lines]
    body = [*header(inv), "", f"{'Description':<24}{'Qty':>5}{'Amount':>14}", *rows, "", *footer(inv)]
    path.write_text("\n\n".join(body[:6]) + "\n\n" + "\n".join(body[6:]) + "\n", encoding="utf-8")


def write_html(inv: Made, path: Path) -> None:
    cells = "".join(
        f"<tr><td>{html.escape(line.description)}</td><td>{line.quantity}</td><td>{money(line.amount)}</td></tr>"
        for line in inv.lines
    )
    paragraphs = "".join(f"<p>{html.escape(text)}</p>" for text in header(inv)[1:])
    closing = "".join(f"<p>{html.escape(text)}</p>" for text in footer(inv))
    path.write_text(
        f"<html><head><title>Invoice {inv.number}</title></head><body><h1>INVOICE</h1>{paragraphs}"
        f"<table><tr><th>Description</th><th>Qty</th><th>Amount</th></tr>{cells}</table>{closing}</body></html>\n",
        encoding="utf-8",
    )


def write_docx(inv: Made, path: Path) -> None:
    import docx

    document = docx.Document()
    document.add_heading("INVOICE", level=1)
    for text in header(inv)[1:]:
        document.add_paragraph(text)
    table = document.add_table(rows=1, cols=3)
    for cell, text in zip(table.rows[0].cells, ("Description", "Qty", "Amount"), strict=True):
        cell.text = text
    for line in inv.lines:
        for cell, text in zip(table.add_row().cells, (line.description, str(line.quantity), money(line.amount)),
                              strict=True):  # fmt: skip
            cell.text = text
    for text in footer(inv):
        document.add_paragraph(text)
    fixed = datetime(2026, 1, 1, tzinfo=UTC)  # reproducible bytes
    document.core_properties.created = document.core_properties.modified = fixed
    document.core_properties.author = "docnorm examples"
    document.save(str(path))


def gold(inv: Made) -> dict[str, object]:
    return {
        "file": inv.file,
        "doc_type": "invoice",
        "fields": {
            "invoice_number": inv.number,
            "vendor": inv.vendor,
            "customer": inv.customer,
            "issue_date": inv.issued.isoformat(),
            "due_date": inv.due.isoformat(),
            "currency": inv.currency,
            "total": str(inv.total),
            "line_items.description": [line.description for line in inv.lines],
            "line_items.quantity": [str(line.quantity) for line in inv.lines],
            "line_items.amount": [str(line.amount) for line in inv.lines],
        },
    }


def quoted(value: object, quote: str) -> dict[str, object]:
    return {"value": value, "quote": quote}


def answer(inv: Made, miss_customer: bool) -> dict[str, object]:
    return {
        "invoice_number": quoted(inv.number, inv.number),
        "vendor": quoted(inv.vendor, inv.vendor),
        "customer": None if miss_customer else quoted(inv.customer, inv.customer),
        "issue_date": quoted(inv.issued.isoformat(), long_date(inv.issued)),
        "due_date": quoted(inv.due.isoformat(), long_date(inv.due)),
        "currency": quoted(inv.currency, f"Currency: {inv.currency}"),
        "total": quoted(str(inv.total), money(inv.total)),
        "line_items": [
            {
                "description": quoted(line.description, line.description),
                "quantity": quoted(str(line.quantity), str(line.quantity)),
                "amount": quoted(str(line.amount), money(line.amount)),
            }
            for line in inv.lines
        ],
    }


def main() -> None:
    made = invoices(random.Random(20261205))
    documents = GOLD / "documents"
    documents.mkdir(parents=True, exist_ok=True)
    writers = {"txt": write_txt, "html": write_html, "docx": write_docx}
    for inv in made:
        writers[inv.file.rsplit(".", 1)[1]](inv, documents / inv.file)
    (GOLD / "gold.jsonl").write_text("".join(json.dumps(gold(inv)) + "\n" for inv in made), encoding="utf-8")
    script = [{"contains": inv.number, "answer": answer(inv, miss_customer=n == 4)} for n, inv in enumerate(made)]
    (HERE / "llm-double-script.jsonl").write_text("".join(json.dumps(s) + "\n" for s in script), encoding="utf-8")
    print(f"wrote {len(made)} invoices, gold.jsonl and llm-double-script.jsonl")


if __name__ == "__main__":
    main()
