"""Medical records as rows of medical_records and its child tables. All columns are PHI."""

from __future__ import annotations

import pyarrow as pa

from docnorm.schemas.medical import MedicalRecord
from docnorm.schemas.tables import Column, Row, TableSpec, quote_of, value_of
from docnorm.validators import checks
from docnorm.validators.options import ValidationOptions


def medical_tables(options: ValidationOptions) -> list[TableSpec]:
    """The curated tables of the medical record doc type and their checks."""
    del options
    return [
        TableSpec(
            "medical_records",
            [
                Column("document_type", pa.string()),
                Column("patient_name", pa.string()),
                Column("sex", pa.string()),
                Column("birth_date", pa.date32()),
                Column("birth_date_text", pa.string()),
                Column("mrn", pa.string()),
                Column("encounter_date", pa.date32()),
                Column("encounter_date_text", pa.string()),
                Column("provider", pa.string()),
                Column("chief_complaint", pa.string()),
                Column("plan", pa.string()),
            ],
            checks=[
                checks.date_parses("birth_date"),
                checks.date_parses("encounter_date"),
                checks.ordered("birth_date", "encounter_date"),
            ],
        ),
        TableSpec(
            "medical_diagnoses",
            [
                Column("position", pa.int32()),
                Column("text", pa.string()),
                Column("icd10_code", pa.string(), [checks.icd10cm_exists()]),
                Column("code", pa.string()),
                Column("code_system", pa.string()),
            ],
        ),
        TableSpec(
            "medical_medications",
            [
                Column("position", pa.int32()),
                Column("name", pa.string()),
                Column("strength", pa.string()),
                Column("form", pa.string()),
                Column("dose", pa.string()),
                Column("route", pa.string()),
                Column("frequency", pa.string()),
            ],
        ),
        TableSpec("medical_allergies", [Column("position", pa.int32()), Column("substance", pa.string())]),
        TableSpec("medical_immunizations", [Column("position", pa.int32()), Column("vaccine", pa.string())]),
        TableSpec(
            "medical_vitals",
            [
                Column("position", pa.int32()),
                Column("name", pa.string()),
                Column("value", pa.string()),
                Column("unit", pa.string()),
            ],
        ),
    ]


def medical_rows(record: MedicalRecord) -> dict[str, list[Row]]:
    """Flatten one medical record into its tables' rows (without lineage)."""
    patient = record.patient
    return {
        "medical_records": [
            {
                "document_type": value_of(record.document_type),
                "patient_name": value_of(patient.name),
                "sex": value_of(patient.sex),
                "birth_date": value_of(patient.birth_date),
                "birth_date_text": quote_of(patient.birth_date),
                "mrn": value_of(patient.mrn),
                "encounter_date": value_of(record.encounter_date),
                "encounter_date_text": quote_of(record.encounter_date),
                "provider": value_of(record.provider),
                "chief_complaint": value_of(record.chief_complaint),
                "plan": value_of(record.plan),
            }
        ],
        "medical_diagnoses": [
            {"position": i, "text": d.text, "icd10_code": d.icd10_code, "code": d.code, "code_system": d.code_system}
            for i, d in enumerate(record.diagnoses)
        ],
        "medical_medications": [
            {
                "position": i,
                "name": m.name,
                "strength": m.strength,
                "form": m.form,
                "dose": m.dose,
                "route": m.route,
                "frequency": m.frequency,
            }
            for i, m in enumerate(record.medications)
        ],
        "medical_allergies": [{"position": i, "substance": a.value} for i, a in enumerate(record.allergies)],
        "medical_immunizations": [{"position": i, "vaccine": m.vaccine} for i, m in enumerate(record.immunizations)],
        "medical_vitals": [
            {"position": i, "name": v.name, "value": v.value, "unit": v.unit} for i, v in enumerate(record.vitals)
        ],
    }
