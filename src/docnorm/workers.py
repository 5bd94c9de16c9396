"""Worker processes for the CPU-bound stages (parse, rules extraction): one document each at a time,
under a deadline and a memory cap.

A document whose parse or extraction hangs, or whose parser dies, takes its worker with it, never
the batch: the worker is killed and replaced and that one document gets a typed DataError of the
stage. Workers come from a forkserver that has imported the parsers once, so replacing one is
cheap and never forks a process running Prefect's threads.
"""

from __future__ import annotations

import multiprocessing
import resource
import threading
import time
from collections import deque
from collections.abc import Callable, Sequence
from multiprocessing.connection import Connection, wait
from multiprocessing.process import BaseProcess
from typing import Any

from docnorm.schemas.errors import DataError, ExtractionError, ParseError

PRELOAD = [
    "docnorm.stages.extract",  # rules extraction and classification, with the doc types and pandera
    "docnorm.parsers.job",
    "docnorm.parsers",
    "unstructured.partition.pdf",
    "unstructured.partition.docx",
    "unstructured.partition.html",
    "unstructured.partition.text",
    "unstructured.partition.email",
]


_FAILURES: dict[str, tuple[type[DataError], str, str, str]] = {
    # stage: (error, timeout code, crash code, what the worker was doing)
    "parse": (ParseError, "parse_timeout", "parser_crashed", "parsing"),
    "extract": (ExtractionError, "extract_timeout", "extractor_crashed", "extraction"),
}


def _serve(connection: Connection, memory_bytes: int | None) -> None:
    """A worker's loop: call what the pool sends, answer with the result or the DataError."""
    if memory_bytes is not None:
        resource.setrlimit(resource.RLIMIT_AS, (memory_bytes, memory_bytes))
    while True:
        try:
            job = connection.recv()
        except EOFError:  # the pool went away (or was SIGKILLed): so do we
            return
        fn, args, stage = job
        error, _, crash_code, doing = _FAILURES[stage]
        try:
            answer: Any = fn(*args)
        except MemoryError:
            answer = error("too_much_memory", f"{doing} needed more than {memory_bytes} bytes of memory")
        except Exception as exc:  # a bug on one document: report its type only (messages can quote the document)
            answer = error(crash_code, f"{doing} failed ({type(exc).__name__})")
        connection.send(answer)


class _Worker:
    def __init__(self, context: Any, memory_bytes: int | None) -> None:
        self.connection, child = context.Pipe()
        self.process: BaseProcess = context.Process(target=_serve, args=(child, memory_bytes), daemon=True)
        self.process.start()
        child.close()

    def kill(self) -> None:
        self.process.kill()
        self.process.join(5)
        self.connection.close()


class WorkerPool:
    """``map`` over worker processes with a per-call deadline; the result of a call that could not
    finish is a DataError of its stage: ``parse_timeout`` / ``extract_timeout``, ``parser_crashed`` /
    ``extractor_crashed``, ``too_much_memory``."""

    def __init__(self, workers: int, timeout_seconds: float, memory_bytes: int | None = None) -> None:
        if workers < 1:
            raise ValueError("a worker pool needs at least one worker")
        self.workers = workers
        self.timeout = timeout_seconds
        self.memory_bytes = memory_bytes
        self._context = multiprocessing.get_context("forkserver")
        self._context.set_forkserver_preload(PRELOAD)
        self._idle: list[_Worker] = []
        # Concurrent maps (micro-batches in flight on the threads task runner) share the workers:
        # a slot is a worker busy for one of them, so a map's tail never leaves a worker idle.
        self._slots = threading.BoundedSemaphore(workers)
        self._idle_lock = threading.Lock()

    def map(self, fn: Callable[..., Any], *iterables: Sequence[Any], stage: str = "parse") -> list[Any]:
        """``[fn(*args) for args in zip(*iterables)]``, computed in the workers, in input order."""
        error, timeout_code, crash_code, doing = _FAILURES[stage]
        jobs = deque(enumerate(zip(*iterables, strict=True)))
        results: list[Any] = [None] * len(jobs)
        busy: dict[Connection, tuple[_Worker, int, float]] = {}
        while jobs or busy:
            # Take free slots; wait for one only when nothing of ours is running (else our results wait).
            while jobs and self._slots.acquire(blocking=not busy):
                index, args = jobs.popleft()
                worker = self._start(fn, args, stage)
                busy[worker.connection] = (worker, index, time.monotonic() + self.timeout)
            next_deadline = min(deadline for _, _, deadline in busy.values())
            # Wake now and then to take slots other maps free.
            ready = wait(list(busy), timeout=min(0.05, max(0.0, next_deadline - time.monotonic())) if jobs else
                         max(0.0, next_deadline - time.monotonic()))  # fmt: skip
            for connection in ready:
                assert isinstance(connection, Connection)
                worker, index, _ = busy.pop(connection)
                try:
                    results[index] = connection.recv()
                    self._put_idle(worker)
                except (EOFError, OSError):
                    worker.kill()
                    code = worker.process.exitcode
                    results[index] = error(crash_code, f"the worker process died during {doing} (exit code {code})")
                self._slots.release()
            now = time.monotonic()
            for connection, (worker, index, deadline) in list(busy.items()):
                if deadline <= now:
                    del busy[connection]
                    worker.kill()
                    results[index] = error(timeout_code, f"{doing} took longer than {self.timeout:g} s")
                    self._slots.release()
        return results

    def _start(self, fn: Callable[..., Any], args: tuple[Any, ...], stage: str) -> _Worker:
        """Send one job to an idle worker, or to a new one."""
        with self._idle_lock:
            worker = self._idle.pop() if self._idle else None
        if worker is None:
            worker = _Worker(self._context, self.memory_bytes)
        try:
            worker.connection.send((fn, args, stage))
        except (BrokenPipeError, OSError):  # an idle worker died since its last job: replace it
            worker.kill()
            worker = _Worker(self._context, self.memory_bytes)
            worker.connection.send((fn, args, stage))
        return worker

    def _put_idle(self, worker: _Worker) -> None:
        with self._idle_lock:
            self._idle.append(worker)

    def shutdown(self) -> None:
        """Stop every worker."""
        for worker in self._idle:
            worker.connection.close()
            worker.process.join(5)
            if worker.process.is_alive():
                worker.kill()
        self._idle.clear()
