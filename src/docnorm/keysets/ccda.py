"""The C-CDA clinical-summary gold keys, read off docnorm's MedicalRecord.

Values compare as lower-case alphanumeric words. A list item also matches by the other
spellings its gold entry records (the coded display name, the narrative text, the code):
vendors show "Essential hypertension" in one place and "Hypertension, essential" in another.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from pydantic import BaseModel

from docnorm.keysets.base import KeySet, KeyValues
from docnorm.schemas.medical import MedicalRecord

KEYS = frozenset(
    {"patient_name", "birth_date", "sex", "document_type", "problem", "medication", "allergy", "immunization"}
)
_LISTS = {"problems": "problem", "medications": "medication", "allergies": "allergy", "immunizations": "immunization"}
_ALTERNATIVES = ("value", "display_name", "narrative_text", "code")


def normalise(key: str, value: str) -> str:
    """Lower-case alphanumeric words joined by ``_`` (dates and codes keep their digits and dashes)."""
    text = value.replace("_", " ").lower()
    if key == "birth_date":
        return text.strip()
    return "_".join(re.findall(r"[a-z0-9]+", text))


def aliases(folder: Path) -> dict[str, dict[str, dict[str, str]]]:
    """Per document and list key: each alternative spelling of a gold item → the item's gold value."""
    out: dict[str, dict[str, dict[str, str]]] = {}
    path = folder / "gold.jsonl"
    if not path.is_file():
        return out
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        entry = json.loads(line)
        per_key = out.setdefault(f"{entry['id']}.html", {})
        for field, key in _LISTS.items():
            for item in entry.get(field) or []:
                gold = normalise(key, str(item["value"]))
                for name in _ALTERNATIVES:
                    if item.get(name):
                        per_key.setdefault(key, {}).setdefault(normalise(key, str(item[name])), gold)
    return out


def medical_keys(record: BaseModel) -> KeyValues:
    """The gold keys of a MedicalRecord, each value with its evidence."""
    assert isinstance(record, MedicalRecord)
    keys: KeyValues = {}
    patient = record.patient
    for key, field in (
        ("patient_name", patient.name),
        ("sex", patient.sex),
        ("document_type", record.document_type),
    ):
        if field is not None and field.value:
            keys[key] = [(field.value, field.evidence)]
    if patient.birth_date is not None and patient.birth_date.value is not None:
        birth = patient.birth_date
        keys["birth_date"] = [(birth.value.isoformat(), birth.evidence)]  # type: ignore[union-attr]
    lists = {
        "problem": [(d.text, d.evidence) for d in record.diagnoses],
        "medication": [(m.name, m.evidence) for m in record.medications],
        "allergy": [(a.value, a.evidence) for a in record.allergies if a.value],
        "immunization": [(i.vaccine, i.evidence) for i in record.immunizations],
    }
    for key, items in lists.items():
        if items:
            keys[key] = [(text, evidence) for text, evidence in items]
    return keys


CCDA = KeySet("ccda-medical", KEYS, medical_keys, normalise, aliases=aliases)
