"""Field confidence from signals the pipeline already has — never a number a model is asked for.

Signals: how the value was found (the extraction method, whose prior is its accuracy
measured on the dev gold sets by ``benchmarks/eval_report.py``), whether its quote was
verified in the source, whether the value normalised, and whether the record passed
its table checks. ``docnorm eval`` reports how well these confidences are calibrated.
"""

from __future__ import annotations

from typing import Any

from docnorm.schemas.evidence import Evidence

# Accuracy of each extraction method on the dev gold sets (kleister-nda and examples/gold),
# rounded; a method not listed gets DEFAULT_PRIOR. Re-measure with `make eval` when rules change.
METHOD_PRIORS: dict[str | None, float] = {
    "label": 0.95,
    "pattern": 0.9,
    "dated_phrase": 0.8,
    "top_of_document": 0.4,
    "witness_clause": 0.5,
    "preamble": 0.95,
    "signature_block": 0.75,
    "law_context_4": 1.0,
    "law_context_3": 1.0,
    "law_context_2": 0.9,
    "term_clause": 0.6,
    "expiry_clause": 0.5,
    "section_item": 0.95,
    "vital_pattern": 0.9,
    "statement_row": 0.95,
    "llm": 0.8,
}
DEFAULT_PRIOR = 0.7
UNVERIFIED = 0.5
NO_EVIDENCE = 0.4
FAILED_CHECKS = 0.6


def field_confidence(value: Any, evidence: Evidence | None, *, passed_checks: bool = True) -> float:
    """Confidence in [0, 1] that ``value`` is right, from its evidence and the record's checks."""
    if value is None:
        return 0.0
    confidence = METHOD_PRIORS.get(evidence.method if evidence else None, DEFAULT_PRIOR)
    if evidence is None:
        confidence *= NO_EVIDENCE
    elif not evidence.verified:
        confidence *= UNVERIFIED
    if not passed_checks:
        confidence *= FAILED_CHECKS
    return round(confidence, 4)
