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

    @property
    def factor(self) -> Decimal:
        """The multiplier that turns a reported figure into full units."""
        return {"units": Decimal(1), "thousands": Decimal(1000), "millions": Decimal(1_000_000)}[self.value]


class LineItem(BaseModel):
    """One line of a statement."""

    label: str = Field(description="The line's label as printed.", json_schema_extra=IN_QUOTE)
    concept: str | None = Field(default=None, description="Canonical concept (US-GAAP-like name), None when unmapped.")
    section: str | None = Field(default=None, description="The heading the line sits under, e.g. Assets.")
    is_total: bool = Field(default=False, description="True for a total or subtotal line.")
    value: Decimal | None = Field(
        description="The value in full units (scale applied), negatives signed.", json_schema_extra=IN_QUOTE
    )
    period_end: date | None = Field(default=None, description="The period the value belongs to.")
    evidence: Evidence | None = None


class FinancialStatement(BaseModel):
    """One primary financial statement of one entity for one period."""

    entity: Extracted[str] | None = Field(
        default=None, description="The reporting entity's name.", json_schema_extra=IN_QUOTE
    )
    statement_kind: Extracted[StatementKind] | None = Field(default=None, description="Which statement.")
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
