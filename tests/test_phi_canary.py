"""PHI canaries: seeded names, MRNs and birth dates reach the curated tables and the review queue, nowhere else.

Documents carry unique PHI-like strings; they are processed with DEBUG logging everywhere, by the
rules extractor and by the LLM extractor (the openai client talking HTTP to the test double, with
a canary API key). Then every log line, Prefect artifact, flow and task run the API holds, review
reason message, manifest and any other file docnorm wrote is searched for the canaries.
"""

from __future__ import annotations

import json
import logging
import stat
from collections.abc import Iterator
from pathlib import Path

import httpx
import pyarrow.dataset as ds
import pytest
from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session

from docnorm.flows import process_batch
from docnorm.schemas.run import RunSummary
from docnorm.sinks import ReviewItem
from docnorm.testing import OpenAITestDouble

pytestmark = pytest.mark.slow

PHI = ["Zarathustra-Canary", "CANARY-MRN-90417", "03/17/1941", "1941-03-17", "Canaryweather", "CANARY-MRN-55102"]
API_KEY = "sk-CANARY-KEY-4242"
STORES = ("curated", "review.db", "llm_cache.db")
"""Where documents' content may be kept (owner-only)."""

NOTE = """PROGRESS NOTE
Patient: Quillon Zarathustra-Canary
MRN: CANARY-MRN-90417
DOB: 03/17/1941
Date of Service: 2025-04-02
Assessment: Type 2 diabetes mellitus without complications (E11.9).
Medications: Metformin 500 mg twice daily.
"""
BAD_CODE_NOTE = """PROGRESS NOTE
Patient: Ottoline Canaryweather
MRN: CANARY-MRN-55102
DOB: 1950-01-01
Date of Service: 2025-04-03
Assessment:
1. Fatigue of unclear origin (R53.99)
"""


@pytest.fixture(scope="module")
def inbox(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("canary") / "inbox"
    folder.mkdir()
    (folder / "note-1.txt").write_text(NOTE)
    (folder / "note-2.txt").write_text(BAD_CODE_NOTE)
    return folder


@pytest.fixture(params=["rules", "llm"])
def debug_run(
    request: pytest.FixtureRequest,
    prefect_api: None,
    inbox: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> Iterator[tuple[RunSummary, Path, str]]:
    caplog.set_level(logging.DEBUG)
    for name in ("prefect", "docnorm"):
        caplog.set_level(logging.DEBUG, logger=name)
    out = tmp_path / "out"
    if request.param == "llm":
        with OpenAITestDouble() as double:
            monkeypatch.setenv("DOCNORM_LLM_BASE_URL", double.base_url)
            monkeypatch.setenv("DOCNORM_LLM_API_KEY", API_KEY)
            monkeypatch.setenv("DOCNORM_LLM_MODEL", "test-model")
            summary = process_batch([str(inbox)], out_dir=str(out), extractor="llm")
            assert double.completions >= 2, "the documents really went to the model"
    else:
        summary = process_batch([str(inbox)], out_dir=str(out))
    yield summary, out, caplog.text


def _api(path: str, body: dict) -> str:
    from prefect.settings import PREFECT_API_URL

    response = httpx.post(f"{PREFECT_API_URL.value()}{path}", json=body, timeout=30)
    response.raise_for_status()
    return response.text


def _leaks(text: str) -> list[str]:
    return [canary for canary in [*PHI, API_KEY] if canary.lower() in text.lower()]


def test_canaries_reach_the_stores_meant_for_them(debug_run: tuple[RunSummary, Path, str]) -> None:
    summary, out, _ = debug_run
    assert summary.counts == {"curated": 1, "review": 1}
    names = ds.dataset(out / "curated" / "medical_records", partitioning="hive").to_table()["patient_name"]
    assert names.to_pylist() == ["Quillon Zarathustra-Canary"]
    with Session(create_engine(f"sqlite:///{out / 'review.db'}")) as session:
        [item] = session.scalars(select(ReviewItem))
    assert "Canaryweather" in json.dumps(item.record)


def test_no_canary_in_logs_reasons_or_the_manifest(
    debug_run: tuple[RunSummary, Path, str], capfd: pytest.CaptureFixture[str]
) -> None:
    summary, out, logged = debug_run
    assert "process_batch" in logged or "docnorm" in logged, "debug logging was captured"
    assert _leaks(logged) == []
    printed = capfd.readouterr()
    assert _leaks(printed.out + printed.err) == []
    with Session(create_engine(f"sqlite:///{out / 'review.db'}")) as session:
        reasons = [reason for item in session.scalars(select(ReviewItem)) for reason in item.reasons]
    assert reasons and _leaks(json.dumps(reasons)) == []
    assert _leaks(Path(summary.manifest).read_text()) == []


def test_no_canary_in_the_prefect_api(debug_run: tuple[RunSummary, Path, str]) -> None:
    summary, _, _ = debug_run
    run = {"flow_runs": {"id": {"any_": [summary.run_id]}}}
    held = [
        _api("/logs/filter", {"logs": {"flow_run_id": {"any_": [summary.run_id]}}, "limit": 200}),
        _api("/artifacts/filter", {"artifacts": {"flow_run_id": {"any_": [summary.run_id]}}, "limit": 50}),
        _api("/flow_runs/filter", {**run, "limit": 5}),
        _api("/task_runs/filter", {**run, "limit": 200}),
    ]
    assert "docnorm-run-summary" in held[1] and "docnorm-run-report" in held[1]
    assert _leaks("\n".join(held)) == []


def test_no_canary_in_any_other_file_and_the_stores_are_owner_only(debug_run: tuple[RunSummary, Path, str]) -> None:
    _, out, _ = debug_run
    for path in out.rglob("*"):
        relative = path.relative_to(out)
        if path.is_file() and not str(relative).startswith(STORES):
            assert _leaks(path.read_bytes().decode("utf-8", errors="replace")) == [], relative
        if str(relative).startswith(STORES) or relative.parts[0] == "runs":
            assert stat.S_IMODE(path.stat().st_mode) & 0o077 == 0, f"{relative} is readable by others"
    assert stat.S_IMODE(out.stat().st_mode) == 0o700
    for table in (out / "curated").rglob("*.parquet"):
        assert API_KEY.encode() not in table.read_bytes()
