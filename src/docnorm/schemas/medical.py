"""Medical records. Every field here is protected health information (PHI)."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, Field

from docnorm.schemas.evidence import IN_QUOTE, Evidence, Extracted


class Patient(BaseModel):
    """Who the record is about. PHI: never log or put in messages."""

    name: Extracted[str] | None = Field(default=None, json_schema_extra=IN_QUOTE)
    birth_date: Extracted[date] | None = None
    mrn: Extracted[str] | None = Field(default=None, description="Medical record number.", json_schema_extra=IN_QUOTE)
    sex: Extracted[str] | None = Field(default=None, description="Administrative sex as F, M or U (unknown).")


class Diagnosis(BaseModel):
    """A diagnosis or problem with its ICD-10-CM code when the document gives one."""

    text: str = Field(description="The diagnosis as written.", json_schema_extra=IN_QUOTE)
    icd10_code: str | None = Field(default=None, description="ICD-10-CM code, e.g. E11.9.")
    code: str | None = Field(default=None, description="The code the document shows for it, in any code system.")
    code_system: str | None = Field(default=None, description="The code's system when shown, e.g. SNOMED CT.")
    evidence: Evidence | None = None


class Medication(BaseModel):
    """A medication with dose, route and frequency as written."""

    name: str = Field(description="The medication name as written.", json_schema_extra=IN_QUOTE)
    strength: str | None = Field(default=None, description="Strength as written, e.g. 500 mg or 100 MG/ML.")
    form: str | None = Field(default=None, description="Dose form as written, e.g. oral tablet.")
    dose: str | None = None
    route: str | None = None
    frequency: str | None = None
    evidence: Evidence | None = None


class Immunization(BaseModel):
    """A vaccine the patient received (or was recorded for), as written."""

    vaccine: str = Field(description="The vaccine as written.", json_schema_extra=IN_QUOTE)
    evidence: Evidence | None = None


class Vital(BaseModel):
    """One vital sign measurement."""

    name: str = Field(description="e.g. blood_pressure, heart_rate, temperature.")
    value: str
    unit: str | None = None
    evidence: Evidence | None = None


class MedicalRecord(BaseModel):
    """A clinical note or visit summary."""

    document_type: Extracted[str] | None = Field(
        default=None,
        description="Kind of clinical document, e.g. continuity_of_care_document, referral_note, discharge_summary.",
    )
    patient: Patient = Field(default_factory=Patient)
    encounter_date: Extracted[date] | None = None
    provider: Extracted[str] | None = None
    chief_complaint: Extracted[str] | None = None
    diagnoses: list[Diagnosis] = Field(default_factory=list)
    medications: list[Medication] = Field(default_factory=list)
    allergies: list[Extracted[str]] = Field(default_factory=list, description="Allergy substances as written.")
    immunizations: list[Immunization] = Field(default_factory=list)
    vitals: list[Vital] = Field(default_factory=list)
    plan: Extracted[str] | None = None
