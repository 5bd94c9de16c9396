"""The error tree: what callers catch, and that errors survive process boundaries."""

from __future__ import annotations

import pickle

import pytest

from docnorm.schemas.errors import (
    ClassificationError,
    ConfigError,
    DataError,
    DocnormError,
    ExtractionError,
    ParseError,
)


@pytest.mark.parametrize(
    ("cls", "stage"), [(ParseError, "parse"), (ClassificationError, "classify"), (ExtractionError, "extract")]
)
def test_data_errors_carry_stage_reason_and_message_through_pickle(cls: type[DataError], stage: str) -> None:
    error = cls("encrypted", "PDF is password-protected")
    clone = pickle.loads(pickle.dumps(error))
    assert type(clone) is cls
    assert (clone.stage, clone.reason, clone.message) == (stage, "encrypted", "PDF is password-protected")
    assert str(clone) == "encrypted: PDF is password-protected"


def test_the_field_a_data_error_concerns_survives_pickle() -> None:
    error = ExtractionError("evidence_in_flagged_text", "1 value(s) ...", field="amounts[0]")
    clone = pickle.loads(pickle.dumps(error))
    assert (clone.reason, clone.field) == ("evidence_in_flagged_text", "amounts[0]")
    assert ParseError("encrypted", "PDF is password-protected").field is None


def test_config_and_data_errors_share_one_root_but_not_a_branch() -> None:
    assert issubclass(ConfigError, DocnormError) and issubclass(DataError, DocnormError)
    assert not issubclass(ConfigError, DataError)
