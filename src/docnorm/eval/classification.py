"""Classification measured k-fold: the decision thresholds fitted on some folds, measured on the other.

The cue lists are written by hand, against the dev corpora; what is fitted is where the cue scores
become a decision (DOCNORM_CLASSIFY_MIN_SCORE and _MIN_MARGIN). Each fold's thresholds are chosen on
the other folds to maximise right answers with a wrong type costing ``WRONG_COST`` of them (a document
left unknown goes to review; one given a wrong type does not), then applied to the held-out fold.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass

from pydantic import BaseModel

from docnorm.extractors.classify import decide

FOLDS = 5
WRONG_COST = 10
MIN_SCORES = (1.0, 1.5, 2.0, 2.5, 3.0, 3.5, 4.0, 5.0, 6.0)
MIN_MARGINS = (0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.5)


@dataclass(frozen=True)
class Labelled:
    """One document's gold doc type and its cue scores (empty when it could not be parsed)."""

    name: str
    doc_type: str
    scores: dict[str, float]


class ClassificationKFold(BaseModel):
    """Held-out results of every fold, added up."""

    n: int
    right: int
    wrong: int
    """Documents given another doc type than their gold one: the error that matters."""
    unknown: int
    """Documents left unknown or ambiguous (they go to review)."""
    accuracy: float
    folds: int
    thresholds: list[tuple[float, float]]
    """The (min_score, min_margin) each fold chose on the others."""
    measured: str


def _outcome(doc: Labelled, min_score: float, min_margin: float) -> str:
    chosen = decide(doc.scores, min_score=min_score, min_margin=min_margin) if doc.scores else None
    return "unknown" if chosen is None else ("right" if chosen == doc.doc_type else "wrong")


def fit_thresholds(docs: Sequence[Labelled]) -> tuple[float, float]:
    """The thresholds with the best right − WRONG_COST × wrong on ``docs`` (the strictest among ties)."""
    best: tuple[float, float, float] | None = None
    for min_score in MIN_SCORES:
        for min_margin in MIN_MARGINS:
            outcomes = [_outcome(d, min_score, min_margin) for d in docs]
            value = outcomes.count("right") - WRONG_COST * outcomes.count("wrong")
            if best is None or value >= best[0]:  # the grid ascends: ties go to the stricter thresholds
                best = (value, min_score, min_margin)
    assert best is not None
    return best[1], best[2]


def kfold(docs: Sequence[Labelled], folds: int = FOLDS) -> ClassificationKFold:
    """Fit thresholds on k−1 folds, count right, wrong and unknown on the held-out one, for every fold."""
    order = sorted(docs, key=lambda d: hashlib.sha256(d.name.encode()).hexdigest())
    fold_of = {d.name: i % folds for i, d in enumerate(order)}
    counts = {"right": 0, "wrong": 0, "unknown": 0}
    chosen: list[tuple[float, float]] = []
    for fold in range(min(folds, len(docs))):
        train = [d for d in docs if fold_of[d.name] != fold]
        min_score, min_margin = fit_thresholds(train)
        chosen.append((min_score, min_margin))
        for d in docs:
            if fold_of[d.name] == fold:
                counts[_outcome(d, min_score, min_margin)] += 1
    n = len(docs)
    return ClassificationKFold(
        n=n,
        right=counts["right"],
        wrong=counts["wrong"],
        unknown=counts["unknown"],
        accuracy=round(counts["right"] / n, 4) if n else 0.0,
        folds=min(folds, n),
        thresholds=chosen,
        measured=(
            f"{min(folds, n)}-fold: thresholds fitted on the other folds; the cue lists were written against "
            "these dev corpora, so this is a dev figure, not one on unseen documents"
        ),
    )
