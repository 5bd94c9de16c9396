"""Fitting the confidence calibrators, and measuring calibration only on documents a fit has not seen.

Every predicted value scored against gold becomes a ``ValueOutcome`` (its features and whether it was
right). ``fit`` turns the outcomes of a doc type into the logistic calibrator shipped in
``validators/calibrator.json`` (``make calibrate``); ``out_of_fold`` gives each value the probability
a calibrator fitted on the other folds assigns it (folds group whole documents), which is what
``docnorm eval`` reports.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from docnorm.eval.metrics import Bucket, Calibration, ThresholdPoint
from docnorm.validators.confidence import Calibrator, DocTypeCalibrator, Features

FOLDS = 5
CURVE = (0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9)
REGULARISATION = [0.03, 0.1, 0.3, 1.0, 3.0, 10.0]
"""Inverse L2 strengths (scikit-learn's ``C``) the logistic fit chooses among."""


@dataclass(frozen=True)
class ValueOutcome:
    """One predicted value scored against gold."""

    document: str
    doc_type: str
    features: Features
    correct: bool


def fit(outcomes: Sequence[ValueOutcome]) -> DocTypeCalibrator:
    """A logistic calibrator over the outcomes' features (the base rate when they are all right or all wrong)."""
    from sklearn.feature_extraction import DictVectorizer
    from sklearn.linear_model import LogisticRegression, LogisticRegressionCV

    labels = [o.correct for o in outcomes]
    if len(set(labels)) < 2:
        rate = min(max(sum(labels) / len(labels), 0.01), 0.99) if labels else 0.5
        return DocTypeCalibrator(intercept=_logit(rate), coef={}, n=len(labels))
    vectors = DictVectorizer(sparse=False)
    x = vectors.fit_transform([o.features for o in outcomes])
    # The regularisation is chosen on these outcomes alone (internal 3-fold), so a fit on k-1 folds never
    # sees the held-out fold, not even through its hyper-parameter.
    folds = min(3, min(sum(labels), len(labels) - sum(labels)))
    if folds >= 2:
        model = LogisticRegressionCV(
            Cs=REGULARISATION,
            cv=folds,
            scoring="neg_log_loss",
            max_iter=2000,
            l1_ratios=(0.0,),
            use_legacy_attributes=False,
        ).fit(x, labels)
    else:
        model = LogisticRegression(C=1.0, max_iter=2000).fit(x, labels)
    coef = {name: round(float(w), 6) for name, w in zip(vectors.get_feature_names_out(), model.coef_[0], strict=True)}
    return DocTypeCalibrator(intercept=round(float(model.intercept_[0]), 6), coef=coef, n=len(labels))


def out_of_fold(outcomes: Sequence[ValueOutcome], folds: int = FOLDS) -> list[float]:
    """Each value's probability from a calibrator fitted on the folds its document is not in."""
    documents = sorted({o.document for o in outcomes})
    # Documents are dealt to folds in a fixed order (by name), so the figure is reproducible.
    fold_of = {doc: i % folds for i, doc in enumerate(sorted(documents, key=_stable))}
    probabilities = [0.0] * len(outcomes)
    for fold in range(min(folds, len(documents))):
        train = [o for o in outcomes if fold_of[o.document] != fold]
        calibrator = fit(train) if train else DocTypeCalibrator(intercept=0.0, coef={}, n=0)
        for index, outcome in enumerate(outcomes):
            if fold_of[outcome.document] == fold:
                probabilities[index] = calibrator.probability(outcome.features)
    return probabilities


def calibration(
    confidences: Sequence[float], correct: Sequence[bool], threshold: float, measured: str, bins: int = 10
) -> Calibration:
    """ECE, the reliability table, the default threshold's effect and the threshold curve."""
    pairs = list(zip(confidences, correct, strict=True))
    buckets = []
    ece = 0.0
    for b in range(bins):
        low, high = b / bins, (b + 1) / bins
        inside = [(c, ok) for c, ok in pairs if low <= c < high or (b == bins - 1 and c == 1.0)]
        if not inside:
            continue
        mean = sum(c for c, _ in inside) / len(inside)
        accuracy = sum(ok for _, ok in inside) / len(inside)
        ece += len(inside) / len(pairs) * abs(accuracy - mean)
        buckets.append(
            Bucket(low=low, high=high, n=len(inside), confidence=round(mean, 4), accuracy=round(accuracy, 4))
        )
    caught, flagged = _at(pairs, threshold)
    return Calibration(
        n=len(pairs),
        ece=round(ece, 4),
        reliability=buckets,
        threshold=threshold,
        errors_caught=caught,
        correct_flagged=flagged,
        measured=measured,
        curve=[
            ThresholdPoint(threshold=t, errors_caught=_at(pairs, t)[0], correct_flagged=_at(pairs, t)[1]) for t in CURVE
        ],  # fmt: skip
    )


def out_of_fold_calibration(outcomes: Sequence[ValueOutcome], threshold: float, folds: int = FOLDS) -> Calibration:
    """Calibration measured out of fold: k-fold by document within each doc type."""
    confidences: list[float] = []
    correct: list[bool] = []
    for doc_type in sorted({o.doc_type for o in outcomes}):
        of_type = [o for o in outcomes if o.doc_type == doc_type]
        confidences += out_of_fold(of_type, folds)
        correct += [o.correct for o in of_type]
    documents = len({o.document for o in outcomes})
    return calibration(confidences, correct, threshold, f"out of fold ({min(folds, documents)}-fold by document)")


def fit_all(outcomes: Sequence[ValueOutcome]) -> Calibrator:
    """One calibrator per doc type over every outcome, versioned by date and content."""
    fitted = {
        doc_type: fit([o for o in outcomes if o.doc_type == doc_type])
        for doc_type in sorted({o.doc_type for o in outcomes})
    }
    body = json.dumps({k: v.model_dump() for k, v in fitted.items()}, sort_keys=True)
    version = f"{datetime.now(UTC):%Y%m%d}-{hashlib.sha256(body.encode()).hexdigest()[:8]}"
    return Calibrator(version=version, doc_types=fitted)


def _at(pairs: Sequence[tuple[float, bool]], threshold: float) -> tuple[float, float]:
    """Share of wrong values below ``threshold`` (caught) and of right ones (sent to review needlessly)."""
    wrong = [c for c, ok in pairs if not ok]
    right = [c for c, ok in pairs if ok]
    caught = round(sum(c < threshold for c in wrong) / len(wrong), 4) if wrong else 0.0
    flagged = round(sum(c < threshold for c in right) / len(right), 4) if right else 0.0
    return caught, flagged


def _stable(name: str) -> str:
    return hashlib.sha256(name.encode()).hexdigest()


def _logit(p: float) -> float:
    import math

    return math.log(p / (1 - p))
