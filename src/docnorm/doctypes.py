"""The doc-type registry: each doc type is one entry tying its model, cues, rules and tables together.

Adding a doc type (say, invoices) means a schema module, a rules module, a
validators module and one ``register`` call here; nothing else branches on doc types. What
evaluation needs of a doc type (the public datasets' keys its records answer) hangs off its entry.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel

from docnorm.extractors.base import Reread
from docnorm.extractors.classify import Cue
from docnorm.extractors.rules import contract, filings, financial, medical
from docnorm.keysets import ccda, cuad, kleister
from docnorm.keysets import filings as filing_keys
from docnorm.keysets.base import KeySet
from docnorm.keysets.clinical import CLINICAL_NOTES
from docnorm.schemas.contract import Contract
from docnorm.schemas.documents import ParsedDocument
from docnorm.schemas.errors import ConfigError
from docnorm.schemas.financial import FinancialStatement
from docnorm.schemas.medical import MedicalRecord
from docnorm.schemas.tables import Row, TableSpec
from docnorm.validators.contract import contract_rows, contract_tables
from docnorm.validators.financial import financial_rows, financial_tables
from docnorm.validators.medical import medical_rows, medical_tables
from docnorm.validators.options import ValidationOptions


@dataclass(frozen=True)
class DocTypeSpec:
    """Everything docnorm knows about one doc type."""

    name: str
    model: type[BaseModel]
    cues: Sequence[Cue]
    rules: Callable[[ParsedDocument], BaseModel]
    tables: Callable[[ValidationOptions], list[TableSpec]]
    rows: Callable[[Any], dict[str, list[Row]]]
    reread: Reread | None = None
    """What the hybrid extractor may send to a model on its own when the rules could not read it."""
    keysets: Sequence[KeySet] = ()
    """Public datasets' key families that label this doc type (for ``docnorm eval``)."""
    description: str = ""
    """What documents of this kind are: how a model tells them from the other kinds (llm and hybrid)."""

    def to_rows(self, record: BaseModel) -> dict[str, list[Row]]:
        """Flatten a record of this type into rows of its tables."""
        if not isinstance(record, self.model):
            raise TypeError(f"{self.name} expects {self.model.__name__}, got {type(record).__name__}")
        return self.rows(record)


class DocTypeRegistry:
    """Doc types by name, in registration order."""

    def __init__(self) -> None:
        self._specs: dict[str, DocTypeSpec] = {}

    def register(self, spec: DocTypeSpec) -> None:
        """Add a doc type; names are unique."""
        if spec.name in self._specs:
            raise ConfigError(f"doc type {spec.name!r} is already registered")
        self._specs[spec.name] = spec

    def __getitem__(self, name: str) -> DocTypeSpec:
        try:
            return self._specs[name]
        except KeyError:
            raise ConfigError(f"unknown doc type {name!r}; known: {', '.join(self._specs)}") from None

    def __iter__(self) -> Iterator[DocTypeSpec]:
        return iter(self._specs.values())

    def names(self) -> list[str]:
        """Registered doc type names."""
        return list(self._specs)


REGISTRY = DocTypeRegistry()
REGISTRY.register(
    DocTypeSpec(
        "contract",
        Contract,
        contract.CUES,
        contract.extract_contract,
        contract_tables,
        contract_rows,
        keysets=(kleister.NDA, cuad.CUAD),
        description=(
            "An agreement between parties that sets out their obligations: commercial contracts, NDAs, "
            "employment, licence, supply, services and consulting agreements, leases, amendments."
        ),
    )
)
REGISTRY.register(
    DocTypeSpec(
        "financial_statement",
        FinancialStatement,
        financial.CUES,
        financial.extract_financial,
        financial_tables,
        financial_rows,
        filings.STATEMENT_REREAD,
        keysets=(filing_keys.SEC_FILINGS,),
        description=(
            "A company's financial statements or a filing that contains them: balance sheet, income statement, "
            "cash flow statement, annual and quarterly reports (10-K, 10-Q)."
        ),
    )
)
REGISTRY.register(
    DocTypeSpec(
        "medical_record",
        MedicalRecord,
        medical.CUES,
        medical.extract_medical,
        medical_tables,
        medical_rows,
        keysets=(ccda.CCDA, CLINICAL_NOTES),
        description=(
            "A record of a patient's care: clinic and discharge notes, consultation letters, operative, radiology "
            "and pathology reports, EHR summaries, referrals."
        ),
    )
)
