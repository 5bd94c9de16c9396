"""``process_batch`` with the llm extractor against the test double: lineage, usage and review routing."""

from __future__ import annotations

import json
import math
import shutil
from pathlib import Path

import pyarrow.dataset as ds
import pytest
from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session

from docnorm.extractors.llm import PROMPT_VERSION
from docnorm.flows import process_batch
from docnorm.sinks import ReviewItem
from docnorm.testing import Faults, OpenAITestDouble
from tests.conftest import EXAMPLES

pytestmark = pytest.mark.slow
FILES = ["consulting-agreement.txt", "visit-note-diabetes.txt", "income-statement-hooli-q1.eml"]


@pytest.fixture
def inbox(tmp_path: Path) -> Path:
    folder = tmp_path / "inbox"
    folder.mkdir()
    for name in FILES:
        shutil.copy(EXAMPLES / name, folder / name)
    return folder


def _llm_env(monkeypatch: pytest.MonkeyPatch, double: OpenAITestDouble) -> None:
    monkeypatch.setenv("DOCNORM_LLM_BASE_URL", double.base_url)
    monkeypatch.setenv("DOCNORM_LLM_API_KEY", "test-key")
    monkeypatch.setenv("DOCNORM_LLM_MODEL", "test-model")
    monkeypatch.setenv("DOCNORM_LLM_MAX_RETRIES", "1")
    monkeypatch.setenv("DOCNORM_LLM_PRICES", json.dumps({"test-model": [1.0, 4.0]}))


def test_llm_run_records_prompt_version_tokens_and_cost(
    prefect_api: None, inbox: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with OpenAITestDouble() as double:
        _llm_env(monkeypatch, double)
        summary = process_batch([str(inbox)], out_dir=str(tmp_path / "out"), extractor="llm")
    assert summary.counts == {"curated": 3}
    assert summary.usage.calls == 3 and summary.usage.cost_usd and summary.usage.cost_usd > 0
    table = ds.dataset(tmp_path / "out" / "curated" / "contracts", partitioning="hive").to_table()
    [row] = table.to_pylist()
    assert (row["extractor"], row["model"], row["prompt_version"]) == ("llm", "test-model", PROMPT_VERSION)
    assert row["llm_prompt_tokens"] > 0 and row["llm_cost_usd"] > 0
    manifest = json.loads(Path(summary.manifest).read_text())
    assert manifest["usage"]["calls"] == 3 and manifest["prompt_version"] == PROMPT_VERSION
    assert all(entry["usage"]["calls"] == 1 for entry in manifest["inputs"])


def test_an_unreachable_endpoint_sends_documents_to_review_and_the_run_completes(
    prefect_api: None, inbox: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with OpenAITestDouble(faults=Faults(server_errors=math.inf)) as double:
        _llm_env(monkeypatch, double)
        summary = process_batch([str(inbox)], out_dir=str(tmp_path / "out"), extractor="llm")
    assert summary.counts == {"review": 3}
    with Session(create_engine(f"sqlite:///{tmp_path / 'out' / 'review.db'}")) as session:
        items = list(session.scalars(select(ReviewItem)))
    assert {(i.stage, i.reasons[0]["code"]) for i in items} == {("extract", "llm_unavailable")}
    assert {i.doc_type for i in items} == {"contract", "medical_record", "financial_statement"}


@pytest.mark.parametrize(("extractor", "expected"), [("rules", 8), ("llm", 4 * 16)])
def test_llm_micro_batches_keep_four_waves_of_calls_in_flight(
    extractor: str, expected: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:

    from docnorm.doctypes.builtin import REGISTRY
    from docnorm.flows.process_batch import micro_batch_size
    from docnorm.settings import load_settings
    from docnorm.stages.run import open_run

    with OpenAITestDouble() as double:
        _llm_env(monkeypatch, double)
        monkeypatch.setenv("DOCNORM_LLM_CONCURRENCY", "16")
        settings = load_settings(out_dir=tmp_path / "out", extractor=extractor, batch_size=8, parse_workers=0)
        with open_run(settings, REGISTRY, "run-1") as run:
            assert micro_batch_size(run) == expected
