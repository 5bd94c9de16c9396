"""Score the rules extractor on every dev gold set and compare with the recorded baselines.

    python benchmarks/eval_report.py                                  # print the scores of every gold set
    python benchmarks/eval_report.py --json FILE                      # also write all reports as JSON
    python benchmarks/eval_report.py --update                         # record them (refused if one is lower)
    python benchmarks/eval_report.py --update --allow-lower "REASON"  # record a lower one, with the reason

Recording also regenerates the score table of docs/evaluation.md from the baselines file
(benchmarks/eval_baselines.json); tests/eval/test_regression.py fails CI when a score falls more
than 0.02 below its baseline, and tests/eval/test_baselines.py when the page and the file disagree.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from docnorm.eval.baselines import load, save, update, with_table
from docnorm.eval.runner import EvalReport, evaluate
from docnorm.schemas.errors import ConfigError
from docnorm.settings import load_settings

ROOT = Path(__file__).resolve().parents[1]
BASELINES = ROOT / "benchmarks" / "eval_baselines.json"
PAGE = ROOT / "docs" / "evaluation.md"


def run(datasets: dict[str, Path]) -> dict[str, EvalReport]:
    """Evaluate the datasets that exist on this machine."""
    settings = load_settings(extractor="rules")
    return {name: evaluate(folder, settings) for name, folder in datasets.items() if folder.is_dir()}


def show(name: str, report: EvalReport, baseline: dict[str, object]) -> None:
    print(f"\n{name} ({report.n_docs} documents, {report.layout} layout, extractor {report.extractor}, "
          f"{baseline.get('kind', '?')})")  # fmt: skip
    print(f"  {'key':<28}{'P':>7}{'R':>7}{'F1':>7}{'support':>9}")
    for key, score in report.per_key.items():
        print(f"  {key:<28}{score.precision:>7.3f}{score.recall:>7.3f}{score.f1:>7.3f}{score.support:>9}")
    for group, score in report.groups.items():
        print(
            f"  {group + ' (micro)':<28}{score.precision:>7.3f}{score.recall:>7.3f}{score.f1:>7.3f}{score.support:>9}"
        )
    print(f"  {'micro':<28}{report.micro.precision:>7.3f}{report.micro.recall:>7.3f}{report.micro.f1:>7.3f}"
          f"{report.micro.support:>9}   baseline {baseline.get('score')}")  # fmt: skip
    print(f"  classification accuracy {report.classification_accuracy:.3f}, failures {report.failures}")
    c = report.calibration
    if c.n:
        print(f"  calibration ({c.measured}): ECE {c.ece:.3f} over {c.n} values; below {c.threshold}: "
              f"{c.errors_caught:.0%} of errors, {c.correct_flagged:.0%} of right values")  # fmt: skip


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", type=Path, help="write all reports here")
    parser.add_argument("--update", action="store_true", help="record the scores as the new baselines")
    parser.add_argument("--allow-lower", metavar="REASON", help="with --update: record lower scores, for this reason")
    args = parser.parse_args()
    baselines = load(BASELINES)
    reports = run({name: ROOT / entry["path"] for name, entry in baselines.items()})
    for name, report in reports.items():
        show(name, report, baselines[name])
    if args.json:
        args.json.write_text(json.dumps({n: r.model_dump() for n, r in reports.items()}, indent=2))
    if args.update:
        try:
            baselines = update(baselines, reports, allow_lower=args.allow_lower)
        except ConfigError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 2
        save(BASELINES, baselines)
        PAGE.write_text(with_table(PAGE.read_text(encoding="utf-8"), baselines), encoding="utf-8")
        print(f"\nbaselines written to {BASELINES.relative_to(ROOT)}; table in {PAGE.relative_to(ROOT)} regenerated")
    return 0


if __name__ == "__main__":
    sys.exit(main())
