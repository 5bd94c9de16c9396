"""Fit the confidence calibrators on every dev gold set and write src/docnorm/validators/calibrator.json.

    python scripts/calibrate.py        (make calibrate)

Each gold set named in benchmarks/eval_baselines.json that exists on this machine is evaluated with
the rules extractor; every scored value's signals and correctness are the training data of its doc
type's logistic calibrator. The file's version (date and content hash) is stamped on every curated
row. How well such a calibrator does on documents it has not seen is what `make eval` reports (out
of fold); this script's fit is in-sample by construction and reports nothing about quality.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from docnorm.eval.baselines import load
from docnorm.eval.calibration import fit_all
from docnorm.eval.runner import evaluate
from docnorm.settings import load_settings
from docnorm.validators.confidence import CALIBRATOR_FILE

ROOT = Path(__file__).resolve().parents[1]


def main() -> int:
    settings = load_settings(extractor="rules")
    outcomes = []
    for name, entry in sorted(load(ROOT / "benchmarks" / "eval_baselines.json").items()):
        folder = ROOT / entry["path"]
        if not folder.is_dir():
            print(f"{name}: not on this machine, skipped")
            continue
        report = evaluate(folder, settings)
        outcomes += report.outcomes
        print(f"{name}: {len(report.outcomes)} scored values")
    if not outcomes:
        print("no gold set found: nothing to fit", file=sys.stderr)
        return 1
    calibrator = fit_all(outcomes)
    CALIBRATOR_FILE.write_text(json.dumps(calibrator.model_dump(), indent=2, sort_keys=True) + "\n", encoding="utf-8")
    for doc_type, fitted in calibrator.doc_types.items():
        print(f"{doc_type}: fitted on {fitted.n} values")
    print(f"calibrator {calibrator.version} written to {CALIBRATOR_FILE.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
