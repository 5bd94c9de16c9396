"""docnorm eval parses and extracts in the run's worker processes, under the run's limits."""

from __future__ import annotations

from pathlib import Path

from docnorm.eval.runner import evaluate
from docnorm.settings import Settings
from tests.conftest import ROOT

GOLD = ROOT / "examples" / "gold" / "medical_records"


def test_scores_are_the_same_in_worker_processes_as_in_this_process(tmp_path: Path) -> None:
    here = evaluate(GOLD, Settings(out_dir=tmp_path / "a", parse_workers=0))
    workers = evaluate(GOLD, Settings(out_dir=tmp_path / "b", parse_workers=2))

    assert workers.micro == here.micro
    assert [d.predicted for d in workers.documents] == [d.predicted for d in here.documents]


def test_the_workers_limits_apply_to_an_evaluation(tmp_path: Path) -> None:
    # No parse finishes in a millisecond; only a worker process enforces the deadline.
    report = evaluate(GOLD, Settings(out_dir=tmp_path / "out", parse_workers=2, parse_timeout_seconds=0.001))

    assert report.failure_reasons.keys() <= {"parse_timeout", "extract_timeout"}
    assert report.failures == report.n_docs
