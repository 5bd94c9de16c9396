"""Seconds per SEC filing on one core: intake + parse, classification, rules extraction.

    python benchmarks/filing_speed.py [FOLDER ...]   (default: ../shared/corpus/sec-financials/documents)

Each filing is parsed in this one process, one after another, after a warm-up
parse so spaCy's model load is not billed to the first filing. Figures are
printed, not asserted: this is a benchmark, not a test.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from docnorm.doctypes.builtin import REGISTRY
from docnorm.extractors.classify import classify
from docnorm.parsers import Limits, document_id, intake, parse
from docnorm.settings import Settings

ROOT = Path(__file__).resolve().parents[1]
DEFAULT = ROOT.parent / "shared" / "corpus" / "sec-financials" / "documents"


def measure(files: list[Path]) -> tuple[float, float]:
    """Megabytes and seconds of ``files`` through parse, classify and extract, one after another."""
    totals = _timed(files, verbose=False)
    return sum(m for m, _ in totals), sum(s for _, s in totals)


def _timed(files: list[Path], verbose: bool) -> list[tuple[float, float]]:
    settings = Settings()
    limits = Limits.of(settings)
    cues = {spec.name: spec.cues for spec in REGISTRY}
    parse(intake(files[0], document_id(files[0]), limits))  # warm-up: unstructured's imports
    if verbose:
        print(f"{'filing':<32}{'MB':>6}{'parse s':>9}{'classify s':>11}{'extract s':>10}{'total s':>9}{'lines':>7}")
    totals: list[tuple[float, float]] = []
    for path in files:
        started = time.perf_counter()
        doc = parse(intake(path, document_id(path), limits))
        parsed = time.perf_counter()
        decided = classify(doc, cues, min_score=settings.classify_min_score, min_margin=settings.classify_min_margin)
        classified = time.perf_counter()
        record = REGISTRY[decided.doc_type or "financial_statement"].rules(doc)
        done = time.perf_counter()
        megabytes = path.stat().st_size / 1e6
        totals.append((megabytes, done - started))
        if verbose:
            lines = len(getattr(record, "line_items", []))
            print(f"{path.name[:31]:<32}{megabytes:>6.1f}{parsed - started:>9.2f}{classified - parsed:>11.3f}"
                  f"{done - classified:>10.3f}{done - started:>9.2f}{lines:>7}")  # fmt: skip
    return totals


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folders", nargs="*", type=Path, default=[DEFAULT])
    args = parser.parse_args()
    files = sorted(p for folder in args.folders for p in folder.glob("*.htm*"))
    if not files:
        print(f"no filings under {', '.join(map(str, args.folders))}")
        return 1
    totals = _timed(files, verbose=True)
    megabytes = sum(m for m, _ in totals)
    seconds = sum(s for _, s in totals)
    worst = max(totals, key=lambda t: t[0])
    print(f"\n{len(totals)} filings, {megabytes:.1f} MB in {seconds:.1f} s: {megabytes / seconds:.2f} MB/s; "
          f"largest ({worst[0]:.1f} MB) took {worst[1]:.1f} s")  # fmt: skip
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
