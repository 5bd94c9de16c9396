"""The worker pool: a hung, crashed or memory-hungry document costs that document, never the batch."""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Iterator

import pytest

from docnorm.schemas.errors import ParseError
from docnorm.workers import WorkerPool


def behave(how: str) -> str:
    """Run in a worker: answer, hang, die, or eat memory."""
    if how == "hang":
        time.sleep(600)
    elif how == "die":
        os.kill(os.getpid(), signal.SIGKILL)
    elif how == "raise":
        raise ValueError("a message quoting the document: Jane Doe")
    elif how == "eat":
        hog = bytearray(2 * 1024**3)
        return str(len(hog))
    return f"done {how} in {os.getpid()}"


@pytest.fixture
def pool() -> Iterator[WorkerPool]:
    pool = WorkerPool(workers=2, timeout_seconds=3, memory_bytes=1536 * 1024**2)
    yield pool
    pool.shutdown()


def test_results_come_back_in_input_order(pool: WorkerPool) -> None:
    results = pool.map(behave, [f"job{i}" for i in range(6)])
    assert [r.split(" in ")[0] for r in results] == [f"done job{i}" for i in range(6)]
    assert len({r.split(" in ")[1] for r in results}) <= 2, "workers are reused, not one per job"


def test_a_hung_parse_is_abandoned_and_the_rest_finish(pool: WorkerPool) -> None:
    started = time.monotonic()
    results = pool.map(behave, ["a", "hang", "b", "c"])
    assert time.monotonic() - started < 30
    assert isinstance(results[1], ParseError) and results[1].reason == "parse_timeout"
    assert [results[0][:6], results[2][:6], results[3][:6]] == ["done a", "done b", "done c"]


def test_a_parser_that_dies_costs_only_its_document(pool: WorkerPool) -> None:
    results = pool.map(behave, ["die", "a", "die", "b"])
    assert [r.reason for r in results if isinstance(r, ParseError)] == ["parser_crashed", "parser_crashed"]
    assert results[1].startswith("done a") and results[3].startswith("done b")
    assert "exit code -9" in results[0].message


def test_failures_in_extraction_are_extraction_errors(pool: WorkerPool) -> None:
    results = pool.map(behave, ["hang", "die"], stage="extract")
    assert [(type(r).__name__, r.reason, r.stage) for r in results] == [
        ("ExtractionError", "extract_timeout", "extract"),
        ("ExtractionError", "extractor_crashed", "extract"),
    ]


def test_a_parse_over_the_memory_cap_goes_to_review(pool: WorkerPool) -> None:
    results = pool.map(behave, ["eat", "a"])
    assert isinstance(results[0], ParseError) and results[0].reason == "too_much_memory"
    assert results[1].startswith("done a")


def test_the_pool_is_usable_again_after_failures(pool: WorkerPool) -> None:
    pool.map(behave, ["hang", "die"])
    assert [r[:6] for r in pool.map(behave, ["x", "y"])] == ["done x", "done y"]


def test_an_unexpected_exception_is_reported_by_type_only_and_the_worker_survives(pool: WorkerPool) -> None:
    first, second = pool.map(behave, ["raise", "a"], stage="extract")
    assert (first.reason, first.message) == ("extractor_crashed", "extraction failed (ValueError)")
    assert second.startswith("done a")


def interval(how: str) -> tuple[str, float, float]:
    """Run in a worker: sleep a little and say when."""
    started = time.time()
    time.sleep(0.3)
    return how, started, time.time()


def test_concurrent_maps_share_the_workers_without_exceeding_them(pool: WorkerPool) -> None:
    from concurrent.futures import ThreadPoolExecutor

    # A long map and a short one from two threads (two micro-batches in flight): the short one uses
    # the worker the long one's tail leaves free, and never more than two workers run at once.
    with ThreadPoolExecutor(2) as threads:
        long = threads.submit(pool.map, interval, [f"long{i}" for i in range(5)])
        time.sleep(0.05)
        short = threads.submit(pool.map, interval, ["short0", "short1", "short2"])
        long_results, short_results = long.result(), short.result()

    assert [name for name, _, _ in long_results] == [f"long{i}" for i in range(5)]
    assert [name for name, _, _ in short_results] == ["short0", "short1", "short2"]
    spans = [(start, end) for _, start, end in long_results + short_results]
    for start, _ in spans:
        running = sum(1 for s, e in spans if s <= start + 0.01 and e > start + 0.01)
        assert running <= 2, "never more jobs at once than workers"
    first_short = min(start for _, start, _ in short_results)
    long_done = max(end for _, _, end in long_results)
    assert first_short < long_done - 0.1, "the second map did not wait for the first to finish"
