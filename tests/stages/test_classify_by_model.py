"""With the llm and hybrid extractors, the model chooses among the registered doc types, by their
descriptions, for what the cues leave unknown; a choice it is not sure of goes to review."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from docnorm.doctypes.builtin import REGISTRY
from docnorm.settings import Settings
from docnorm.stages.extract import extract_documents, make_extractor
from docnorm.testing import Faults, OpenAITestDouble
from tests.conftest import parse_text

SHORT_NOTE = "Follow-up visit.\n\nKnee pain improved after physical therapy. Continue ibuprofen as needed."
MEMO = "Team lunch on Friday at noon in the cafeteria. Bring a dish to share."


def _settings(double: OpenAITestDouble, tmp_path: Path, extractor: str = "llm") -> Settings:
    return Settings(extractor=extractor, llm_base_url=double.base_url, llm_api_key="test-key",
                    llm_model="test-model", out_dir=tmp_path / "out", parse_workers=0)  # fmt: skip


def _run(settings: Settings, tmp_path: Path, text: str) -> tuple[list, list]:
    doc = parse_text(tmp_path / "doc.txt", text)
    return extract_documents([doc], settings, make_extractor(settings, REGISTRY), REGISTRY)


def test_the_rules_leave_a_short_note_unknown(tmp_path: Path) -> None:
    extracted, [stopped] = _run(Settings(out_dir=tmp_path / "out", parse_workers=0), tmp_path, SHORT_NOTE)
    assert extracted == [] and stopped.reasons[0].code == "unknown_type"


@pytest.mark.parametrize("extractor", ["llm", "hybrid"])
def test_the_model_places_what_the_cues_left_unknown(extractor: str, tmp_path: Path) -> None:
    with OpenAITestDouble() as double:
        [doc], stopped = _run(_settings(double, tmp_path, extractor), tmp_path, SHORT_NOTE)
        asked = [r for r in double.requests if "DocTypeChoice" in json.dumps(r.body)]
    assert stopped == []
    assert (doc.doc_type, doc.classification.cues, doc.classification.confidence) == ("medical_record", ["model"], 0.9)
    assert doc.usage is not None and doc.usage.calls >= 1, "the choice's tokens are counted"
    [request] = asked
    prompt = "\n".join(m["content"] for m in request.body["messages"])
    assert all(spec.description in prompt for spec in REGISTRY), "it chooses by the doc types' descriptions"
    assert "<document>" in prompt and "Knee pain" in prompt


def test_a_choice_the_model_is_not_sure_of_goes_to_review(tmp_path: Path) -> None:
    with OpenAITestDouble(faults=Faults(choice_confidence=0.5)) as double:
        extracted, [stopped] = _run(_settings(double, tmp_path), tmp_path, SHORT_NOTE)
    assert extracted == []
    assert stopped.reasons[0].code == "unknown_type"
    assert "the model chose medical_record with confidence 0.50" in stopped.reasons[0].message


def test_a_document_of_no_registered_kind_stays_unknown(tmp_path: Path) -> None:
    with OpenAITestDouble() as double:
        extracted, [stopped] = _run(_settings(double, tmp_path), tmp_path, MEMO)
    assert extracted == [] and stopped.reasons[0].code == "unknown_type"
    assert "the model chose none" in stopped.reasons[0].message


def test_an_endpoint_that_fails_leaves_the_document_in_review(tmp_path: Path) -> None:
    import math

    with OpenAITestDouble(faults=Faults(server_errors=math.inf)) as double:
        settings = _settings(double, tmp_path).model_copy(update={"llm_max_retries": 0})
        extracted, [stopped] = _run(settings, tmp_path, SHORT_NOTE)
    assert extracted == [] and stopped.reasons[0].code == "llm_unavailable"
