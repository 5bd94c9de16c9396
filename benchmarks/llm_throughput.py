"""LLM extraction throughput against the test double: achieved documents/s versus the ideal C / L.

    python benchmarks/llm_throughput.py [--docs 200] [--latency 0.2] [--concurrency 10]

The double (docnorm.testing.OpenAITestDouble, no model behind it) answers every call after
a fixed latency L; with C calls in flight the ideal is C / L documents per second. The
script also compares the tokens the llm and hybrid extractors spend on the example inbox.
Figures are printed, not asserted: this is a benchmark, not a test.
"""

from __future__ import annotations

import argparse
import multiprocessing
import tempfile
import time
from pathlib import Path
from typing import Any

from docnorm.doctypes.builtin import REGISTRY
from docnorm.parsers import Limits, document_id, intake, parse
from docnorm.schemas.documents import ParsedDocument, Usage
from docnorm.settings import Settings
from docnorm.stages.extract import extract_documents, make_extractor
from docnorm.stages.parse import parse_documents
from docnorm.testing import Faults, OpenAITestDouble

ROOT = Path(__file__).resolve().parents[1]
TEMPLATE = (
    "SERVICES AGREEMENT {n}\n\nThis Services Agreement is entered into as of March {day}, 2025 by and between "
    'Vendor {n} Inc. ("Vendor") and Client {n} LLC ("Client").\n\nClient shall pay USD {amount},000 per year.\n\n'
    "This Agreement shall be governed by the laws of the State of Ohio."
)


def _docs(folder: Path, count: int) -> list[ParsedDocument]:
    limits = Limits(10**7, 100, 10**8)
    docs = []
    for n in range(count):
        path = folder / f"contract-{n}.txt"
        path.write_text(TEMPLATE.format(n=n, day=n % 28 + 1, amount=n + 10), encoding="utf-8")
        docs.append(parse(intake(path, document_id(path), limits)))
    return docs


def _settings(double: OpenAITestDouble, out: Path, extractor: str, concurrency: int) -> Settings:
    return Settings(
        extractor=extractor,
        llm_base_url=double.base_url,
        llm_api_key="benchmark",
        llm_model="test-double",
        llm_concurrency=concurrency,
        llm_cache_url="sqlite://",
        out_dir=out,
    )


def _serve(latency: float, urls: multiprocessing.Queue[str], stop: Any) -> None:
    with OpenAITestDouble(faults=Faults(latency=latency)) as double:
        urls.put(double.base_url)
        stop.wait()


def throughput(count: int, latency: float, concurrency: int) -> dict[str, float]:
    # The double runs in its own process, as a real endpoint would: sharing the client's GIL
    # would measure the double, not docnorm.
    urls: multiprocessing.Queue[str] = multiprocessing.Queue()
    stop = multiprocessing.Event()
    server = multiprocessing.Process(target=_serve, args=(latency, urls, stop), daemon=True)
    server.start()
    try:
        url = urls.get(timeout=60)
        with tempfile.TemporaryDirectory() as tmp:
            docs = _docs(Path(tmp), count)
            settings = Settings(
                extractor="llm", llm_base_url=url, llm_api_key="benchmark", llm_model="test-double",
                llm_concurrency=concurrency, llm_cache_url="sqlite://", out_dir=Path(tmp) / "out",
            )  # fmt: skip
            extractor = make_extractor(settings, REGISTRY)
            start = time.perf_counter()
            results = extractor.extract_many([(doc, "contract") for doc in docs])
            elapsed = time.perf_counter() - start
    finally:
        stop.set()
        server.join(timeout=10)
    ok = sum(1 for r in results if not isinstance(r, Exception))
    achieved, ideal = count / elapsed, concurrency / latency
    print(f"llm throughput: {count} documents ({ok} extracted), latency L={latency}s, concurrency C={concurrency}")
    print(f"  achieved {achieved:.1f} docs/s, ideal C/L {ideal:.1f} docs/s, achieved/ideal {achieved / ideal:.2f}")
    return {"achieved": achieved, "ideal": ideal}


def tokens_hybrid_vs_llm() -> None:
    inbox = sorted((ROOT / "examples" / "inbox").iterdir())
    with tempfile.TemporaryDirectory() as tmp, OpenAITestDouble() as double:
        spent: dict[str, Usage] = {}
        for kind in ("llm", "hybrid"):
            settings = _settings(double, Path(tmp) / kind, kind, 8)
            parsed, _ = parse_documents(inbox, settings)
            extracted, _ = extract_documents(parsed, settings, make_extractor(settings, REGISTRY), REGISTRY)
            spent[kind] = sum((e.usage for e in extracted if e.usage), Usage())
    for kind, usage in spent.items():
        print(f"  {kind:<7} {usage.calls:>3} calls {usage.prompt_tokens + usage.completion_tokens:>7} tokens")
    llm_tokens = spent["llm"].prompt_tokens + spent["llm"].completion_tokens
    hybrid_tokens = spent["hybrid"].prompt_tokens + spent["hybrid"].completion_tokens
    print(f"  hybrid/llm tokens {hybrid_tokens / llm_tokens:.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=200)
    parser.add_argument("--latency", type=float, default=0.2)
    parser.add_argument("--concurrency", type=int, default=10)
    args = parser.parse_args()
    throughput(args.docs, args.latency, args.concurrency)
    print("tokens on examples/inbox (llm vs hybrid):")
    tokens_hybrid_vs_llm()


if __name__ == "__main__":
    main()
