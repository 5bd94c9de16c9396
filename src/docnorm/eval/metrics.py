"""Precision, recall and F1 over key=value pairs, per key and micro-averaged."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping

from pydantic import BaseModel


class Score(BaseModel):
    """P/R/F1 of one key (or of all keys, micro-averaged) with the gold count as support."""

    precision: float
    recall: float
    f1: float
    support: int


class Tally:
    """True positives, predictions and gold items per key, added document by document."""

    def __init__(self) -> None:
        self.hits: Counter[str] = Counter()
        self.predicted: Counter[str] = Counter()
        self.gold: Counter[str] = Counter()

    def add(self, gold: Mapping[str, Iterable[str]], predicted: Mapping[str, Iterable[str]]) -> None:
        """Score one document: each key's values are compared as sets."""
        for key in set(gold) | set(predicted):
            want, got = set(gold.get(key, ())), set(predicted.get(key, ()))
            self.hits[key] += len(want & got)
            self.gold[key] += len(want)
            self.predicted[key] += len(got)

    def per_key(self) -> dict[str, Score]:
        """Scores of every key seen in gold or predictions, sorted by key."""
        return {
            key: _score(self.hits[key], self.predicted[key], self.gold[key])
            for key in sorted(self.gold | self.predicted)
        }

    def micro(self, keys: Iterable[str] | None = None) -> Score:
        """The micro average over all key=value pairs, or over those of ``keys``."""
        chosen = set(keys) if keys is not None else set(self.gold | self.predicted)
        return _score(
            sum(self.hits[k] for k in chosen), sum(self.predicted[k] for k in chosen), sum(self.gold[k] for k in chosen)
        )


def _score(hits: int, predicted: int, gold: int) -> Score:
    precision = hits / predicted if predicted else 0.0
    recall = hits / gold if gold else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return Score(precision=round(precision, 4), recall=round(recall, 4), f1=round(f1, 4), support=gold)


class Bucket(BaseModel):
    """One bar of a reliability table."""

    low: float
    high: float
    n: int
    confidence: float
    accuracy: float


class ThresholdPoint(BaseModel):
    """What routing values below one threshold to review would do."""

    threshold: float
    errors_caught: float
    correct_flagged: float


class Calibration(BaseModel):
    """How well confidences match accuracy, and what a threshold would route to review."""

    n: int
    ece: float
    """Expected calibration error: Σ (n_b / n) · |accuracy_b − confidence_b| over 10 buckets."""
    reliability: list[Bucket]
    threshold: float
    errors_caught: float
    """Share of wrong values whose confidence is below the threshold (they would go to review)."""
    correct_flagged: float
    """Share of right values below the threshold (sent to review needlessly)."""
    measured: str = ""
    """How the confidences were obtained, e.g. out of fold (5-fold by document)."""
    curve: list[ThresholdPoint] = []
    """errors_caught and correct_flagged at other thresholds."""


def combine_confusion(tables: Iterable[Mapping[str, Mapping[str, int]]]) -> dict[str, dict[str, int]]:
    """Confusion tables (gold → chosen → count) added together."""
    total: dict[str, Counter[str]] = {}
    for table in tables:
        for gold, row in table.items():
            total.setdefault(gold, Counter()).update(row)
    return {gold: dict(row) for gold, row in total.items()}
