"""``docnorm eval`` and the ``evaluate`` flow on the bundled medical gold set."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest
from typer.testing import CliRunner

from docnorm.cli import app
from tests.conftest import ROOT

MEDICAL = ROOT / "examples" / "gold" / "medical_records"


def test_eval_prints_scores_and_writes_the_documented_json(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["eval", str(MEDICAL), "--json", str(tmp_path / "scores.json"), "--quiet"])
    assert result.exit_code == 0, result.output
    assert "micro" in result.output and "classification accuracy: 1.000" in result.output
    report = json.loads((tmp_path / "scores.json").read_text())
    assert {"dataset", "extractor", "n_docs", "micro", "per_key", "classification_accuracy", "failures"} <= set(report)
    assert report["n_docs"] == 12 and report["extractor"] == "rules"
    assert set(report["micro"]) >= {"precision", "recall", "f1"}
    assert report["per_key"]["diagnoses.icd10_code"]["support"] == 21
    assert report["calibration"]["n"] > 200 and 0 <= report["calibration"]["ece"] < 0.2
    assert "calibration, out of fold (5-fold by document): ECE" in " ".join(result.output.split())
    assert (tmp_path / "scores.png").read_bytes()[:4] == b"\x89PNG"


def test_several_datasets_are_scored_each_and_classified_together(tmp_path: Path) -> None:
    financial = ROOT / "examples" / "gold" / "financial_statements"
    out = tmp_path / "all.json"
    result = CliRunner().invoke(app, ["eval", str(MEDICAL), str(financial), "--json", str(out), "--quiet"])
    assert result.exit_code == 0, result.output
    assert "classification over all datasets" in result.output
    assert "classification accuracy over all datasets: 1.000 (24 of 24)" in result.output
    payload = json.loads(out.read_text())
    assert [r["dataset"] for r in payload["reports"]] == ["medical_records", "financial_statements"]
    assert payload["classification"] == {
        "medical_record": {"medical_record": 12},
        "financial_statement": {"financial_statement": 12},
    }


def test_eval_of_a_folder_without_gold_is_a_usage_error(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["eval", str(tmp_path)])
    assert result.exit_code == 2
    assert "neither gold.tsv nor gold.jsonl" in result.output


@pytest.mark.slow
def test_the_evaluate_flow_publishes_its_scores(prefect_api: None) -> None:
    from prefect.settings import PREFECT_API_URL

    from docnorm.flows import evaluate

    report = evaluate(str(MEDICAL))
    response = httpx.post(
        f"{PREFECT_API_URL.value()}/artifacts/filter",
        json={"artifacts": {"key": {"any_": ["docnorm-eval"]}}, "limit": 5, "offset": 0, "sort": "CREATED_DESC"},
    )
    response.raise_for_status()
    rows = {row["key"]: row for row in json.loads(response.json()[0]["data"])}
    assert rows["micro"]["f1"] == report.micro.f1
    assert rows["patient.name"]["support"] == 12


def test_eval_with_the_hybrid_extractor_against_the_test_double(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from docnorm.testing import OpenAITestDouble

    with OpenAITestDouble() as double:
        monkeypatch.setenv("DOCNORM_LLM_BASE_URL", double.base_url)
        monkeypatch.setenv("DOCNORM_LLM_API_KEY", "test-key")
        monkeypatch.setenv("DOCNORM_LLM_MODEL", "test-model")
        monkeypatch.setenv("DOCNORM_OUT_DIR", str(tmp_path / "out"))
        result = CliRunner().invoke(
            app, ["eval", str(MEDICAL), "--extractor", "hybrid", "--json", str(tmp_path / "h.json"), "-q"]
        )
    assert result.exit_code == 0, result.output
    report = json.loads((tmp_path / "h.json").read_text())
    assert report["extractor"] == "hybrid" and report["micro"]["f1"] >= 0.9
    assert report["usage"]["calls"] == len(double.requests)
