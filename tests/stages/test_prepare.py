"""A micro-batch is prepared the same way wherever it runs: in the run's process with its worker pool,
or in another process from picklable inputs; the registry it is given is the one it uses."""

from __future__ import annotations

import pickle
from pathlib import Path

import pytest

from docnorm.doctypes.builtin import REGISTRY
from docnorm.doctypes.registry import DocTypeRegistry
from docnorm.parsers import document_id
from docnorm.settings import Settings
from docnorm.stages.documents import Planned, Prepared
from docnorm.stages.extract import make_extractor
from docnorm.stages.prepare import InProcess, prepare_documents
from docnorm.stages.run import worker_pool
from tests.conftest import EXAMPLES

CONTRACT = "master-services-agreement.pdf"
NOTE = "discharge-summary-pneumonia.pdf"


def _planned(*names: str) -> list[Planned]:
    return [(EXAMPLES / name, document_id(EXAMPLES / name)) for name in names]


def _contracts_only() -> DocTypeRegistry:
    registry = DocTypeRegistry()
    registry.register(REGISTRY["contract"])
    return registry


def _outcomes(prepared: Prepared) -> dict[str, str]:
    out = {doc.parsed.source.source_uri.rsplit("/", 1)[1]: doc.doc_type for doc in prepared.extracted}
    out |= {r.source_uri.rsplit("/", 1)[1]: r.reasons[0].code for r in prepared.stopped}
    return out


@pytest.mark.parametrize("where", ["this process", "worker processes", "another process"])
def test_the_registry_given_is_the_one_used_wherever_the_batch_runs(where: str, tmp_path: Path) -> None:
    settings = Settings(out_dir=tmp_path / "out", parse_workers=1 if where == "worker processes" else 0)
    registry = _contracts_only()
    with worker_pool(settings) as pool:
        here = None if where == "another process" else InProcess(make_extractor(settings, registry), pool)
        prepared = prepare_documents(_planned(CONTRACT, NOTE), settings, registry, here)
    # With contracts alone registered, the discharge summary is of no known type.
    assert _outcomes(prepared) == {CONTRACT: "contract", NOTE: "unknown_type"}


def test_a_prepared_batch_pickles_without_the_registry(tmp_path: Path) -> None:
    settings = Settings(out_dir=tmp_path / "out", parse_workers=0)
    prepared = prepare_documents(_planned(CONTRACT, NOTE), settings, REGISTRY)
    again = pickle.loads(pickle.dumps(prepared))
    assert [d.record for d in again.extracted] == [d.record for d in prepared.extracted]
    assert [type(d.record) for d in again.extracted] == [type(d.record) for d in prepared.extracted]
    assert again.stopped == prepared.stopped


def test_what_a_task_runner_sends_pickles(tmp_path: Path) -> None:
    settings = Settings(out_dir=tmp_path / "out")
    sent = (_planned(CONTRACT), settings, REGISTRY)
    todo, same_settings, registry = pickle.loads(pickle.dumps(sent))
    assert todo == sent[0] and same_settings == settings
    assert registry.names() == REGISTRY.names()
