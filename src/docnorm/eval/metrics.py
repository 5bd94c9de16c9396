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

    def micro(self) -> Score:
        """The micro average over all key=value pairs."""
        return _score(sum(self.hits.values()), sum(self.predicted.values()), sum(self.gold.values()))


def _score(hits: int, predicted: int, gold: int) -> Score:
    precision = hits / predicted if predicted else 0.0
    recall = hits / gold if gold else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return Score(precision=round(precision, 4), recall=round(recall, 4), f1=round(f1, 4), support=gold)
