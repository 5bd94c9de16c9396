"""Micro and per-key P/R/F1 over key=value pairs, values compared as sets per document."""

from __future__ import annotations

from docnorm.eval.metrics import Tally


def test_multi_valued_keys_score_as_sets_and_micro_pools_all_pairs() -> None:
    tally = Tally()
    tally.add({"party": ["A", "B"], "date": ["2020-01-01"]}, {"party": ["B", "C", "C"], "date": ["2020-01-01"]})
    tally.add({"party": ["D"]}, {})
    party = tally.per_key()["party"]
    assert (party.precision, party.recall, party.support) == (0.5, 0.3333, 3)
    micro = tally.micro()
    assert (micro.precision, micro.recall, micro.f1) == (0.6667, 0.5, 0.5714)


def test_nothing_predicted_scores_zero_not_an_error() -> None:
    tally = Tally()
    tally.add({"k": ["v"]}, {})
    assert tally.micro().f1 == 0.0 and tally.micro().support == 1
