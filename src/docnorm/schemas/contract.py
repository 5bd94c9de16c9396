"""Contracts: parties, dates, term, law, renewal, notice, amounts and signatories."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, Field

from docnorm.schemas.evidence import IN_QUOTE, Evidence, Extracted
from docnorm.schemas.values import Money, Party, Signatory


class Clause(BaseModel):
    """A clause type the contract contains (one of CUAD's 33, e.g. anti_assignment), with its text."""

    kind: str = Field(description="Clause type in snake_case, e.g. non_compete, cap_on_liability.")
    evidence: Evidence | None = None


class Contract(BaseModel):
    """A commercial agreement between two or more parties."""

    title: Extracted[str] | None = Field(default=None, description="The agreement's title.")
    parties: list[Party] = Field(default_factory=list, description="Every party to the agreement.")
    agreement_date: Extracted[date] | None = Field(
        default=None, description="The date the agreement is made or dated (its preamble's date)."
    )
    effective_date: Extracted[date] | None = Field(default=None, description="The date the agreement takes effect.")
    end_date: Extracted[date] | None = Field(default=None, description="The date the agreement states it ends.")
    perpetual: Extracted[bool] | None = Field(
        default=None, description="True when the agreement runs in perpetuity or until terminated, with no end date."
    )
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
    renewal_term: Extracted[str] | None = Field(
        default=None, description='Length of each renewal as written, e.g. "successive 1 year".'
    )
    renewal_notice: Extracted[str] | None = Field(
        default=None, description='Notice needed to stop a renewal, e.g. "90 days".'
    )
    clauses: list[Clause] = Field(default_factory=list, description="Clause types the agreement contains.")
    amounts: list[Money] = Field(default_factory=list, description="Monetary amounts stated in the agreement.")
    signatories: list[Signatory] = Field(default_factory=list, description="People who signed.")
