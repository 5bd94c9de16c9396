"""Generate the docnorm-layout gold sets for financial statements and medical records.

Run with ``make gold``. Each set is a folder with ``documents/`` and ``gold.jsonl``; the
gold of a document is written from the same data that renders it, never read back by an
extractor. Labels, layouts, scales, currencies and formats vary from document to document
(some phrasings are deliberately outside the rules' vocabulary), so the scores say how the
extractors generalise across the variation, not that they match one template.
"""

from __future__ import annotations

import json
import random
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import docgen
from docgen import write_docx, write_eml, write_html, write_pdf, write_txt
from faker import Faker

ROOT = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).resolve().parents[1] / "examples" / "gold"
FORMATS = ("html", "txt", "docx", "pdf", "eml")


@dataclass
class Line:
    label: str
    value: Decimal | None  # reported (before scale); None for a heading
    concept: str | None = None


@dataclass
class Statement:
    entity: str
    kind: str
    period_end: date
    currency: str
    scale: str
    title: str
    period_text: str
    scale_text: str
    lines: list[Line] = field(default_factory=list)


SCALES = {"units": 1, "thousands": 1000, "millions": 1_000_000}
LABELS = {
    "Revenues": ["Revenue", "Net sales", "Total revenues", "Sales", "Turnover"],
    "CostOfRevenue": ["Cost of revenue", "Cost of sales", "Cost of goods sold"],
    "GrossProfit": ["Gross profit", "Gross margin"],
    "ResearchAndDevelopmentExpense": ["Research and development", "Research & development"],
    "SellingGeneralAndAdministrativeExpense": ["Selling, general and administrative", "Selling, general & administrative"],
    "OperatingExpenses": ["Total operating expenses"],
    "OperatingIncomeLoss": ["Operating income", "Income from operations"],
    "IncomeTaxExpenseBenefit": ["Income tax expense", "Provision for income taxes"],
    "NetIncomeLoss": ["Net income", "Net earnings", "Profit for the year"],
    "CashAndCashEquivalentsAtCarryingValue": ["Cash and cash equivalents", "Cash"],
    "AccountsReceivableNetCurrent": ["Accounts receivable", "Trade receivables", "Receivables from customers"],
    "InventoryNet": ["Inventory", "Inventories"],
    "AssetsCurrent": ["Total current assets"],
    "PropertyPlantAndEquipmentNet": ["Property and equipment, net", "Property, plant and equipment"],
    "Assets": ["Total assets"],
    "AccountsPayableCurrent": ["Accounts payable", "Trade payables"],
    "AccruedLiabilitiesCurrent": ["Accrued liabilities", "Accrued expenses"],
    "LiabilitiesCurrent": ["Total current liabilities"],
    "LongTermDebtNoncurrent": ["Long-term debt", "Long-term borrowings"],
    "Liabilities": ["Total liabilities"],
    "CommonStockValue": ["Common stock", "Share capital"],
    "RetainedEarningsAccumulatedDeficit": ["Retained earnings", "Accumulated deficit"],
    "StockholdersEquity": ["Total stockholders' equity", "Total shareholders' equity", "Total equity"],
    "LiabilitiesAndStockholdersEquity": ["Total liabilities and stockholders' equity", "Total liabilities and equity"],
    "DepreciationDepletionAndAmortization": ["Depreciation and amortization"],
    "NetCashProvidedByUsedInOperatingActivities": ["Net cash provided by operating activities"],
    "PaymentsToAcquirePropertyPlantAndEquipment": ["Capital expenditures", "Purchases of property and equipment"],
    "NetCashProvidedByUsedInInvestingActivities": ["Net cash used in investing activities"],
    "NetCashProvidedByUsedInFinancingActivities": ["Net cash used in financing activities"],
}  # fmt: skip


def label(rng: random.Random, concept: str) -> Line:
    return Line(rng.choice(LABELS[concept]), None, concept)


def amount(rng: random.Random, low: int, high: int) -> Decimal:
    return Decimal(rng.randrange(low, high) * 10)


