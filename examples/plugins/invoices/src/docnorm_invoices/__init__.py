"""Supplier invoices for docnorm: one pydantic model, a description, cues and two checks.

Everything else (the LLM's response model, evidence and grounding per field, the curated tables
``invoice`` and ``invoice_line_items`` with their Arrow types, review routing, provenance and
evaluation) docnorm derives from this declaration.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from pydantic import BaseModel, Field

from docnorm import DocType


class LineItem(BaseModel):
    """One billed line."""

    description: str = Field(description="What was supplied, as written on the line")
    quantity: Decimal | None = Field(default=None, ge=0, description="How many units, when stated")
    amount: Decimal = Field(ge=0, decimal_places=2, description="The line's amount")


class Invoice(BaseModel):
    """A supplier invoice asking for payment."""

    invoice_number: str = Field(description="The invoice number as printed")
    vendor: str = Field(description="The company that issued the invoice and is to be paid")
    customer: str | None = Field(default=None, description="The company billed")
    issue_date: date = Field(description="The date the invoice was issued")
    due_date: date | None = Field(default=None, description="The date payment is due")
    # A normalised code is not written as such ("$"), so its quote need not contain it.
    currency: str | None = Field(
        default=None, pattern=r"^[A-Z]{3}$", description="ISO-4217 code", json_schema_extra={"in_quote": False}
    )
    total: Decimal = Field(ge=0, decimal_places=2, description="The total amount due")
    line_items: list[LineItem] = Field(default_factory=list, description="Every billed line")


def line_items_sum_to_total(invoice: Invoice) -> str | None:
    """The lines must add up to the total (when the invoice lists lines)."""
    if invoice.line_items and sum(item.amount for item in invoice.line_items) != invoice.total:
        return "line items do not add up to the total"
    return None


def due_not_before_issue(invoice: Invoice) -> str | None:
    """Payment cannot be due before the invoice was issued."""
    if invoice.due_date is not None and invoice.due_date < invoice.issue_date:
        return "due_date is before issue_date"
    return None


INVOICE = DocType(
    model=Invoice,
    name="invoice",
    description="A supplier invoice asking for payment: invoice number, vendor, dates, billed lines and total due.",
    cues=["invoice", "invoice number", "total due", "amount due", "bill to", "remit to"],
    checks=[line_items_sum_to_total, due_not_before_issue],
)
