"""The built-in doc types, declared through the same ``DocType`` API as any plugin.

Their curated tables were published before tables were derived from models, so each keeps its
hand-written layout (``layout=``): a derived table would differ, and published tables change shape
only with a schema-version bump.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from docnorm.doctypes.declare import DocType
from docnorm.doctypes.registry import DocTypeRegistry, DocTypeSpec, spec_from_ref
from docnorm.extractors.rules import contract, filings, financial, medical
from docnorm.keysets import ccda, cuad, kleister
from docnorm.keysets import filings as filing_keys
from docnorm.keysets.clinical import CLINICAL_NOTES
from docnorm.schemas.contract import Contract
from docnorm.schemas.financial import FinancialStatement
from docnorm.schemas.medical import MedicalRecord
from docnorm.schemas.tables import Row, TableSpec
from docnorm.validators.contract import contract_rows, contract_tables
from docnorm.validators.financial import financial_rows, financial_tables
from docnorm.validators.medical import medical_rows, medical_tables
from docnorm.validators.options import ValidationOptions


@dataclass(frozen=True)
class PublishedTables:
    """A hand-written table layout: its table specs and the function that fills them."""

    specs: Callable[[ValidationOptions], list[TableSpec]]
    fill: Callable[[Any], dict[str, list[Row]]]

    def tables(self, options: ValidationOptions) -> list[TableSpec]:
        """The published tables."""
        return self.specs(options)

    def rows(self, record: Any) -> dict[str, list[Row]]:
        """One record as their rows."""
        return self.fill(record)


CONTRACT = DocType(
    model=Contract,
    name="contract",
    description=(
        "An agreement between parties that sets out their obligations: commercial contracts, NDAs, "
        "employment, licence, supply, services and consulting agreements, leases, amendments."
    ),
    cues=contract.CUES,
    rules=contract.extract_contract,
    layout=PublishedTables(contract_tables, contract_rows),
    keysets=(kleister.NDA, cuad.CUAD),
)

FINANCIAL_STATEMENT = DocType(
    model=FinancialStatement,
    name="financial_statement",
    description=(
        "A company's financial statements or a filing that contains them: balance sheet, income statement, "
        "cash flow statement, annual and quarterly reports (10-K, 10-Q)."
    ),
    cues=financial.CUES,
    rules=financial.extract_financial,
    layout=PublishedTables(financial_tables, financial_rows),
    reread=filings.STATEMENT_REREAD,
    keysets=(filing_keys.SEC_FILINGS,),
)

MEDICAL_RECORD = DocType(
    model=MedicalRecord,
    name="medical_record",
    description=(
        "A record of a patient's care: clinic and discharge notes, consultation letters, operative, radiology "
        "and pathology reports, EHR summaries, referrals."
    ),
    cues=medical.CUES,
    rules=medical.extract_medical,
    layout=PublishedTables(medical_tables, medical_rows),
    keysets=(ccda.CCDA, CLINICAL_NOTES),
)

BUILTIN_REFS = tuple(f"{__name__}:{attribute}" for attribute in ("CONTRACT", "FINANCIAL_STATEMENT", "MEDICAL_RECORD"))


def builtin_specs() -> list[DocTypeSpec]:
    """The built-in doc types, compiled."""
    return [spec_from_ref(ref, "built-in") for ref in BUILTIN_REFS]


REGISTRY = DocTypeRegistry(builtin_specs())
"""The built-in doc types only; a run's registry (with plugins) comes from ``discover.load_registry``."""