def balance_sheet(rng: random.Random) -> list[Line]:
    cash, receivables, inventory = (amount(rng, 50, 900) for _ in range(3))
    current = cash + receivables + inventory
    ppe = amount(rng, 100, 2000)
    payables, accrued = amount(rng, 20, 300), amount(rng, 10, 200)
    current_liabilities = payables + accrued
    debt = amount(rng, 50, 800)
    liabilities = current_liabilities + debt
    stock = amount(rng, 50, 300)
    retained = current + ppe - liabilities - stock
    values = {
        "CashAndCashEquivalentsAtCarryingValue": cash, "AccountsReceivableNetCurrent": receivables,
        "InventoryNet": inventory, "AssetsCurrent": current, "PropertyPlantAndEquipmentNet": ppe,
        "Assets": current + ppe, "AccountsPayableCurrent": payables, "AccruedLiabilitiesCurrent": accrued,
        "LiabilitiesCurrent": current_liabilities, "LongTermDebtNoncurrent": debt, "Liabilities": liabilities,
        "CommonStockValue": stock, "RetainedEarningsAccumulatedDeficit": retained,
        "StockholdersEquity": stock + retained, "LiabilitiesAndStockholdersEquity": current + ppe,
    }  # fmt: skip
    layout = [
        "Assets", "CashAndCashEquivalentsAtCarryingValue", "AccountsReceivableNetCurrent", "InventoryNet",
        "AssetsCurrent", "PropertyPlantAndEquipmentNet", "Assets", "Liabilities:heading", "AccountsPayableCurrent",
        "AccruedLiabilitiesCurrent", "LiabilitiesCurrent", "LongTermDebtNoncurrent", "Liabilities",
        "Equity:heading", "CommonStockValue", "RetainedEarningsAccumulatedDeficit", "StockholdersEquity",
        "LiabilitiesAndStockholdersEquity",
    ]  # fmt: skip
    return _lines(
        rng,
        layout,
        values,
        {
            "Assets": "Assets",
            "Liabilities:heading": "Liabilities",
            "Equity:heading": rng.choice(["Stockholders' equity", "Equity"]),
        },
    )


def income_statement(rng: random.Random) -> list[Line]:
    revenue = amount(rng, 1000, 9000)
    cost = (revenue * Decimal(rng.randrange(40, 70)) / 100).quantize(Decimal(10))
    rnd, sga = amount(rng, 50, 400), amount(rng, 50, 400)
    operating = revenue - cost - rnd - sga
    tax = (operating * Decimal("0.21")).quantize(Decimal(1))
    values = {
        "Revenues": revenue, "CostOfRevenue": cost, "GrossProfit": revenue - cost,
        "ResearchAndDevelopmentExpense": rnd, "SellingGeneralAndAdministrativeExpense": sga,
        "OperatingExpenses": rnd + sga, "OperatingIncomeLoss": operating, "IncomeTaxExpenseBenefit": tax,
        "NetIncomeLoss": operating - tax,
    }  # fmt: skip
    layout = [
        "Revenues", "CostOfRevenue", "GrossProfit", "Operating expenses:heading", "ResearchAndDevelopmentExpense",
        "SellingGeneralAndAdministrativeExpense", "OperatingExpenses", "OperatingIncomeLoss",
        "IncomeTaxExpenseBenefit", "NetIncomeLoss",
    ]  # fmt: skip
    return _lines(rng, layout, values, {"Operating expenses:heading": "Operating expenses"})


def cash_flow(rng: random.Random) -> list[Line]:
    net, dep = amount(rng, 100, 900), amount(rng, 20, 300)
    capex = -amount(rng, 50, 500)
    financing = -amount(rng, 10, 300)
    values = {
        "NetIncomeLoss": net, "DepreciationDepletionAndAmortization": dep,
        "NetCashProvidedByUsedInOperatingActivities": net + dep,
        "PaymentsToAcquirePropertyPlantAndEquipment": capex, "NetCashProvidedByUsedInInvestingActivities": capex,
        "Repayment:unmapped": financing, "NetCashProvidedByUsedInFinancingActivities": financing,
    }  # fmt: skip
    layout = [
        "Operating activities:heading", "NetIncomeLoss", "DepreciationDepletionAndAmortization",
        "NetCashProvidedByUsedInOperatingActivities", "Investing activities:heading",
        "PaymentsToAcquirePropertyPlantAndEquipment", "NetCashProvidedByUsedInInvestingActivities",
        "Financing activities:heading", "Repayment:unmapped", "NetCashProvidedByUsedInFinancingActivities",
    ]  # fmt: skip
    headings = {k: k.split(":")[0] for k in layout if k.endswith(":heading")}
    return _lines(rng, layout, values, headings)


