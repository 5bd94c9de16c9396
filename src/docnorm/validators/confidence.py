"""Field confidence: a calibrated probability that a value is right, from signals the pipeline has.

Never a number a model is asked for. Signals: the record field, how the value was found (the extraction method),
whether its quote was verified in the source, whether it has evidence at all, whether the record
passed its table checks, and the value's shape. A logistic calibrator per doc type, fitted on the
dev gold by ``make calibrate`` (docnorm.eval.calibration), turns them into a probability; its
coefficients ship as ``calibrator.json`` and its version is stamped on every curated row.
A doc type without a fitted calibrator (a plugin, say) gets the heuristic prior below, and the
lineage says ``uncalibrated``.
"""

from __future__ import annotations

import json
import math
import re
from functools import cache
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from docnorm.schemas.evidence import Evidence

CALIBRATOR_FILE = Path(__file__).with_name("calibrator.json")
UNCALIBRATED = "uncalibrated"

# The heuristic used where no calibrator is fitted: a prior per method, discounted for missing or
# unverified evidence and failed checks.
METHOD_PRIORS: dict[str | None, float] = {
    "label": 0.95,
    "pattern": 0.9,
    "preamble": 0.9,
    "section_item": 0.9,
    "statement_row": 0.9,
    "llm": 0.8,
}
DEFAULT_PRIOR = 0.7
UNVERIFIED = 0.5
NO_EVIDENCE = 0.4
FAILED_CHECKS = 0.6

Features = dict[str, float]
_CODE = re.compile(r"[a-z][a-z0-9]*(?:_[a-z0-9]+)+")
_LEGAL_SUFFIX = re.compile(
    r"\b(?:inc|incorporated|corp|corporation|co|company|llc|l\.l\.c|ltd|limited|lp|l\.p|llp|plc|ag|gmbh|s\.a|n\.v)\.?$",
    re.IGNORECASE,
)


def features(
    value: Any, evidence: Evidence | None, *, passed_checks: bool = True, field: str | None = None
) -> Features:
    """The signals of one value as named numbers (a method becomes ``method=<name>``, the record field it
    fills ``field=<dotted path>``)."""
    # The shape of what the value was read from: the same text whichever way the value is written later.
    text = evidence.quote if evidence is not None else str(getattr(value, "value", value))
    digits = sum(ch.isdigit() for ch in text)
    words = text.split()
    code = str(getattr(value, "value", value))
    method = evidence.method if evidence and evidence.method else "none"
    return {
        f"field={field or 'unknown'}": 1.0,
        # How reliable a method is depends on the field it reads (a date "at the top" vs a party there).
        f"field={field or 'unknown'}&method={method}": 1.0,
        # A value from a closed vocabulary (an enum-like code such as a clause type) weighs on its own.
        **({f"value={code}": 1.0} if _CODE.fullmatch(code) else {}),
        "legal_suffix": float(bool(_LEGAL_SUFFIX.search(text))),
        "capitalised_share": sum(w[:1].isupper() for w in words) / len(words) if words else 0.0,
        f"method={method}": 1.0,
        "verified": float(bool(evidence and evidence.verified)),
        "no_evidence": float(evidence is None),
        "failed_checks": float(not passed_checks),
        "log_length": math.log1p(len(text)) / 5,
        "digit_share": digits / len(text) if text else 0.0,
        "words": min(len(text.split()), 10) / 10,
    }


class DocTypeCalibrator(BaseModel):
    """A logistic model over named features: P(right) = σ(intercept + Σ coef[f] · x[f])."""

    intercept: float
    coef: dict[str, float]
    n: int
    """Values it was fitted on."""

    def probability(self, x: Features) -> float:
        """The calibrated probability for features ``x`` (features it was not fitted on weigh nothing)."""
        z = self.intercept + sum(self.coef.get(name, 0.0) * value for name, value in x.items())
        return 1.0 / (1.0 + math.exp(-z))


class Calibrator(BaseModel):
    """The fitted calibrators of every doc type that has dev gold, under one version."""

    version: str
    doc_types: dict[str, DocTypeCalibrator]


@cache
def shipped() -> Calibrator:
    """The calibrator that ships with docnorm (read once per process; it does not change at run time)."""
    if not CALIBRATOR_FILE.exists():
        return Calibrator(version=UNCALIBRATED, doc_types={})
    return Calibrator.model_validate(json.loads(CALIBRATOR_FILE.read_text(encoding="utf-8")))


def calibrator_version(doc_type: str | None = None) -> str:
    """The version stamped on a doc type's rows: the shipped calibrator's, or ``uncalibrated``."""
    calibrator = shipped()
    if doc_type is not None and doc_type not in calibrator.doc_types:
        return UNCALIBRATED
    return calibrator.version


def field_confidence(
    value: Any,
    evidence: Evidence | None,
    *,
    passed_checks: bool = True,
    doc_type: str | None = None,
    field: str | None = None,
) -> float:
    """Confidence in [0, 1] that ``value`` is right: calibrated for ``doc_type`` when it has a calibrator."""
    if value is None:
        return 0.0
    fitted = shipped().doc_types.get(doc_type) if doc_type is not None else None
    if fitted is not None:
        return round(fitted.probability(features(value, evidence, passed_checks=passed_checks, field=field)), 4)
    return prior_confidence(evidence, passed_checks=passed_checks)


def prior_confidence(evidence: Evidence | None, *, passed_checks: bool = True) -> float:
    """The heuristic where no calibrator is fitted (see the module docstring)."""
    confidence = METHOD_PRIORS.get(evidence.method if evidence else None, DEFAULT_PRIOR)
    if evidence is None:
        confidence *= NO_EVIDENCE
    elif not evidence.verified:
        confidence *= UNVERIFIED
    if not passed_checks:
        confidence *= FAILED_CHECKS
    return round(confidence, 4)
