"""Contracts: parties, dates, term, law, renewal, notice, amounts and signatories."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, Field

from docnorm.schemas.evidence import IN_QUOTE, Extracted
from docnorm.schemas.values import Money, Party, Signatory


class Contract(BaseModel):
    """A commercial agreement between two or more parties."""

    title: Extracted[str] | None = Field(default=None, description="The agreement's title.")
    parties: list[Party] = Field(default_factory=list, description="Every party to the agreement.")
    effective_date: Extracted[date] | None = Field(default=None, description="The date the agreement takes effect.")
    end_date: Extracted[date] | None = Field(default=None, description="The date the agreement ends.")
    term_months: Extracted[int] | None = Field(
        default=None, description="Length of the initial term in months, when stated as a duration."
    )
    governing_law: Extracted[str] | None = Field(
        default=None,
        description="The state or country whose law governs the agreement.",
        json_schema_extra=IN_QUOTE,
    )
    auto_renewal: Extracted[bool] | None = Field(
        default=None, description="True when the agreement renews automatically."
    )
    termination_notice_days: Extracted[int] | None = Field(
        default=None, description="Days of written notice required to terminate or not renew."
    )
    amounts: list[Money] = Field(default_factory=list, description="Monetary amounts stated in the agreement.")
    signatories: list[Signatory] = Field(default_factory=list, description="People who signed.")
