"""The regression guard: no dev gold set may fall more than 0.02 below its recorded baseline (micro-F1, key
groups, classification accuracy), and classification over all of them together stays at 0.95 or better."""

from __future__ import annotations

import json

import pytest

from docnorm.eval.baselines import headline
from docnorm.eval.metrics import combine_confusion
from docnorm.eval.runner import EvalReport, evaluate
from docnorm.settings import Settings
from tests.conftest import CORPUS, ROOT

BASELINES = json.loads((ROOT / "benchmarks" / "eval_baselines.json").read_text())
FOLDERS = {name: (ROOT / entry["path"]).resolve() for name, entry in BASELINES.items()}
TOLERANCE = 0.02
CLASSIFICATION_TARGET = 0.95


def test_every_baseline_names_a_bundled_gold_set_or_a_shared_corpus() -> None:
    for folder in FOLDERS.values():
        assert folder.parent in {ROOT / "examples" / "gold", CORPUS.resolve()}


@pytest.fixture(scope="module")
def reports() -> dict[str, EvalReport]:
    available = {name: folder for name, folder in FOLDERS.items() if folder.is_dir()}
    return {
        name: evaluate(folder, Settings(extractor=BASELINES[name]["extractor"])) for name, folder in available.items()
    }


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(FOLDERS))
def test_scores_hold_their_baseline(reports: dict[str, EvalReport], name: str) -> None:
    if name not in reports:
        pytest.skip(f"dataset not found at {FOLDERS[name]} (the shared corpus is not beside this checkout)")
    report, baseline = reports[name], BASELINES[name]
    assert report.n_docs == baseline["n_docs"]
    assert headline(report) >= baseline["score"] - TOLERANCE, report.per_key
    for group, f1 in baseline.get("groups", {}).items():
        assert report.groups[group].f1 >= f1 - TOLERANCE, report.groups
    assert report.classification_accuracy >= baseline["classification_accuracy"] - TOLERANCE


@pytest.mark.slow
def test_classification_over_every_gold_set_together(reports: dict[str, EvalReport]) -> None:
    confusion = combine_confusion(r.confusion for r in reports.values())
    total = sum(sum(row.values()) for row in confusion.values())
    correct = sum(row.get(gold, 0) for gold, row in confusion.items())
    assert total and correct / total >= CLASSIFICATION_TARGET, confusion
