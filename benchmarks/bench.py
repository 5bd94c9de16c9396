"""docnorm beside its floor: throughput, scaling, re-run, LLM-bound and memory on one generated corpus.

    python benchmarks/bench.py [--docs 1000] [--workers 2] [--json FILE]

Measured on the same files with the same worker processes:
  1. floor     — plain unstructured partition of every file ("fast" PDFs), nothing else
  2. raw text  — the cheapest reader per format (pypdfium2 for PDFs)
  3. docnorm   — `docnorm run` end to end with the rules extractor (1 and N parse workers)
  4. re-run    — the same command on the unchanged corpus
  5. LLM-bound — the llm extractor against the test double, latency L, concurrency C
  6. memory    — peak RSS of a run of 10,000 one-page documents over one of 1,000
  7. filings   — SEC filings (../shared/corpus) through parse, classify and extract on one core, MB/s
Prints one table and the ratios; --json writes them. This is a benchmark, not a test.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

import docnorm  # noqa: F401 - applies the offline and no-telemetry defaults before any worker starts
from docnorm.testing.prefect_server import prefect_server

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))
sys.path.insert(0, str(ROOT / "benchmarks"))

PAGE_CHARS = 3000
FORMATS = ("pdf", "docx", "html", "txt", "eml")
CLAUSE = ("The parties shall perform their obligations under this section in good faith and with reasonable care, "
          "and shall keep records of the work performed for no less than three years. ")  # fmt: skip
HEADS = {
    "contract": ["SERVICES AGREEMENT {n}", 'This Services Agreement is entered into as of March 3, 2025 by and between '
                 'Vendor {n} Inc. ("Vendor") and Client {n} LLC ("Client").',
                 "This Agreement shall be governed by the laws of the State of Ohio."],
    "financial_statement": ["Company {n} Inc.", "Balance Sheet", "As of December 31, 2024 (in thousands of U.S. dollars)",
                            "Assets\nCash and cash equivalents        1,000\nAccounts receivable        500\n"
                            "Total assets        1,500\nLiabilities\nAccounts payable        600\nTotal liabilities        600\n"
                            "Equity\nCommon stock        900\nTotal stockholders' equity        900\n"
                            "Total liabilities and stockholders' equity        1,500"],
    "medical_record": ["CLINIC NOTE", "Patient Name: Pat Doe{n}\nDOB: 01/02/1960\nMRN: MRN-{n:06d}\n"
                       "Date of Service: 2025-02-11\nProvider: Dr. Lee, MD", "Chief Complaint: Follow-up.",
                       "Assessment:\n1. Essential (primary) hypertension (I10)", "Medications:\n- Lisinopril 10 mg PO daily"],
}  # fmt: skip


def make_corpus(folder: Path, count: int, seed: int = 7) -> tuple[list[Path], int]:
    """Deterministic mixed corpus: 3 doc types x 5 formats, 1 to 60 pages. Returns files and total pages."""
    import docgen

    rng = random.Random(seed)
    docgen.OUT = folder
    folder.mkdir(parents=True, exist_ok=True)
    paths, pages_total = [], 0
    for n in range(count):
        doc_type = list(HEADS)[n % 3]
        fmt = FORMATS[(n // 3) % 5]
        roll = rng.random()
        pages = 1 if roll < 0.55 else rng.randint(2, 6) if roll < 0.97 else rng.randint(50, 60)
        blocks = [b.format(n=n) for b in HEADS[doc_type]]
        filler = CLAUSE * max(1, (pages * PAGE_CHARS) // len(CLAUSE) - 2)
        blocks += [filler[i : i + 1500] for i in range(0, len(filler), 1500)]
        name = f"doc-{n:05d}.{fmt}"
        {"pdf": docgen.write_pdf, "docx": docgen.write_docx, "txt": docgen.write_txt,
         "html": lambda f, b: docgen.write_html(f, b[0], "\n".join(f"<p>{x}</p>" for x in b)),
         "eml": lambda f, b: docgen.write_eml(f, "document", b)}[fmt](name, blocks)  # fmt: skip
        paths.append(folder / name)
        pages_total += pages
    return paths, pages_total


def _partition(path: str) -> int:
    from unstructured.partition.auto import partition

    kwargs: dict[str, Any] = {"languages": ["eng"]}
    if path.endswith(".pdf"):
        kwargs["strategy"] = "fast"
    return len(partition(filename=path, **kwargs))


def _raw_text(path: str) -> int:
    if path.endswith(".pdf"):
        import pypdfium2

        pdf = pypdfium2.PdfDocument(path)
        text = "".join(page.get_textpage().get_text_range() for page in pdf)
        pdf.close()
        return len(text)
    if path.endswith(".docx"):
        import docx

        return sum(len(p.text) for p in docx.Document(path).paragraphs)
    if path.endswith(".eml"):
        import email

        with open(path, "rb") as handle:
            message = email.message_from_binary_file(handle)
        return sum(len(str(part.get_payload())) for part in message.walk())
    return len(Path(path).read_text(encoding="utf-8", errors="replace"))


def _pool_time(function: Any, paths: list[Path], workers: int) -> float:
    started = time.perf_counter()
    with ProcessPoolExecutor(max_workers=workers) as pool:
        list(pool.map(function, [str(p) for p in paths], chunksize=4))
    return time.perf_counter() - started


def _peak_tree_rss(process: subprocess.Popen[bytes]) -> int:
    """Wait for ``process``; the peak of the summed RSS of it and its descendants (parse workers), sampled."""
    import psutil

    root, peak = psutil.Process(process.pid), 0
    while process.poll() is None:
        try:
            tree = [root, *root.children(recursive=True)]
            peak = max(peak, sum(p.memory_info().rss for p in tree if p.is_running()))
        except psutil.Error:
            pass
        time.sleep(0.2)
    return peak


def _docnorm_run(corpus: Path, out: Path, workers: int, extra_env: dict[str, str] | None = None) -> dict[str, Any]:
    env = {**os.environ, "DOCNORM_PARSE_WORKERS": str(workers), "DOCNORM_BATCH_SIZE": "32", **(extra_env or {})}
    log = out.with_name(f"{out.name}.stderr")
    started = time.perf_counter()
    with log.open("wb") as stderr:
        run = subprocess.Popen([sys.executable, "-m", "docnorm.cli", "run", str(corpus), "--out", str(out), "-q"],
                               env=env, stdout=subprocess.DEVNULL, stderr=stderr)  # fmt: skip
        peak = _peak_tree_rss(run)
    wall = time.perf_counter() - started
    if run.returncode != 0:
        raise RuntimeError(f"docnorm run failed: {log.read_text()[-2000:]}")
    manifest = max((out / "runs").glob("*.json"), key=lambda p: p.stat().st_mtime)
    data = json.loads(manifest.read_text())
    return {"wall": wall, "stages": data["stage_seconds"], "waited": data.get("waited_seconds", 0.0),
            "orchestration": data.get("orchestration_seconds", 0.0),
            "peak_rss_mb": peak / 2**20,
            "outcomes": {o: sum(1 for i in data["inputs"] if i["outcome"] == o) for o in ("curated", "review", "skipped")}}  # fmt: skip


def _small_corpus(folder: Path, count: int) -> None:
    """``count`` distinct one-page text contracts: cheap to process, so 10,000 of them take minutes."""
    folder.mkdir(parents=True)
    for n in range(count):
        blocks = [b.format(n=n) for b in HEADS["contract"]]
        (folder / f"small-{n:05d}.txt").write_text("\n\n".join(blocks) + "\n", encoding="utf-8")


def _memory_ratio(work: Path, workers: int, api: dict[str, str]) -> float:
    """Peak RSS of a run of 10,000 documents over that of 1,000 of the same kind (one-page text: what
    grows with the count is per-document bookkeeping, not document size)."""
    _small_corpus(work / "small-1k", 1_000)
    _small_corpus(work / "small-10k", 10_000)
    one = _docnorm_run(work / "small-1k", work / "out-small-1k", workers, api)
    ten = _docnorm_run(work / "small-10k", work / "out-small-10k", workers, api)
    print(f"memory: 1k one-page documents {one['peak_rss_mb']:.0f} MB in {one['wall']:.0f} s, "
          f"10k {ten['peak_rss_mb']:.0f} MB in {ten['wall']:.0f} s")  # fmt: skip
    return float(ten["peak_rss_mb"] / one["peak_rss_mb"])


def _filings_mb_per_s() -> float | None:
    """SEC filings through parse, classify and rules extraction on one core (None without the corpus)."""
    from filing_speed import DEFAULT, measure

    files = sorted(DEFAULT.glob("*.htm*"))
    if not files:
        return None
    megabytes, seconds = measure(files)
    return megabytes / seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=1000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--latency", type=float, default=1.0)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--json", type=Path)
    parser.add_argument(
        "--ephemeral", action="store_true", help="let each run start Prefect's temporary API instead of one server"
    )
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="docnorm-bench-"))
    corpus, pages = make_corpus(work / "corpus", args.docs)
    n, w = len(corpus), args.workers
    print(f"corpus: {n} documents, {pages} pages, in {work}")
    floor = _pool_time(_partition, corpus, w)
    raw = _pool_time(_raw_text, corpus, w)
    with contextlib.ExitStack() as stack:
        api = {} if args.ephemeral else {"PREFECT_API_URL": stack.enter_context(prefect_server(work / "prefect"))}
        first = _docnorm_run(work / "corpus", work / "out-w", w, api)
        rerun = _docnorm_run(work / "corpus", work / "out-w", w, api)
        single = _docnorm_run(work / "corpus", work / "out-1", 1, api)
        rss_10k = _memory_ratio(work, w, api)
    from llm_throughput import throughput

    filings = _filings_mb_per_s()
    # 30 waves of C calls: the client's one-time start (~1.5 s: HTTP client, schemas) is not the rate.
    llm = throughput(30 * args.concurrency, args.latency, args.concurrency)
    # Parse and extract overlap validate and route (micro-batches in flight): the flow's own critical
    # path is the time it waited for prepared batches plus validate and route.
    stages = first["stages"]
    critical_path = first["waited"] + stages.get("validate", 0.0) + stages.get("route", 0.0)
    rows = [
        ("1 floor: unstructured partition", floor, None, None),
        ("2 raw text (pypdfium2 etc.)", raw, None, None),
        (f"3 docnorm run, {w} workers", first["wall"], first["peak_rss_mb"], first["stages"]),
        ("3' docnorm run, 1 worker", single["wall"], single["peak_rss_mb"], single["stages"]),
        ("4 re-run, unchanged corpus", rerun["wall"], rerun["peak_rss_mb"], rerun["stages"]),
    ]
    print(f"\n{'measure':<36}{'seconds':>9}{'docs/s':>9}{'pages/s':>9}{'RSS MB':>8}  stages (s)")
    for label, seconds, rss, stages in rows:
        print(f"{label:<36}{seconds:>9.1f}{n / seconds:>9.1f}{pages / seconds:>9.1f}"
              f"{(f'{rss:.0f}' if rss else '-'):>8}  {stages or ''}")  # fmt: skip
    print(
        f"5 llm-bound, C={args.concurrency}, L={args.latency}s: {llm['achieved']:.1f} docs/s vs ideal {llm['ideal']:.1f}"
    )
    ratios = {
        "docs": n,
        "pages": pages,
        "workers": w,
        "end_to_end_vs_floor": round(floor / first["wall"], 3),
        "parse_vs_raw_text": round(raw / first["stages"].get("parse", float("nan")), 3),
        "scaling_2_vs_1": round(single["wall"] / first["wall"], 3),
        "rss_10k_vs_1k": round(rss_10k, 3),
        "filings_mb_per_s": round(filings, 2) if filings else None,
        # The flow's own Prefect work per micro-batch (task runs of validate and route, submissions,
        # progress updates), measured around those calls less the stage bodies inside them.
        "prefect_share": round(first["orchestration"] / first["wall"], 3),
        # Wall time off the flow's critical path (waiting for prepared batches, validate, route):
        # Prefect's work above plus flow-run start and end, the interpreter's start, discovery,
        # hashing and contention between the flow's threads; an upper bound.
        "off_critical_path_share": round(1 - critical_path / first["wall"], 3),
        "rerun_speedup": round(first["wall"] / rerun["wall"], 2),
        "llm_vs_ideal": round(llm["achieved"] / llm["ideal"], 3),
        "outcomes": first["outcomes"],
    }
    print("\n" + json.dumps(ratios, indent=2))
    if args.json:
        args.json.write_text(json.dumps(ratios, indent=2))


if __name__ == "__main__":
    main()
