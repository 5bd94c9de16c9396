"""Generate the bundled example inbox (examples/inbox/) reproducibly.

Run with ``make examples``. Every document is synthetic: names come from Faker with a
fixed seed, companies and figures are invented. Dates and zip timestamps are fixed so
the output is the same on every run. Four documents are made to land in review, each
for a different reason: a damaged PDF, a memo of no known type, a balance sheet that
does not balance and a note with an ICD-10-CM code that does not exist.
"""

from __future__ import annotations

import io
import sys
from collections.abc import Callable
from datetime import date
from pathlib import Path

import docgen
from docgen import write_docx, write_eml, write_html, write_pdf, write_txt
from faker import Faker
from reportlab.lib.pagesizes import LETTER
from reportlab.platypus import Paragraph, SimpleDocTemplate

fake = Faker("en_US")
Faker.seed(20250101)
OUT = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).resolve().parents[1] / "examples" / "inbox"
docgen.OUT = OUT

Blocks = list[str]


# --- contracts -----------------------------------------------------------------------------


def contract(title: str, date: str, a: tuple[str, str], b: tuple[str, str], law: str, term: str,
             notice: str, renew: bool, amount: str) -> Blocks:  # fmt: skip
    signer_a, signer_b = fake.name(), fake.name()
    renewal = "shall automatically renew for successive one-year periods" if renew else "shall not automatically renew"
    return [
        title,
        f'This {title.title()} (the "Agreement") is entered into as of {date} by and between '
        f'{a[0]} ("{a[1]}") and {b[0]} ("{b[1]}").',
        f"1. Term. This Agreement has an initial term of {term} and {renewal}.",
        f"2. Fees. {b[1]} shall pay {a[1]} {amount} per year, payable quarterly in advance.",
        f"3. Termination. Either party may terminate this Agreement upon {notice} prior written notice.",
        f"4. Governing Law. This Agreement shall be governed by the laws of the State of {law}.",
        "IN WITNESS WHEREOF, the parties have executed this Agreement as of the Effective Date.",
        f"{a[0]}\nBy: ____________________\nName: {signer_a}\nTitle: Chief Executive Officer",
        f"{b[0]}\nBy: ____________________\nName: {signer_b}\nTitle: General Counsel",
    ]


def make_contracts() -> None:
    write_pdf(
        "master-services-agreement.pdf",
        contract(
            "MASTER SERVICES AGREEMENT",
            "January 15, 2025",
            ("Acme Widgets, Inc.", "Supplier"),
            ("Globex Corporation", "Customer"),
            "Delaware",
            "three (3) years",
            "thirty (30) days'",
            True,
            "USD 120,000",
        ),
    )
    write_docx(
        "non-disclosure-agreement.docx",
        contract(
            "MUTUAL NON-DISCLOSURE AGREEMENT",
            "March 1, 2025",
            ("Initech LLC", "Discloser"),
            ("Hooli Inc.", "Recipient"),
            "California",
            "two (2) years",
            "sixty (60) days'",
            False,
            "$5,000",
        ),
    )
    write_txt(
        "consulting-agreement.txt",
        contract(
            "CONSULTING AGREEMENT",
            "February 3, 2025",
            ("Stark Advisory Ltd.", "Consultant"),
            ("Wayne Enterprises Corporation", "Client"),
            "New York",
            "twelve (12) months",
            "fifteen (15) days'",
            False,
            "EUR 48,000",
        ),
    )
    body = contract("SUPPLY AGREEMENT", "April 7, 2025", ("Umbrella Pharma Company", "Seller"),
                    ("Cyberdyne Systems Corp.", "Buyer"), "Texas", "five (5) years", "ninety (90) days'", True,
                    "$2,500,000")  # fmt: skip
    write_html(
        "supply-agreement.html",
        "Supply Agreement",
        f"<h1>{body[0]}</h1>\n" + "\n".join(f"<p>{b.replace(chr(10), '<br>')}</p>" for b in body[1:]),
    )
    write_eml(
        "lease-agreement.eml",
        "Signed lease agreement",
        contract(
            "EQUIPMENT LEASE AGREEMENT",
            "May 20, 2025",
            ("Soylent Leasing Corp.", "Lessor"),
            ("Vandelay Industries Inc.", "Lessee"),
            "Illinois",
            "four (4) years",
            "thirty (30) days'",
            True,
            "USD 36,000",
        ),
    )


# --- financial statements -----------------------------------------------------------------

Lines = list[tuple[str, str]]

