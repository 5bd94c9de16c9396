"""Run the pipeline's parse → classify → extract stages over a gold dataset and score them."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from pathlib import Path

from pydantic import BaseModel, Field

from docnorm.doctypes.discover import registry_for
from docnorm.doctypes.registry import DocTypeRegistry
from docnorm.eval.calibration import ValueOutcome, out_of_fold_calibration
from docnorm.eval.datasets import load_dataset
from docnorm.eval.metrics import Calibration, Score, Tally
from docnorm.extractors.classify import cue_scores
from docnorm.parsers.discover import source_uri
from docnorm.schemas.documents import Usage
from docnorm.settings import Settings
from docnorm.stages.extract import extract_documents, make_extractor
from docnorm.stages.parse import parse_documents
from docnorm.stages.run import worker_pool
from docnorm.stages.validate import validate_documents
from docnorm.validators.confidence import features
from docnorm.validators.options import ValidationOptions
from docnorm.validators.provenance import record_facts

ProgressHook = Callable[[int, int], None]
DEFAULT_THRESHOLD = 0.7
"""The threshold whose effect eval reports when DOCNORM_CONFIDENCE_THRESHOLDS sets no "*"."""


class DocumentScore(BaseModel):
    """One document's gold and predicted values, as written and as compared, so anyone can re-score it."""

    file: str
    doc_type: str
    """The gold doc type."""
    chosen: str | None
    """The doc type the pipeline chose (None when it stopped before)."""
    gold: dict[str, list[str]]
    """Gold values as the dataset writes them."""
    gold_compared: dict[str, list[str]]
    predicted: dict[str, list[str]]
    """Predicted values as extracted (in the dataset's format for a Kleister-layout family)."""
    predicted_compared: dict[str, list[str]]
    """Predicted values in the form the metric compares them in."""
    cue_scores: dict[str, float] = {}
    """Each doc type's classification cue score (empty when the document could not be parsed)."""


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
    """Calibrated confidence against correctness of every predicted value, measured out of fold."""
    documents: list[DocumentScore] = []
    """Per document: gold and predicted values as written and as compared."""
    outcomes: list[ValueOutcome] = Field(default=[], exclude=True)
    """Every scored value's features and correctness (what ``make calibrate`` fits on); not in the JSON."""


def evaluate(
    folder: Path,
    settings: Settings,
    progress: ProgressHook | None = None,
    batch: int | None = None,
    registry: DocTypeRegistry | None = None,
) -> EvalReport:
    """Score ``settings.extractor`` on the dataset in ``folder`` (doc types: ``registry``, by default the
    built-in ones, installed plugins and DOCNORM_DOCTYPES)."""
    registry = registry if registry is not None else registry_for(settings)
    batch = batch or max(8, 4 * settings.parse_workers)
    layout, docs = load_dataset(folder, registry)
    extractor = make_extractor(settings, registry)
    options = ValidationOptions(balance_tolerance=settings.balance_tolerance)
    cues = {spec.name: spec.cues for spec in registry}
    # Only what the dataset annotates is scored: a field nobody labelled is not a false positive.
    annotated = {key for doc in docs for key in doc.gold}
    tally = Tally()
    outcomes: list[ValueOutcome] = []
    correct_type = 0
    confusion: dict[str, Counter[str]] = {}
    reasons: Counter[str] = Counter()
    usage = Usage()
    documents: list[DocumentScore] = []
    # Parsing and rules extraction in the run's worker processes, with its limits: every core is used.
    with worker_pool(settings) as pool:
        for start in range(0, len(docs), batch):
            chunk = docs[start : start + batch]
            parsed, stopped = parse_documents([d.path for d in chunk], settings, pool=pool)
            extracted, unclassified = extract_documents(parsed, settings, extractor, registry, pool)
            # Whether a record passed its checks is a signal of its confidence, as in a run.
            _, failed = validate_documents(extracted, options, registry)
            failed_ids = {r.doc_id for r in failed}
            by_uri = {e.parsed.source.source_uri: e for e in extracted}
            scores_by_uri = {p.source.source_uri: cue_scores(p, cues)[0] for p in parsed}
            usage = sum((e.usage for e in extracted if e.usage), usage)
            reasons.update(r.reasons[0].code for r in [*stopped, *unclassified] if r.reasons)
            for doc in chunk:
                result = by_uri.get(source_uri(doc.path))
                doc_type = result.doc_type if result else None
                correct_type += doc_type == doc.doc_type
                confusion.setdefault(doc.doc_type, Counter())[doc_type or "none"] += 1
                as_extracted = {
                    key: values
                    for key, values in layout.predicted(result.record if result else None, doc_type).items()
                    if key in annotated
                }
                predicted = {
                    key: [(layout.align(key, layout.compare(key, value), doc), c) for value, c in values]
                    for key, values in as_extracted.items()
                }
                tally.add(doc.gold, {key: [v for v, _ in values] for key, values in predicted.items()})
                documents.append(
                    DocumentScore(
                        file=doc.path.name,
                        doc_type=doc.doc_type,
                        chosen=doc_type,
                        gold=doc.written,
                        gold_compared=doc.gold,
                        predicted={key: [v for v, _ in values] for key, values in as_extracted.items()},
                        predicted_compared={key: [v for v, _ in values] for key, values in predicted.items()},
                        cue_scores=scores_by_uri.get(source_uri(doc.path), {}),
                    )
                )
                passed = result is not None and result.parsed.source.doc_id not in failed_ids
                # The record field each value came from, found by its evidence (a dataset's key can merge fields).
                field_of = {f.evidence: f.field for f in record_facts(result.record) if f.evidence} if result else {}
                for key, values in as_extracted.items():
                    for (value, evidence), (compared, _) in zip(values, predicted[key], strict=True):
                        outcomes.append(
                            ValueOutcome(
                                document=doc.path.name,
                                doc_type=doc_type or doc.doc_type,
                                features=features(
                                    value,
                                    evidence,
                                    passed_checks=passed,
                                    field=field_of.get(evidence) if evidence else None,
                                ),
                                correct=compared in doc.gold.get(key, []),
                            )
                        )
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
        calibration=out_of_fold_calibration(outcomes, settings.confidence_thresholds.get("*", DEFAULT_THRESHOLD)),
        documents=documents,
        outcomes=outcomes,
    )
