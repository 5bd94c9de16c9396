"""Value types shared by the doc-type models."""

from __future__ import annotations

from decimal import Decimal

from pydantic import BaseModel, Field

from docnorm.schemas.evidence import IN_QUOTE, Evidence


class Money(BaseModel):
    """An amount of money as written in the document, normalised."""

    amount: Decimal | None = Field(description="The amount in full currency units.", json_schema_extra=IN_QUOTE)
    currency: str | None = Field(description="ISO-4217 code, e.g. USD; None when not stated.")
    evidence: Evidence | None = None


class Party(BaseModel):
    """A party to a contract."""

    name: str = Field(description="Legal name of the party as written.", json_schema_extra=IN_QUOTE)
    role: str | None = Field(default=None, description="Role in the agreement, e.g. Supplier, Customer.")
    evidence: Evidence | None = None


class Signatory(BaseModel):
    """A person who signed a contract."""

    name: str = Field(description="Name of the person who signed.", json_schema_extra=IN_QUOTE)
    title: str | None = Field(default=None, description="Their title, e.g. Chief Executive Officer.")
    evidence: Evidence | None = None
