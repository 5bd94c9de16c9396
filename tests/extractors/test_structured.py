"""json_schema mode: the response model's schema as a strict response_format, and what a server says back."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import jsonschema
import pytest

from docnorm.doctypes.builtin import REGISTRY
from docnorm.extractors import Extraction
from docnorm.extractors.llm.schema import response_model, to_answer
from docnorm.extractors.llm.structured import strict_schema
from docnorm.schemas import DataError
from docnorm.settings import Settings
from docnorm.stages.extract import make_extractor
from docnorm.testing import Faults, OpenAITestDouble
from tests.conftest import EXAMPLES, parse_file

CONTRACT = EXAMPLES / "consulting-agreement.txt"


@pytest.fixture
def double() -> Iterator[OpenAITestDouble]:
    with OpenAITestDouble() as server:
        yield server


def settings_for(double: OpenAITestDouble, tmp_path: Path) -> Settings:
    return Settings(
        extractor="llm",
        llm_mode="json_schema",
        llm_base_url=double.base_url,
        llm_api_key="k",
        llm_model="m",
        llm_max_retries=0,
        out_dir=tmp_path / "out",
    )


def objects(node: object) -> Iterator[dict]:
    if isinstance(node, dict):
        if "properties" in node:
            yield node
        for value in node.values():
            yield from objects(value)
    elif isinstance(node, list):
        for item in node:
            yield from objects(item)


@pytest.mark.parametrize("doc_type", ["contract", "financial_statement", "medical_record"])
def test_large_nested_models_make_strict_schemas_that_still_accept_real_answers(doc_type: str) -> None:
    spec = REGISTRY[doc_type]
    schema = strict_schema(response_model(spec.model))
    examples = {"contract": "consulting-agreement.txt", "financial_statement": "balance-sheet-acme-2024.html",
                "medical_record": "visit-note-diabetes.txt"}  # fmt: skip
    answer = to_answer(spec.rules(parse_file(EXAMPLES / examples[doc_type])))  # type: ignore[misc]

    assert "$defs" in schema  # nested models by reference, as servers expect
    for node in objects(schema):
        assert node["additionalProperties"] is False
        assert sorted(node["required"]) == sorted(node["properties"])
    assert '"default"' not in str(schema).replace("'", '"')
    jsonschema.validate(answer, schema)  # optional fields are nullable, lists may be empty


def test_the_schema_goes_as_a_strict_response_format_and_the_answer_is_grounded(
    double: OpenAITestDouble, tmp_path: Path
) -> None:
    [result] = make_extractor(settings_for(double, tmp_path), REGISTRY).extract_many(
        [(parse_file(CONTRACT), "contract")]
    )

    assert isinstance(result, Extraction)
    assert result.record.governing_law.value == "New York"  # type: ignore[attr-defined]
    sent = double.requests[0].body
    assert "tools" not in sent
    assert sent["response_format"]["type"] == "json_schema"
    assert sent["response_format"]["json_schema"]["strict"] is True
    assert sent["response_format"]["json_schema"]["name"] == "ContractExtraction"


def test_a_schema_the_server_refuses_goes_to_review_with_the_servers_reason(tmp_path: Path) -> None:
    with OpenAITestDouble(faults=Faults(refuse_schema=True)) as double:
        [result] = make_extractor(settings_for(double, tmp_path), REGISTRY).extract_many(
            [(parse_file(CONTRACT), "contract")]
        )

    assert isinstance(result, DataError)
    assert result.reason == "llm_invalid_output"
    assert "refused the response schema: Invalid schema for response_format" in result.message
    assert len(double.requests) == 1  # a refusal is not retried


def test_an_answer_that_does_not_fit_is_reasked_with_the_errors(tmp_path: Path) -> None:
    with OpenAITestDouble(faults=Faults(schema_invalid=1)) as double:
        [result] = make_extractor(settings_for(double, tmp_path), REGISTRY).extract_many(
            [(parse_file(CONTRACT), "contract")]
        )

    assert isinstance(result, Extraction)
    assert len(double.requests) == 2
    reask = double.requests[1].body["messages"][-1]["content"]
    assert reask.startswith("That JSON does not fit the schema")