def _lines(rng: random.Random, layout: list[str], values: dict[str, Decimal], headings: dict[str, str]) -> list[Line]:
    lines = []
    seen_assets = False
    for key in layout:
        if key in headings and (key != "Assets" or not seen_assets):
            seen_assets = seen_assets or key == "Assets"
            lines.append(Line(headings[key], None))
        elif key.endswith(":unmapped"):
            lines.append(Line("Repayment of borrowings", values[key]))
        else:
            line = label(rng, key)
            line.value = values[key]
            lines.append(line)
    return lines


KINDS: dict[str, tuple[list[str], Callable[[random.Random], list[Line]]]] = {
    "balance_sheet": (
        ["Balance Sheet", "Consolidated Balance Sheets", "Statement of Financial Position"],
        balance_sheet,
    ),
    "income": (["Income Statement", "Consolidated Statements of Operations", "Statement of Income"], income_statement),
    "cash_flow": (["Statement of Cash Flows", "Consolidated Statements of Cash Flows"], cash_flow),
}
CURRENCY_TEXT = {
    "USD": ["U.S. dollars", "USD"],
    "EUR": ["euros", "EUR"],
    "GBP": ["pounds sterling", "GBP"],
}


def statement(rng: random.Random, fake: Faker, kind: str) -> Statement:
    titles, lines = KINDS[kind]
    end = date(rng.choice([2022, 2023, 2024]), rng.choice([3, 6, 9, 12]), 1)
    end = (end.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)
    currency = rng.choice(list(CURRENCY_TEXT))
    scale = rng.choice(list(SCALES))
    when = f"{end:%B} {end.day}, {end.year}"
    period = (
        f"As of {when}"
        if kind == "balance_sheet"
        else rng.choice(
            [f"For the year ended {when}", f"For the three months ended {when}", f"Fiscal year ended {when}"]
        )
    )
    money = rng.choice(CURRENCY_TEXT[currency])
    scale_text = f"in {scale} of {money}" if scale != "units" else f"amounts in {money}"
    suffix = rng.choice(["Inc.", "Corporation", "plc", "GmbH", "LLC"])
    return Statement(f"{fake.last_name()} {rng.choice(['Industries', 'Holdings', 'Systems', 'Foods'])} {suffix}",
                     kind, end, currency, scale, rng.choice(titles), period, scale_text, lines(rng))  # fmt: skip


def render_statement(name: str, fmt: str, s: Statement) -> None:
    def figure(value: Decimal) -> str:
        return f"({-value:,.0f})" if value < 0 else f"{value:,.0f}"

    header = [s.entity, s.title, f"{s.period_text} ({s.scale_text})"]
    rows = [(line.label, figure(line.value) if line.value is not None else "") for line in s.lines]
    if fmt == "html":
        cells = "\n".join(f"<tr><td>{a}</td><td>{b}</td></tr>" for a, b in rows)
        write_html(name, s.title, f"<h1>{header[0]}</h1>\n<h2>{header[1]}</h2>\n<p>{header[2]}</p>\n"
                                  f"<table>\n<tr><th></th><th>{s.period_end.year}</th></tr>\n{cells}\n</table>")  # fmt: skip
    elif fmt == "docx":
        write_docx(name, header, table=[["", str(s.period_end.year)], *([a, b] for a, b in rows)])
    else:
        body = "\n".join(f"{a:<50}{b:>14}" if b else a for a, b in rows)
        {"txt": write_txt, "pdf": write_pdf}.get(fmt, lambda n, blocks: write_eml(n, s.title, blocks))(
            name, [*header, body]
        )


