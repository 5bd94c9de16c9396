"""The regression guard: no dev gold set may fall more than 0.02 micro-F1 below its recorded baseline."""

from __future__ import annotations

import json

import pytest

from docnorm.eval import evaluate
from docnorm.settings import Settings
from tests.conftest import CORPUS, ROOT

BASELINES = json.loads((ROOT / "benchmarks" / "eval_baselines.json").read_text())
FOLDERS = {name: (ROOT / entry["path"]).resolve() for name, entry in BASELINES.items()}
TOLERANCE = 0.02


def test_every_baseline_names_a_bundled_gold_set_or_a_shared_corpus() -> None:
    for folder in FOLDERS.values():
        assert folder.parent in {ROOT / "examples" / "gold", CORPUS.resolve()}


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(FOLDERS))
def test_micro_f1_holds_its_baseline(name: str) -> None:
    folder = FOLDERS[name]
    if not folder.is_dir():
        pytest.skip(f"dataset not found at {folder} (the shared corpus is not beside this checkout)")
    report = evaluate(folder, Settings(extractor=BASELINES[name]["extractor"]))
    assert report.n_docs == BASELINES[name]["n_docs"]
    assert report.micro.f1 >= BASELINES[name]["micro_f1"] - TOLERANCE, report.per_key
