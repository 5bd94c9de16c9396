"""The same flow on every task runner: threads, a process pool, and a Dask ``LocalCluster`` reached by
its address (as an existing cluster would be). Each run's curated tables and review items match."""

from __future__ import annotations

import importlib
import shutil
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pyarrow.dataset as ds
import pytest

from docnorm.flows.process_batch import run_flow
from docnorm.schemas.run import RunSummary
from docnorm.settings import load_settings
from tests.conftest import EXAMPLES

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def dask_address() -> Iterator[str]:
    from distributed import LocalCluster

    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        yield cluster.scheduler_address


def _run(tmp_path: Path, **overrides: object) -> tuple[RunSummary, dict[str, Counter[tuple[str, ...]]]]:
    inbox = Path(shutil.copytree(EXAMPLES, tmp_path / "inbox"))
    settings = load_settings(out_dir=tmp_path / "out", batch_size=4, parse_workers=1, **overrides)
    summary = run_flow([str(inbox)], settings)
    tables = {}
    for folder in sorted((tmp_path / "out" / "curated").iterdir()):
        table = ds.dataset(folder, format="parquet", partitioning="hive").to_table()
        content = [c for c in table.column_names if c not in {"run_id", "source_uri", "extracted_at", "extracted_date"}]
        tables[folder.name] = Counter(tuple(map(str, row.values())) for row in table.select(content).to_pylist())
    return summary, tables


@pytest.fixture(scope="module")
def on_threads(prefect_api: None, tmp_path_factory: pytest.TempPathFactory) -> tuple[RunSummary, dict]:
    return _run(tmp_path_factory.mktemp("threads"), task_runner="threads")


@pytest.mark.parametrize("runner", ["processes", "dask"])
def test_every_task_runner_produces_the_same_tables_and_outcomes(
    runner: str, on_threads: tuple[RunSummary, dict], dask_address: str, tmp_path: Path
) -> None:
    overrides: dict[str, object] = {"task_runner": runner, "batches_in_flight": 3}
    if runner == "dask":
        overrides["dask_address"] = dask_address

    summary, tables = _run(tmp_path, **overrides)

    reference, reference_tables = on_threads
    assert summary.counts == reference.counts and summary.by_type == reference.by_type
    assert {(r.doc_id, r.outcome, tuple(x.code for x in r.reasons)) for r in summary.results} == {
        (r.doc_id, r.outcome, tuple(x.code for x in r.reasons)) for r in reference.results
    }
    assert tables == reference_tables
    assert summary.stage_seconds["parse"] > 0, "stage times come back from the runner's processes"


def test_a_micro_batch_the_runner_loses_goes_to_review_and_the_run_goes_on(
    prefect_api: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    module = importlib.import_module("docnorm.flows.process_batch")  # the module, not the flow it exports
    real = module.prepare_documents
    calls = []

    def lose_the_first(todo, settings, registry, here):  # type: ignore[no-untyped-def]
        calls.append(len(todo))
        if len(calls) == 1:
            raise RuntimeError("worker lost")  # what a dead Dask worker or broken process pool looks like
        return real(todo, settings, registry, here)

    monkeypatch.setattr(module, "prepare_documents", lose_the_first)
    summary, _ = _run(tmp_path, task_runner="threads")

    lost = [r for r in summary.results if any(x.code == "task_failed" for x in r.reasons)]
    assert len(lost) == calls[0] == 4
    assert all(r.outcome.value == "review" and "RuntimeError" in r.reasons[0].message for r in lost)
    assert summary.counts["curated"] > 0, "the other micro-batches were processed"
