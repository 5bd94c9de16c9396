"""Contract records as rows of contracts, contract_parties, contract_amounts and contract_signatories."""

from __future__ import annotations

import pyarrow as pa

from docnorm.schemas.contract import Contract
from docnorm.schemas.names import canonical_name
from docnorm.schemas.tables import MONEY, Column, Row, TableSpec, quote_of, value_of
from docnorm.validators import checks
from docnorm.validators.options import ValidationOptions


def contract_tables(options: ValidationOptions) -> list[TableSpec]:
    """The curated tables of the contract doc type and their checks."""
    del options  # contracts have no tolerance-based checks
    return [
        TableSpec(
            "contracts",
            [
                Column("title", pa.string()),
                Column("agreement_date", pa.date32()),
                Column("agreement_date_text", pa.string()),
                Column("effective_date", pa.date32()),
                Column("effective_date_text", pa.string()),
                Column("end_date", pa.date32()),
                Column("end_date_text", pa.string()),
                Column("term_months", pa.int32(), [checks.positive()]),
                Column("governing_law", pa.string()),
                Column("auto_renewal", pa.bool_()),
                Column("termination_notice_days", pa.int32(), [checks.not_negative()]),
                Column("renewal_term", pa.string()),
                Column("renewal_notice", pa.string()),
                Column("perpetual", pa.bool_()),
                Column("party_count", pa.int32()),
                Column("clause_count", pa.int32()),
            ],
            checks=[
                checks.date_parses("effective_date"),
                checks.date_parses("end_date"),
                checks.date_parses("agreement_date"),
                checks.ordered("effective_date", "end_date"),
            ],
        ),
        TableSpec(
            "contract_parties",
            [
                Column("position", pa.int32()),
                Column("name", pa.string()),
                Column("role", pa.string()),
                Column("name_canonical", pa.string()),
            ],
        ),
        TableSpec(
            "contract_amounts",
            [
                Column("position", pa.int32()),
                Column("amount", MONEY),
                Column("currency", pa.string(), [checks.iso4217()]),
            ],
        ),
        TableSpec(
            "contract_signatories",
            [Column("position", pa.int32()), Column("name", pa.string()), Column("title", pa.string())],
        ),
        TableSpec("contract_clauses", [Column("position", pa.int32()), Column("clause_type", pa.string())]),
    ]


def contract_rows(record: Contract) -> dict[str, list[Row]]:
    """Flatten one contract into its tables' rows (without lineage)."""
    return {
        "contracts": [
            {
                "title": value_of(record.title),
                "agreement_date": value_of(record.agreement_date),
                "agreement_date_text": quote_of(record.agreement_date),
                "effective_date": value_of(record.effective_date),
                "effective_date_text": quote_of(record.effective_date),
                "end_date": value_of(record.end_date),
                "end_date_text": quote_of(record.end_date),
                "term_months": value_of(record.term_months),
                "governing_law": value_of(record.governing_law),
                "auto_renewal": value_of(record.auto_renewal),
                "termination_notice_days": value_of(record.termination_notice_days),
                "renewal_term": value_of(record.renewal_term),
                "renewal_notice": value_of(record.renewal_notice),
                "perpetual": value_of(record.perpetual),
                "party_count": len(record.parties),
                "clause_count": len(record.clauses),
            }
        ],
        "contract_parties": [
            {"position": i, "name": p.name, "role": p.role, "name_canonical": canonical_name(p.name)}
            for i, p in enumerate(record.parties)
        ],
        "contract_amounts": [
            {"position": i, "amount": m.amount, "currency": m.currency} for i, m in enumerate(record.amounts)
        ],
        "contract_signatories": [
            {"position": i, "name": s.name, "title": s.title} for i, s in enumerate(record.signatories)
        ],
        "contract_clauses": [{"position": i, "clause_type": c.kind} for i, c in enumerate(record.clauses)],
    }
