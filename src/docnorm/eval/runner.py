"""Run the pipeline's parse → classify → extract stages over a gold dataset and score them."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from pathlib import Path

from pydantic import BaseModel

from docnorm.doctypes import REGISTRY, DocTypeRegistry
from docnorm.eval.datasets import load_dataset
from docnorm.eval.metrics import Calibration, CalibrationTally, Score, Tally
from docnorm.parsers.discover import source_uri
from docnorm.schemas.documents import Usage
from docnorm.settings import Settings
from docnorm.stages.extract import extract_documents, make_extractor
from docnorm.stages.parse import parse_documents

ProgressHook = Callable[[int, int], None]
DEFAULT_THRESHOLD = 0.7
"""The threshold whose effect eval reports when DOCNORM_CONFIDENCE_THRESHOLDS sets no "*"."""


class EvalReport(BaseModel):
    """Scores of one extractor on one dataset (the shape of ``docnorm eval --json``)."""

    dataset: str
    layout: str
    extractor: str
    n_docs: int
    micro: Score
    per_key: dict[str, Score]
    groups: dict[str, Score] = {}
    """Micro scores of named key groups (e.g. CUAD's fields apart from its clause flags)."""
    classification_accuracy: float
    confusion: dict[str, dict[str, int]] = {}
    """Gold doc type → chosen doc type ("none" when classification stopped) → documents."""
    failures: int
    """Documents that stopped before extraction (parse or classification), all counted as misses."""
    failure_reasons: dict[str, int]
    usage: Usage
    """LLM calls, tokens and cost spent (zeros for rules; cached answers cost nothing)."""
    calibration: Calibration
    """Confidence against correctness of every predicted value with a confidence."""


def evaluate(
    folder: Path,
    settings: Settings,
    progress: ProgressHook | None = None,
    batch: int = 8,
    registry: DocTypeRegistry = REGISTRY,
) -> EvalReport:
    """Score ``settings.extractor`` on the dataset in ``folder``."""
    layout, docs = load_dataset(folder, registry)
    extractor = make_extractor(settings, registry)
    # Only what the dataset annotates is scored: a field nobody labelled is not a false positive.
    annotated = {key for doc in docs for key in doc.gold}
    tally = Tally()
    calibration = CalibrationTally()
    correct_type = 0
    confusion: dict[str, Counter[str]] = {}
    reasons: Counter[str] = Counter()
    usage = Usage()
    for start in range(0, len(docs), batch):
        chunk = docs[start : start + batch]
        parsed, stopped = parse_documents([d.path for d in chunk], settings)
        extracted, unclassified = extract_documents(parsed, settings, extractor, registry)
        by_uri = {e.parsed.source.source_uri: e for e in extracted}
        usage = sum((e.usage for e in extracted if e.usage), usage)
        reasons.update(r.reasons[0].code for r in [*stopped, *unclassified] if r.reasons)
        for doc in chunk:
            result = by_uri.get(source_uri(doc.path))
            doc_type = result.doc_type if result else None
            correct_type += doc_type == doc.doc_type
            confusion.setdefault(doc.doc_type, Counter())[doc_type or "none"] += 1
            predicted = {
                key: [(layout.align(key, value, doc), c) for value, c in values]
                for key, values in layout.predicted(result.record if result else None, doc_type).items()
                if key in annotated
            }
            tally.add(doc.gold, {key: [v for v, _ in values] for key, values in predicted.items()})
            for key, values in predicted.items():
                for value, confidence in values:
                    if confidence is not None:
                        calibration.add(confidence, value in doc.gold.get(key, []))
        if progress:
            progress(min(start + batch, len(docs)), len(docs))
    return EvalReport(
        dataset=folder.name,
        layout=layout.name,
        extractor=extractor.name,
        n_docs=len(docs),
        micro=tally.micro(),
        per_key=tally.per_key(),
        groups={name: tally.micro(keys) for name, keys in layout.groups.items()},
        confusion={gold: dict(chosen) for gold, chosen in confusion.items()},
        classification_accuracy=round(correct_type / len(docs), 4) if docs else 0.0,
        failures=sum(reasons.values()),
        failure_reasons=dict(reasons),
        usage=usage,
        calibration=calibration.report(settings.confidence_thresholds.get("*", DEFAULT_THRESHOLD)),
    )