BALANCED: Lines = [
    ("Assets", ""), ("Cash and cash equivalents", "1,250"), ("Accounts receivable", "830"), ("Inventory", "420"),
    ("Total current assets", "2,500"), ("Property and equipment, net", "3,100"), ("Total assets", "5,600"),
    ("Liabilities", ""), ("Accounts payable", "640"), ("Accrued liabilities", "210"),
    ("Total current liabilities", "850"), ("Long-term debt", "1,750"), ("Total liabilities", "2,600"),
    ("Stockholders' equity", ""), ("Common stock", "1,000"), ("Retained earnings", "2,000"),
    ("Total stockholders' equity", "3,000"), ("Total liabilities and stockholders' equity", "5,600"),
]  # fmt: skip
UNBALANCED: Lines = [
    ("Assets", ""), ("Cash and cash equivalents", "450,000"), ("Accounts receivable", "210,000"),
    ("Total assets", "660,000"), ("Liabilities", ""), ("Accounts payable", "180,000"),
    ("Total liabilities", "180,000"), ("Equity", ""), ("Common stock", "300,000"), ("Retained earnings", "150,000"),
    ("Total stockholders' equity", "450,000"), ("Total liabilities and stockholders' equity", "630,000"),
]  # fmt: skip
INCOME: Lines = [
    ("Revenue", "12,400"), ("Cost of revenue", "7,300"), ("Gross profit", "5,100"), ("Operating expenses", ""),
    ("Research and development", "1,200"), ("Selling, general and administrative", "1,900"),
    ("Total operating expenses", "3,100"), ("Operating income", "2,000"), ("Income tax expense", "420"),
    ("Net income", "1,580"),
]  # fmt: skip
CASH_FLOW: Lines = [
    ("Operating activities", ""), ("Net income", "980"), ("Depreciation and amortization", "310"),
    ("Net cash provided by operating activities", "1,290"), ("Investing activities", ""),
    ("Capital expenditures", "(450)"), ("Net cash used in investing activities", "(450)"),
    ("Financing activities", ""), ("Repayment of long-term debt", "(300)"),
    ("Net cash used in financing activities", "(300)"),
]  # fmt: skip


def statement_text(entity: str, title: str, period: str, scale: str, lines: Lines) -> Blocks:
    body = "\n".join(f"{label:<48}{value:>12}" if value else label for label, value in lines)
    return [entity, title, f"{period} ({scale})", body]


def make_financials() -> None:
    rows = "\n".join(f"<tr><td>{label}</td><td>{value}</td></tr>" for label, value in BALANCED)
    write_html(
        "balance-sheet-acme-2024.html",
        "Acme Widgets balance sheet",
        (
            "<h1>Acme Widgets, Inc.</h1>\n<h2>Consolidated Balance Sheet</h2>\n"
            "<p>As of December 31, 2024 (in thousands of U.S. dollars)</p>\n"
            f"<table>\n<tr><th></th><th>December 31, 2024</th></tr>\n{rows}\n</table>"
        ),
    )
    write_pdf(
        "income-statement-globex-2024.pdf",
        statement_text(
            "Globex Corporation",
            "Consolidated Statement of Operations",
            "For the year ended December 31, 2024",
            "in thousands of U.S. dollars",
            INCOME,
        ),
    )
    write_docx(
        "cash-flow-initech-2024.docx",
        [
            "Initech LLC",
            "Statement of Cash Flows",
            "For the year ended December 31, 2024 (in thousands of U.S. dollars)",
        ],
        table=[["", "2024"], *([label, value] for label, value in CASH_FLOW)],
    )
    write_txt(
        "balance-sheet-umbrella-2025.txt",
        statement_text("Umbrella Holdings LLC", "Balance Sheet", "As of June 30, 2025", "amounts in USD", UNBALANCED),
    )
    write_eml(
        "income-statement-hooli-q1.eml",
        "Q1 income statement",
        statement_text(
            "Hooli Inc.",
            "Income Statement",
            "For the quarter ended March 31, 2025",
            "in millions of U.S. dollars",
            [("Revenue", "310"), ("Cost of revenue", "140"), ("Gross profit", "170"), ("Net income", "55")],
        ),
    )


# --- medical records ----------------------------------------------------------------------


BORN = (date(1941, 1, 1), date(2000, 12, 31))


