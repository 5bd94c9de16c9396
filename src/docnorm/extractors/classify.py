"""Rule-based classification: weighted cue phrases per doc type, with a confidence and the cues that decided it."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from docnorm.schemas.documents import Classification, ParsedDocument
from docnorm.schemas.errors import ClassificationError

_MAX_HITS_PER_CUE = 3
_HEAD_CHARS = 20_000


@dataclass(frozen=True)
class Cue:
    """A phrase that speaks for a doc type; each hit adds ``weight`` (up to three hits)."""

    name: str
    pattern: str
    weight: float = 1.0
    _regex: re.Pattern[str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_regex", re.compile(self.pattern, re.IGNORECASE))

    def hits(self, text: str) -> int:
        """How many times the cue occurs, capped so one repeated word cannot decide alone."""
        return min(len(self._regex.findall(text)), _MAX_HITS_PER_CUE)


def cue_scores(doc: ParsedDocument, cues: Mapping[str, Sequence[Cue]]) -> tuple[dict[str, float], dict[str, list[str]]]:
    """Every doc type's cue score on the head of the document, and the names of its cues that matched."""
    head = doc.text[:_HEAD_CHARS]
    scores: dict[str, float] = {}
    matched: dict[str, list[str]] = {}
    for doc_type, type_cues in cues.items():
        hits = [(cue, cue.hits(head)) for cue in type_cues]
        scores[doc_type] = round(sum(cue.weight * n for cue, n in hits), 3)
        matched[doc_type] = [cue.name for cue, n in hits if n]
    return scores, matched


def decide(scores: Mapping[str, float], *, min_score: float, min_margin: float) -> str | None:
    """The doc type the scores choose, or None when none scores ``min_score`` or the lead is under ``min_margin``."""
    ranked = sorted(scores.items(), key=lambda item: item[1], reverse=True)
    if not ranked or ranked[0][1] < min_score:
        return None
    runner_up = ranked[1][1] if len(ranked) > 1 else 0.0
    return ranked[0][0] if (ranked[0][1] - runner_up) / sum(scores.values()) >= min_margin else None


def classify(
    doc: ParsedDocument, cues: Mapping[str, Sequence[Cue]], *, min_score: float, min_margin: float
) -> Classification:
    """Score every doc type on the head of the document and pick the winner, if clear.

    The confidence is the winner's share of the total score. Raises ClassificationError
    (``unknown_type`` or ``ambiguous_type``) when no type scores ``min_score`` or the
    winner leads the runner-up by less than ``min_margin`` of the total.
    """
    scores, matched = cue_scores(doc, cues)
    ranked = sorted(scores.items(), key=lambda item: item[1], reverse=True)
    if not ranked or ranked[0][1] < min_score:
        best = ranked[0][1] if ranked else 0.0
        raise ClassificationError("unknown_type", f"no doc type scored {min_score} (best {best})")
    total = sum(scores.values())
    (winner, top), runner_up = ranked[0], ranked[1][1] if len(ranked) > 1 else 0.0
    if (top - runner_up) / total < min_margin:
        raise ClassificationError(
            "ambiguous_type", f"{winner} leads {ranked[1][0]} by {top - runner_up} of {total} points"
        )
    return Classification(doc_type=winner, confidence=round(top / total, 3), scores=scores, cues=matched[winner])
