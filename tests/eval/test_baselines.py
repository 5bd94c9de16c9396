"""Figures that cannot drift: a lower score is recorded only with a reason, and the score table in
docs/evaluation.md is the one the baselines file renders."""

from __future__ import annotations

import pytest

from docnorm.eval.baselines import TABLE_END, TABLE_START, load, render_table, update, with_table
from docnorm.eval.metrics import Calibration, Score
from docnorm.eval.runner import EvalReport
from docnorm.schemas.documents import Usage
from docnorm.schemas.errors import ConfigError
from tests.conftest import ROOT


def _report(f1: float) -> EvalReport:
    score = Score(precision=f1, recall=f1, f1=f1, support=10)
    calibration = Calibration(n=0, ece=0.0, reliability=[], threshold=0.7, errors_caught=0.0, correct_flagged=0.0)
    return EvalReport(dataset="d", layout="kleister", extractor="rules", n_docs=3, micro=score, per_key={"party": score},
                      classification_accuracy=1.0, failures=0, failure_reasons={}, usage=Usage(),
                      calibration=calibration)  # fmt: skip


BASE = {"nda": {"path": "x", "kind": "dev", "description": "d", "score": 0.8}}


def test_a_higher_score_is_recorded() -> None:
    assert update(BASE, {"nda": _report(0.85)})["nda"]["score"] == 0.85


def test_a_lower_score_is_refused_without_a_reason() -> None:
    with pytest.raises(ConfigError, match="nda 0.8 → 0.7.*--allow-lower"):
        update(BASE, {"nda": _report(0.7)})


def test_a_lower_score_with_a_reason_keeps_the_reason() -> None:
    updated = update(BASE, {"nda": _report(0.7)}, allow_lower="the metric is now the dataset's own", today="2026-12-05")
    assert updated["nda"]["score"] == 0.7
    assert updated["nda"]["history"] == [
        {"date": "2026-12-05", "from": 0.8, "to": 0.7, "reason": "the metric is now the dataset's own"}
    ]


def test_the_evaluation_page_shows_the_recorded_figures_and_how_each_was_measured() -> None:
    baselines = load(ROOT / "benchmarks" / "eval_baselines.json")
    page = (ROOT / "docs" / "evaluation.md").read_text(encoding="utf-8")
    assert TABLE_START in page and TABLE_END in page
    assert with_table(page, baselines) == page, "run `make eval EVAL_ARGS=--update` to regenerate the table"
    table = render_table(baselines)
    for entry in baselines.values():
        assert entry["kind"] in {"dev", "synthetic"}
    assert all(f"| {entry['kind']} |" in table for entry in baselines.values())
