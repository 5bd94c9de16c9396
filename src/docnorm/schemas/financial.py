"""Financial statements: entity, kind, period, currency, scale and every line item."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from enum import StrEnum

from pydantic import BaseModel, Field

from docnorm.schemas.evidence import IN_QUOTE, Evidence, Extracted


class StatementKind(StrEnum):
    """Which primary statement a document holds."""

    INCOME = "income"
    BALANCE_SHEET = "balance_sheet"
    CASH_FLOW = "cash_flow"


class UnitScale(StrEnum):
    """The multiplier the reported figures are stated in."""

    UNITS = "units"
    THOUSANDS = "thousands"
    MILLIONS = "millions"
    BILLIONS = "billions"

    @property
    def factor(self) -> Decimal:
        """The multiplier that turns a reported figure into full units."""
        return {
            "units": Decimal(1),
            "thousands": Decimal(1000),
            "millions": Decimal(10**6),
            "billions": Decimal(10**9),
        }[self.value]


class LineItem(BaseModel):
    """One line of a statement."""

    label: str = Field(description="The line's label as printed.", json_schema_extra=IN_QUOTE)
    concept: str | None = Field(default=None, description="Canonical concept (US-GAAP-like name), None when unmapped.")
    section: str | None = Field(default=None, description="The heading the line sits under, e.g. Assets.")
    is_total: bool = Field(default=False, description="True for a total or subtotal line.")
    value: Decimal | None = Field(
        description="The value in full units (scale applied), negatives signed.", json_schema_extra=IN_QUOTE
    )
    statement: StatementKind | None = Field(default=None, description="The statement the line belongs to.")
    period_end: date | None = Field(default=None, description="The period the value belongs to.")
    period_months: int | None = Field(
        default=None, description="Length of the period in months for flows (3, 6, 12); None for balances."
    )
    evidence: Evidence | None = None


class FinancialStatement(BaseModel):
    """The primary financial statements of one entity for one reporting period: one bare statement,
    or the income statement, balance sheet and cash-flow statement of a filing (each line says which)."""

    entity: Extracted[str] | None = Field(
        default=None, description="The reporting entity's name.", json_schema_extra=IN_QUOTE
    )
    form: Extracted[str] | None = Field(
        default=None,
        description="The filing form the statements come from, e.g. 10-K or 10-Q; None for a bare statement.",
    )
    statement_kind: Extracted[StatementKind] | None = Field(
        default=None, description="Which statement, when the document holds one; None for a filing with several."
    )
    period_start: Extracted[date] | None = Field(default=None, description="First day of the period.")
    period_end: Extracted[date] | None = Field(
        default=None, description="Last day of the period, or the balance sheet date."
    )
    currency: Extracted[str] | None = Field(default=None, description="ISO-4217 code of the figures.")
    unit_scale: Extracted[UnitScale] | None = Field(
        default=None,
        description="Scale of the printed figures; units when the document states none.",
        json_schema_extra={"unstated_default": UnitScale.UNITS.value},
    )
    line_items: list[LineItem] = Field(default_factory=list, description="Every line with a figure.")

    def settled_fields(self) -> frozenset[str]:
        """Fields a filing leaves empty by design, so that no extractor goes looking for them: it holds
        several statements (no single kind or start), and when its statements are in an exhibit that
        is not part of the document, no lines are the right answer."""
        if self.form is None:
            return frozenset()
        return frozenset({"statement_kind", "period_start", "line_items", "unit_scale"})