def note(title: str, date: str, complaint: str, diagnoses: list[str], medications: list[str],
         allergies: str, vitals: str, plan: str) -> Blocks:  # fmt: skip
    # Fixed bounds, not ages: date_of_birth counts from today, so the examples would change every day.
    dob = fake.date_between_dates(*BORN).strftime("%m/%d/%Y")
    return [
        title,
        f"Patient Name: {fake.name()}\nDOB: {dob}\nMRN: {fake.bothify('MRN-######')}\n"
        f"Date of Service: {date}\nProvider: Dr. {fake.name()}, MD",
        f"Chief Complaint: {complaint}",
        f"Vital Signs: {vitals}",
        "Assessment:\n" + "\n".join(f"{n}. {d}" for n, d in enumerate(diagnoses, 1)),
        "Medications:\n" + "\n".join(f"- {m}" for m in medications),
        f"Allergies: {allergies}",
        f"Plan: {plan}",
    ]


def make_medical() -> None:
    write_txt(
        "visit-note-diabetes.txt",
        note(
            "CLINIC VISIT NOTE",
            "2025-02-11",
            "Follow-up of type 2 diabetes.",
            ["Type 2 diabetes mellitus without complications (E11.9)", "Essential (primary) hypertension (I10)"],
            ["Metformin 500 mg PO BID", "Lisinopril 10 mg PO daily"],
            "Penicillin, Sulfa drugs",
            "BP 132/84 mmHg, HR 76 bpm, Temp 98.4 F, SpO2 97%",
            "Continue current medications. Recheck HbA1c in 3 months.",
        ),
    )
    write_pdf(
        "discharge-summary-pneumonia.pdf",
        note(
            "DISCHARGE SUMMARY",
            "March 4, 2025",
            "Cough and fever for five days.",
            ["Pneumonia, unspecified organism (J18.9)"],
            ["Amoxicillin 875 mg PO BID", "Acetaminophen 500 mg PO PRN"],
            "No known drug allergies",
            "BP 118/76 mmHg, HR 88 bpm, Temp 100.2 F",
            "Complete antibiotic course.",
        ),
    )
    html_blocks = note(
        "PRIMARY CARE NOTE",
        "January 22, 2025",
        "Low back pain after lifting.",
        ["Low back pain, unspecified (M54.50)"],
        ["Ibuprofen 400 mg PO TID"],
        "Latex",
        "BP 124/80 mmHg, HR 70 bpm",
        "Physical therapy referral; return in 4 weeks.",
    )
    write_html(
        "primary-care-note.html",
        "Primary care note",
        f"<h1>{html_blocks[0]}</h1>\n" + "\n".join(f"<p>{b.replace(chr(10), '<br>')}</p>" for b in html_blocks[1:]),
    )
    write_docx(
        "follow-up-asthma.docx",
        note(
            "FOLLOW-UP NOTE",
            "April 2, 2025",
            "Asthma follow-up.",
            ["Mild intermittent asthma, uncomplicated (J45.20)"],
            ["Albuterol 90 mcg inhaled PRN"],
            "None",
            "BP 116/74 mmHg, HR 72 bpm, SpO2 98%",
            "Continue rescue inhaler.",
        ),
    )
    write_eml(
        "referral-unknown-code.eml",
        "Referral note",
        note(
            "REFERRAL NOTE",
            "May 9, 2025",
            "Chronic fatigue.",
            ["Fatigue of unclear origin (R53.99)", "Vitamin D deficiency, unspecified (E55.9)"],
            ["Vitamin D3 1000 units PO daily"],
            "Codeine",
            "BP 128/82 mmHg, HR 80 bpm",
            "Refer to endocrinology for evaluation.",
        ),
    )


# --- documents that must go to review ----------------------------------------------------------


def make_review_cases() -> None:
    buffer = io.BytesIO()
    SimpleDocTemplate(buffer, pagesize=LETTER, invariant=1).build([Paragraph("SERVICES AGREEMENT")])
    (OUT / "damaged-scan.pdf").write_bytes(buffer.getvalue()[:400])
    write_txt(
        "team-lunch-memo.txt",
        [
            "MEMO",
            "The team lunch moves to Friday at noon in the main kitchen.",
            "Please tell the office manager about dietary needs by Wednesday.",
        ],
    )


MAKERS: list[Callable[[], None]] = [make_contracts, make_financials, make_medical, make_review_cases]

if __name__ == "__main__":
    OUT.mkdir(parents=True, exist_ok=True)
    for maker in MAKERS:
        maker()
    print(f"wrote {len(list(OUT.iterdir()))} documents to {OUT}")