def statement_gold(s: Statement) -> dict[str, Any]:
    factor = SCALES[s.scale]
    items = [line for line in s.lines if line.value is not None]
    return {
        "entity": s.entity,
        "statement_kind": s.kind,
        "period_end": s.period_end.isoformat(),
        "currency": s.currency,
        "unit_scale": s.scale,
        "line_items.label": [line.label for line in items],
        "line_items.concept": [line.concept for line in items if line.concept],
        "line_items.value": [str(line.value * factor) for line in items if line.value is not None],
    }


# --- medical records ----------------------------------------------------------------------------

DIAGNOSES = [
    ("Type 2 diabetes mellitus without complications", "E11.9"), ("Essential (primary) hypertension", "I10"),
    ("Hyperlipidemia, unspecified", "E78.5"), ("Major depressive disorder, single episode, unspecified", "F32.9"),
    ("Gastro-esophageal reflux disease without esophagitis", "K21.9"), ("Acute bronchitis, unspecified", "J20.9"),
    ("Hypothyroidism, unspecified", "E03.9"), ("Migraine, unspecified, not intractable", "G43.909"),
    ("Urinary tract infection, site not specified", "N39.0"), ("Low back pain, unspecified", "M54.50"),
]  # fmt: skip
MEDICATIONS = [
    ("Metformin", "500 mg", "PO", "BID"), ("Lisinopril", "10 mg", "PO", "daily"),
    ("Atorvastatin", "20 mg", "PO", "at bedtime"), ("Sertraline", "50 mg", "PO", "once daily"),
    ("Omeprazole", "20 mg", "by mouth", "daily"), ("Levothyroxine", "75 mcg", "PO", "daily"),
    ("Albuterol", "90 mcg", "inhaled", "PRN"), ("Insulin glargine", "10 units", "SC", "nightly"),
]  # fmt: skip
COMPLAINTS = ["Follow-up of chronic conditions", "Cough for one week", "Headache and nausea", "Burning on urination",
              "Fatigue and weight gain", "Annual physical examination"]  # fmt: skip
ALLERGIES = [["Penicillin"], ["Sulfa drugs", "Latex"], ["Codeine"], [], ["Peanuts", "Shellfish"]]
LABELS_MEDICAL = {
    "name": ["Patient Name", "Patient", "Name"],
    "dob": ["DOB", "Date of Birth"],
    "mrn": ["MRN", "Medical Record Number"],
    "date": ["Date of Service", "Visit Date", "Encounter Date"],
    "provider": ["Provider", "Attending Physician", "Physician"],
    "dx": ["Assessment", "Diagnoses", "Problem List", "Impression"],
    "meds": ["Medications", "Current Medications"],
}


def note(rng: random.Random, fake: Faker) -> tuple[list[str], dict[str, Any]]:
    pick = {key: rng.choice(values) for key, values in LABELS_MEDICAL.items()}
    name, provider = fake.name(), f"Dr. {fake.name()}, MD"
    born = fake.date_between_dates(date(1936, 1, 1), date(2005, 12, 31))  # not relative to today: reproducible
    seen = date(2025, 1, 2) + timedelta(days=rng.randrange(300))
    mrn = fake.bothify(rng.choice(["MRN-######", "########", "A#######"]))
    dx = rng.sample(DIAGNOSES, rng.randrange(1, 4))
    meds = rng.sample(MEDICATIONS, rng.randrange(1, 4))
    allergies = rng.choice(ALLERGIES)
    complaint = rng.choice(COMPLAINTS)
    code_style = rng.choice(["({code})", "- {code}", "(ICD-10: {code})"])
    date_style = rng.choice(["%m/%d/%Y", "%B %d, %Y", "%Y-%m-%d"])
    blocks = [
        rng.choice(["CLINIC NOTE", "OFFICE VISIT", "PROGRESS NOTE"]),
        f"{pick['name']}: {name}\n{pick['dob']}: {born:%m/%d/%Y}\n{pick['mrn']}: {mrn}\n"
        f"{pick['date']}: {seen.strftime(date_style)}\n{pick['provider']}: {provider}",
        f"Chief Complaint: {complaint}.",
        f"Vital Signs: BP {rng.randrange(100, 150)}/{rng.randrange(60, 95)} mmHg, HR {rng.randrange(55, 100)} bpm",
        f"{pick['dx']}:\n"
        + "\n".join(f"{n}. {text} " + code_style.format(code=code) for n, (text, code) in enumerate(dx, 1)),
        f"{pick['meds']}:\n" + "\n".join(f"- {m} {dose} {route} {freq}" for m, dose, route, freq in meds),
        f"Allergies: {', '.join(allergies) if allergies else rng.choice(['NKDA', 'No known drug allergies'])}",
        "Plan: Continue current management and follow up as scheduled.",
    ]
    gold = {
        "patient.name": name, "patient.birth_date": born.isoformat(), "patient.mrn": mrn,
        "encounter_date": seen.isoformat(), "provider": provider, "chief_complaint": complaint,
        "diagnoses.text": [t for t, _ in dx], "diagnoses.icd10_code": [c for _, c in dx],
        "medications.name": [m[0] for m in meds], "medications.dose": [m[1] for m in meds],
        "medications.route": [m[2] for m in meds], "medications.frequency": [m[3] for m in meds],
        "allergies": allergies,
    }  # fmt: skip
    return blocks, gold


