"""Score the rules extractor on every dev gold set and compare with the recorded baselines.

    python benchmarks/eval_report.py                 # print per-key and micro scores per dataset
    python benchmarks/eval_report.py --json FILE     # also write all reports as JSON
    python benchmarks/eval_report.py --update        # record today's micro-F1 as the new baselines

The baselines (benchmarks/eval_baselines.json) are updated deliberately, when a change
improves a score; tests/eval/test_regression.py fails CI when a score falls more than
0.02 below its baseline.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from docnorm.eval.runner import EvalReport, evaluate
from docnorm.settings import load_settings

ROOT = Path(__file__).resolve().parents[1]
BASELINES = ROOT / "benchmarks" / "eval_baselines.json"
"""Each gold set's baseline score and its folder, relative to the checkout (shared corpora sit beside it)."""


def run(datasets: dict[str, Path]) -> dict[str, EvalReport]:
    """Evaluate the datasets that exist on this machine."""
    settings = load_settings(extractor="rules")
    return {name: evaluate(folder, settings) for name, folder in datasets.items() if folder.is_dir()}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", type=Path, help="write all reports here")
    parser.add_argument("--update", action="store_true", help="record the scores as the new baselines")
    args = parser.parse_args()
    baselines = json.loads(BASELINES.read_text()) if BASELINES.exists() else {}
    reports = run({name: ROOT / entry["path"] for name, entry in baselines.items()})
    for name, report in reports.items():
        print(f"\n{name} ({report.n_docs} documents, {report.layout} layout, extractor {report.extractor})")
        print(f"  {'key':<28}{'P':>7}{'R':>7}{'F1':>7}{'support':>9}")
        for key, score in report.per_key.items():
            print(f"  {key:<28}{score.precision:>7.3f}{score.recall:>7.3f}{score.f1:>7.3f}{score.support:>9}")
        base = baselines.get(name, {}).get("micro_f1")
        for group, score in report.groups.items():
            print(
                f"  {group + ' (micro)':<28}{score.precision:>7.3f}{score.recall:>7.3f}{score.f1:>7.3f}{score.support:>9}"
            )
        print(f"  {'micro':<28}{report.micro.precision:>7.3f}{report.micro.recall:>7.3f}{report.micro.f1:>7.3f}"
              f"{report.micro.support:>9}   baseline {base}")  # fmt: skip
        print(f"  classification accuracy {report.classification_accuracy:.3f}, failures {report.failures}")
        c = report.calibration
        print(f"  calibration: ECE {c.ece:.3f} over {c.n} values; below {c.threshold}: "
              f"{c.errors_caught:.0%} of errors, {c.correct_flagged:.0%} of correct values")  # fmt: skip
    if args.json:
        args.json.write_text(json.dumps({n: r.model_dump() for n, r in reports.items()}, indent=2))
    if args.update:
        for name, report in reports.items():
            baselines[name].update(extractor=report.extractor, n_docs=report.n_docs)
            if "classification_accuracy" in baselines[name]:
                baselines[name]["classification_accuracy"] = report.classification_accuracy
            else:
                baselines[name]["micro_f1"] = report.micro.f1
            if report.groups:
                baselines[name]["groups"] = {group: score.f1 for group, score in report.groups.items()}
        BASELINES.write_text(json.dumps(baselines, indent=2, sort_keys=True) + "\n")
        print(f"\nbaselines written to {BASELINES}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