def render_note(name: str, fmt: str, blocks: list[str]) -> None:
    if fmt == "html":
        write_html(name, blocks[0], f"<h1>{blocks[0]}</h1>\n" + "\n".join(
            f"<p>{b.replace(chr(10), '<br>')}</p>" for b in blocks[1:]))  # fmt: skip
    else:
        {"txt": write_txt, "pdf": write_pdf, "docx": write_docx}.get(fmt, lambda n, b: write_eml(n, "Visit note", b))(
            name, blocks
        )


def write_set(folder: Path, items: list[tuple[str, str, dict[str, Any]]], readme: str) -> None:
    (folder / "documents").mkdir(parents=True, exist_ok=True)
    lines = [json.dumps({"file": file, "doc_type": doc_type, "fields": fields}) for file, doc_type, fields in items]
    (folder / "gold.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (folder / "README.md").write_text(readme, encoding="utf-8")


README = """# {title}

Synthetic gold set in docnorm's layout (`documents/` + `gold.jsonl`), generated by
`scripts/make_gold.py` (`make gold`) with fixed seeds; no real person or company is described.

Each line of `gold.jsonl` is `{{"file", "doc_type", "fields"}}`; `fields` maps a dotted path of
the doc type's pydantic model to a value or a list of values (list items of nested models
collect under one path, e.g. `diagnoses.icd10_code`). The gold is written from the same data
that renders each document, not read back by an extractor. Formats rotate through HTML, TXT,
DOCX, PDF and EML; labels, layouts{extra} vary, and some phrasings are deliberately outside
the rules extractor's vocabulary.

Score it with `docnorm eval {path}`.
"""


def main() -> None:
    fake = Faker("en_US")
    Faker.seed(4242)
    rng = random.Random(4242)
    financial = ROOT / "financial_statements"
    docgen.OUT = financial / "documents"
    docgen.OUT.mkdir(parents=True, exist_ok=True)
    items = []
    for n in range(12):
        kind = list(KINDS)[n % 3]
        fmt = FORMATS[n % len(FORMATS)]
        s = statement(rng, fake, kind)
        name = f"statement-{n:02d}.{fmt}"
        render_statement(name, fmt, s)
        items.append((name, "financial_statement", statement_gold(s)))
    write_set(financial, items, README.format(title="Financial statements gold set", extra=", scales, currencies",
                                              path="examples/gold/financial_statements"))  # fmt: skip

    medical = ROOT / "medical_records"
    docgen.OUT = medical / "documents"
    docgen.OUT.mkdir(parents=True, exist_ok=True)
    items = []
    for n in range(12):
        fmt = FORMATS[n % len(FORMATS)]
        blocks, gold = note(rng, fake)
        name = f"note-{n:02d}.{fmt}"
        render_note(name, fmt, blocks)
        items.append((name, "medical_record", gold))
    write_set(medical, items, README.format(title="Medical records gold set", extra=", date and code formats",
                                            path="examples/gold/medical_records"))  # fmt: skip
    print(f"wrote gold sets under {ROOT}")


if __name__ == "__main__":
    main()
